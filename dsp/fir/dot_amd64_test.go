//go:build amd64 && !purego

package fir

// On amd64 the gonum fallback (used without AVX2/FMA) is checked on every
// machine, the assembly on those that can run it.
func init() {
	type impl = struct {
		name string
		dot  func(a, b []float64) float64
		dot2 func(a, b0, b1 []float64) (float64, float64)
	}
	impls = append(impls, impl{"gonum", dotSSE2, dot2SSE2})
	if accelerated {
		impls = append(impls, impl{"avx2", dotAVX2, dot2AVX2})
	}
}
