//go:build !amd64 || purego

package engine

// modelAccelerated is false: the gain model runs in plain Go.
const modelAccelerated = false

func kweightPeak(xl, xr []float32, st *kLanes, k *kCoeffs, energy, peak *[2]float64) {
	panic("engine: no accelerated gain-model kernel on this platform")
}
