//go:build amd64 && !purego

package envelope

import "golang.org/x/sys/cpu"

// lanesAccelerated is true where curveLanesAVX runs (AVX2: 4-lane
// doubles, and the 4-lane integer operations of Log2 and Exp2).
var lanesAccelerated = cpu.X86.HasAVX2

// curveLanesAVX runs the block of k.left frames of the four lanes of k
// with the lanes' BandCurves at each run's end.
//
//go:noescape
func curveLanesAVX(k *laneArgs)

func curveLanes(k *laneArgs) { curveLanesAVX(k) }
