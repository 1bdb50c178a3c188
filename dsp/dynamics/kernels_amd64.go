//go:build amd64 && !purego

package dynamics

import "golang.org/x/sys/cpu"

// hasAVX2 is true when the processor and the operating system support
// AVX2 (peakAVX builds its mask with 256-bit integer shifts).
var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func peakAVX(lv []float64, x, y []float32, floor float64)

//go:noescape
func peak64AVX(lv []float64, x, y []float64, floor float64)

// peakFast does the first multiple of four frames of peakLevel for one or
// two float32 channels (the first frames of any other) and returns how
// many it did.
func peakFast(lv []float64, det [][]float32, floor float64) int {
	n := len(lv) &^ 3
	if !hasAVX2 || n == 0 || len(det) > 2 {
		return 0
	}
	peakAVX(lv[:n], det[0][:n], det[len(det)-1][:n], floor)
	return n
}

// peakFast64 is peakFast for float64 channels (the sidechain filter's
// output).
func peakFast64(lv []float64, det [][]float64, floor float64) int {
	n := len(lv) &^ 3
	if !hasAVX2 || n == 0 || len(det) > 2 {
		return 0
	}
	peak64AVX(lv[:n], det[0][:n], det[len(det)-1][:n], floor)
	return n
}
