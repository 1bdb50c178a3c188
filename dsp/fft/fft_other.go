//go:build !amd64 || purego

package fft

func radix4(st *stage, x, y []complex128) {
	if st.s == 1 {
		radix4First(st, x, y)
		return
	}
	radix4Go(st, x, y, 0, st.m)
}
