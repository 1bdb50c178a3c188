//go:build amd64 && !purego

package dynamics

import "golang.org/x/sys/cpu"

// hasAVX is true when the processor and the operating system support AVX.
var hasAVX = cpu.X86.HasAVX

//go:noescape
func peakAVX(lv []float64, x, y []float32, floor float64)

// peakFast does the first multiple of four frames of peakLevel for one or
// two float32 channels (the first frames of any other) and returns how
// many it did.
func peakFast(lv []float64, det [][]float32, floor float64) int {
	n := len(lv) &^ 3
	if !hasAVX || n == 0 || len(det) > 2 {
		return 0
	}
	peakAVX(lv[:n], det[0][:n], det[len(det)-1][:n], floor)
	return n
}
