//go:build amd64 && !purego

package engine

import "golang.org/x/sys/cpu"

// modelAccelerated is true when kweightPeakAVX can run.
var modelAccelerated = cpu.X86.HasAVX

//go:noescape
func kweightPeakAVX(xl, xr []float32, st *kLanes, k *kCoeffs, energy, peak *[2]float64)

func kweightPeak(xl, xr []float32, st *kLanes, k *kCoeffs, energy, peak *[2]float64) {
	kweightPeakAVX(xl, xr, st, k, energy, peak)
}
