//go:build !amd64 || purego

package envelope

const lanesAccelerated = false

func curveLanes(k *laneArgs) { panic("envelope: no lanes kernel") }
