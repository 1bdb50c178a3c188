//go:build amd64 && !purego

package halfband

import "golang.org/x/sys/cpu"

// hasAVX is true when the processor and the operating system (which must
// save the YMM registers; x/sys/cpu checks that too) support AVX; hasAVX512
// likewise for AVX-512 and the ZMM registers.
var (
	hasAVX    = cpu.X86.HasAVX
	hasAVX512 = cpu.X86.HasAVX512F
)

// interpolateFast computes the first multiple of 16 of dst's outputs in
// assembly where AVX is there, and returns how many it computed (the
// callers' blocks are multiples of 16 but for a stream's last one).
func interpolateFast(dst, x, c []float64) int { return interpolateKernels(dst, x, c, hasAVX512) }

// interpolateKernels is interpolateFast with the 512-bit passes used only
// when wide is set, so that the tests can run the 256-bit kernel alone on
// a machine that has both.
func interpolateKernels(dst, x, c []float64, wide bool) int {
	done := 0
	if n := len(dst) &^ 31; wide && n > 0 {
		interpolateAVX512(dst[:n], x, c)
		done = n
	}
	n := (len(dst) - done) &^ 15
	if !hasAVX || n == 0 {
		return done
	}
	interpolateAVX(dst[done:done+n], x[done:], c)
	return done + n
}

// interpolateAVX is Interpolate for len(dst) a multiple of 16, sixteen
// outputs per pass over the taps.
//
//go:noescape
func interpolateAVX(dst, x, c []float64)

// interpolateAVX512 is Interpolate for len(dst) a multiple of 32, 32
// outputs per pass over the taps, the same bits as interpolateAVX.
//
//go:noescape
func interpolateAVX512(dst, x, c []float64)
