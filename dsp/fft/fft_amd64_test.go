//go:build amd64 && !purego

package fft

import (
	"math"
	"testing"
)

// TestKernelBits: every radix-4 stage through the kernel gives the Go
// loop's bits.
func TestKernelBits(t *testing.T) {
	t.Parallel()
	if !accelerated {
		t.Skip("no AVX here: the Go loop runs")
	}
	for _, n := range []int{8, 16, 32, 64, 128, 1024, 8192} {
		f := New(n)
		x := noise(n, uint64(n)+3)
		x[5] = complex(math.Inf(1), math.NaN())
		for i := range f.stages {
			st := &f.stages[i]
			if st.radix != 4 {
				continue
			}
			want, got := make([]complex128, n), make([]complex128, n)
			radix4Kernels(st, x, want, false)
			radix4Kernels(st, x, got, true)
			for k := range want {
				if math.Float64bits(real(got[k])) != math.Float64bits(real(want[k])) ||
					math.Float64bits(imag(got[k])) != math.Float64bits(imag(want[k])) {
					if !(isNaN(got[k]) && isNaN(want[k])) {
						t.Fatalf("n=%d stage %d (s=%d): y[%d] = %v, Go %v", n, i, st.s, k, got[k], want[k])
					}
				}
			}
		}
	}
}

func isNaN(z complex128) bool { return math.IsNaN(real(z)) || math.IsNaN(imag(z)) }
