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
