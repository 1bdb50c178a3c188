//go:build amd64 && !purego

package halfband

import "golang.org/x/sys/cpu"

// hasAVX is true when the processor and the operating system (which must
// save the YMM registers; x/sys/cpu checks that too) support AVX.
var hasAVX = cpu.X86.HasAVX

// interpolateFast computes the first multiple of 16 of dst's outputs in
// assembly where AVX is there, and returns how many it computed (the
// callers' blocks are multiples of 16 but for a stream's last one).
func interpolateFast(dst, x, c []float64) int {
	n := len(dst) &^ 15
	if !hasAVX || n == 0 {
		return 0
	}
	interpolateAVX(dst[:n], x, c)
	return n
}

// interpolateAVX is Interpolate for len(dst) a multiple of 16, sixteen
// outputs per pass over the taps.
//
//go:noescape
func interpolateAVX(dst, x, c []float64)
