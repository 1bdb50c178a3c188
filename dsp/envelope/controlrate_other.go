//go:build !amd64 || purego

package envelope

// envRunsAccelerated is false: ControlRate.Process runs its one loop.
const envRunsAccelerated = false

func envRuns(x0, x1 []float64, st *runState, peaks *[maxRunPiece]float64) int {
	panic("envelope: no accelerated detector pass on this platform")
}
