//go:build amd64 && !purego

package check

import "golang.org/x/sys/cpu"

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

// stereoLanes2AVX is stereoLanesSSE2's two blocks in one 256-bit register
// each (len(l0) even and not 0): the same bits.
//
//go:noescape
func stereoLanes2AVX(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64)

// lanesAVX selects stereoLanes2AVX.
var lanesAVX = cpu.X86.HasAVX

func stereoLanes2(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64) {
	n := len(l0)
	if lanesAVX && n > 0 {
		stereoLanes2AVX(l0, r0[:n], l1[:n], r1[:n], lanes)
		return
	}
	stereoLanesSSE2(l0, r0[:n], l1[:n], r1[:n], lanes)
}
