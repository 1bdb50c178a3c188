//go:build amd64 && !purego

package check

// stereoLanesSSE2 adds the even and the odd frames of l and r (equal
// lengths, even) into lanes, two frames per step in packed doubles: the
// same operations in the same order as stereoLanesGo, so the same bits.
// SSE2 is part of every amd64 processor.
//
//go:noescape
func stereoLanesSSE2(l, r []float32, lanes *[5][2]float64)

func stereoLanes(l, r []float32, lanes *[5][2]float64) { stereoLanesSSE2(l, r, lanes) }
