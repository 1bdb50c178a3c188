//go:build amd64 && !purego

package envelope

// envRunsAccelerated: the detector pass runs in envRunsSSE2 (SSE2 is
// every amd64's).
const envRunsAccelerated = true

//go:noescape
func envRunsSSE2(x0, x1 []float64, st *runState, peaks *[maxRunPiece]float64) int

func envRuns(x0, x1 []float64, st *runState, peaks *[maxRunPiece]float64) int {
	return envRunsSSE2(x0, x1, st, peaks)
}
