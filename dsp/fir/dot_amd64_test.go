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
func TestDot2RowsKernelsAgree(t *testing.T) {
	t.Parallel()
	if !wide {
		t.Skip("no AVX-512 here: Dot2Rows runs the AVX2 rows, which TestDot2RowsBits covers")
	}
	checkDot2Rows(t, func(a []float64, k int, b0, b1 []float64, offs []int, out []float64) {
		rowsKernels(a, k, b0, b1, offs, out, false)
	})
}
