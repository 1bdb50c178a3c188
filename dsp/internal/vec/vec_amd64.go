//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

var accelerated = cpu.X86.HasAVX

// head is how many of n frames the kernels take: the multiple of 4 below
// n where AVX runs, else 0 (the kernels return at once on no frames).
func head(n int) int {
	if accelerated {
		return n &^ 3
	}
	return 0
}

//go:noescape
func msEncodeAsm(l, r, x []float32, resid, rest []float64, s float64)

//go:noescape
func msDecodeAsm(l, r, x []float32, resid, rest []float64, s float64)

//go:noescape
func widthAsm(l, r []float32, h float64)

//go:noescape
func addF32Asm(dst, src []float32)

//go:noescape
func maddAsm(s, x, g []float64)

//go:noescape
func widthAddAsm(sl, sr, l, r, g []float64, h float64)

//go:noescape
func bellOutAsm(x []float32, b, g []float64)

//go:noescape
func splitOutAsm(x []float32, lo, b, g []float64)

//go:noescape
func interleaveAsm(out, even, odd []float64)

//go:noescape
func halfSumSplitAsm(v0, v1, a, b []float64)

//go:noescape
func widenAsm(dst []float64, src []float32)

//go:noescape
func narrowAsm(dst []float32, src []float64)

//go:noescape
func scaleF32Asm(dst, src []float32, gain float32)

//go:noescape
func widenMulAddAsm(dst, acc []float64, x []float32, gain, weight float64)
