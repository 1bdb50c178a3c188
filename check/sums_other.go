//go:build !amd64 || purego

package check

func stereoLanes(l, r []float32, lanes *[5][2]float64) { stereoLanesGo(l, r, lanes) }

func stereoLanes2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64) {
	stereoLanesGo(l0, r0, &lanes[0])
	stereoLanesGo(l1, r1, &lanes[1])
}
