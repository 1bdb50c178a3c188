//go:build !amd64 || purego

package envelope

const lanesAccelerated = false

func controlLanes(k *laneArgs, n int) { panic("envelope: no lanes kernel") }

func curveLanes(k *laneArgs) { panic("envelope: no lanes kernel") }
