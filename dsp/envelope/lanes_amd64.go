//go:build amd64 && !purego

package envelope

import "golang.org/x/sys/cpu"

// lanesAccelerated is true where controlLanesAVX runs (AVX: 4-lane
// doubles).
var lanesAccelerated = cpu.X86.HasAVX

// controlLanesAVX runs n frames (1 … MaxRun, within the current run) of
// the four lanes of k.
//
//go:noescape
func controlLanesAVX(k *laneArgs, n int)

func controlLanes(k *laneArgs, n int) { controlLanesAVX(k, n) }

// curveLanesAVX runs the block of k.left frames of the four lanes of k
// with the lanes' BandCurves at each run's end.
//
//go:noescape
func curveLanesAVX(k *laneArgs)

func curveLanes(k *laneArgs) { curveLanesAVX(k) }
