//go:build amd64 && !purego

package fft

import "golang.org/x/sys/cpu"

// accelerated selects radix4AVX (AVX: 256-bit doubles, VPERMILPD,
// VADDSUBPD, VBROADCASTSD).
var accelerated = cpu.X86.HasAVX

// radix4AVX is radix4Go over p in [0, m) for s ≥ 2 (s even), two complex
// values per register, the same operations in the same order: the same
// bits.
//
//go:noescape
func radix4AVX(x, y *complex128, tw *complex128, m, s int)

func radix4(st *stage, x, y []complex128) { radix4Kernels(st, x, y, accelerated) }

// radix4Kernels is radix4 with the kernel used only when wide is set, so
// that the tests can compare it with the Go loop.
func radix4Kernels(st *stage, x, y []complex128, wide bool) {
	if st.s == 1 {
		radix4First(st, x, y)
		return
	}
	if !wide {
		radix4Go(st, x, y, 0, st.m)
		return
	}
	_ = x[4*st.m*st.s-1]
	_ = y[4*st.m*st.s-1]
	radix4AVX(&x[0], &y[0], &st.tw[0], st.m, st.s)
}
