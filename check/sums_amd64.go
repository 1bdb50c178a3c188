//go:build amd64 && !purego

package check

// stereoLanesSSE2 adds the even and the odd frames of l0 and r0 (equal
// lengths, even) into lanes[0], and those of l1 and r1 (empty, or of the
// same length) into lanes[1], two frames per step in packed doubles: the
// same operations in the same order as stereoLanesGo, so the same bits.
// SSE2 is part of every amd64 processor.
//
//go:noescape
func stereoLanesSSE2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)

func stereoLanes(l, r []float32, lanes *[5][2]float64) {
	two := [2][5][2]float64{*lanes}
	stereoLanesSSE2(l, r[:len(l)], nil, nil, &two)
	*lanes = two[0]
}

func stereoLanes2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64) {
	stereoLanesSSE2(l0, r0[:len(l0)], l1[:len(l0)], r1[:len(l0)], lanes)
}
