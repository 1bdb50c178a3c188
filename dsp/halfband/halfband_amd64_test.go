//go:build amd64 && !purego

package halfband

import (
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/fir"
)

// TestKernelsSameBits runs every kernel this machine has (512-bit passes
// of 32 outputs, 256-bit passes of 16, the Go loop for the rest, and the
// 256-bit kernel alone) against the Go loop, bit for bit, at lengths that
// use each.
func TestKernelsSameBits(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, wide := range []bool{hasAVX512, false} {
		for _, k := range []int{4, 6, 16, 32} {
			c := Fold(k, fir.KaiserBeta(100))
			for _, n := range []int{15, 16, 31, 32, 48, 63, 316} {
				x := make([]float64, n+2*k-1)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				fast, slow := make([]float64, n), make([]float64, n)
				done := interpolateKernels(fast, x, c, wide)
				interpolateGo(fast[done:], x[done:], c)
				interpolateGo(slow, x, c)
				for i := range fast {
					if fast[i] != slow[i] {
						t.Fatalf("AVX-512 %v, K=%d, %d outputs: output %d = %v, Go %v", wide, k, n, i, fast[i], slow[i])
					}
				}
			}
		}
	}
}
