//go:build amd64 && !purego

package fir

import "testing"

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

// TestDot2RowsKernelsAgree runs Dot2Rows with the AVX2 rows where the
// AVX-512 pairs would run (TestDot2RowsBits covers those), pinned to Dot2.
// It is not parallel: it switches the kernel for the package.
func TestDot2RowsKernelsAgree(t *testing.T) {
	if !wide {
		t.Skip("no AVX-512 here: Dot2Rows runs the AVX2 rows, which TestDot2RowsBits covers")
	}
	defer func(w bool) { wide = w }(wide)
	wide = false
	checkDot2Rows(t)
}
