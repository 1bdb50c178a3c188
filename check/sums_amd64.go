//go:build amd64 && !purego

package check

// stereoLanesSSE2 adds the even and the odd frames of l and r (equal
// lengths, even) into lanes, two frames per step in packed doubles: the
// same operations in the same order as stereoLanesGo, so the same bits.
// SSE2 is part of every amd64 processor.
//
//go:noescape
func stereoLanesSSE2(l, r []float32, lanes *[5][2]float64)

// stereoLanes2SSE2 is stereoLanesSSE2 for two blocks of one length at
// once, into lanes[0] and lanes[1].
//
//go:noescape
func stereoLanes2SSE2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)

func stereoLanes(l, r []float32, lanes *[5][2]float64) { stereoLanesSSE2(l, r, lanes) }

func stereoLanes2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64) {
	stereoLanes2SSE2(l0, r0[:len(l0)], l1[:len(l0)], r1[:len(l0)], lanes)
}
