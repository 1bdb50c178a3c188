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
// two channels (float32 samples, or the sidechain filter's float64
// output; the first frames of any other count) in assembly where AVX2 is
// there and returns how many it did.
func peakFast[T float32 | float64](lv []float64, det [][]T, floor float64) int {
	n := len(lv) &^ 3
	if !hasAVX2 || n == 0 || len(det) > 2 {
		return 0
	}
	switch d := any(det).(type) {
	case [][]float32:
		peakAVX(lv[:n], d[0][:n], d[len(d)-1][:n], floor)
	case [][]float64:
		peak64AVX(lv[:n], d[0][:n], d[len(d)-1][:n], floor)
	}
	return n
}
