//go:build !amd64 || purego

package vec

// head is 0: the Go loops take every frame, and the kernels below are
// called with none.
func head(int) int { return 0 }

func msEncodeAsm(l, r, x []float32, resid, rest []float64, s float64)      {}
func msDecodeAsm(l, r, x []float32, resid, rest []float64, s float64)      {}
func widthAsm(l, r []float32, h float64)                                   {}
func addF32Asm(dst, src []float32)                                         {}
func maddAsm(s, x, g []float64)                                            {}
func widthAddAsm(sl, sr, l, r, g []float64, h float64)                     {}
func bellOutAsm(x []float32, b, g []float64)                               {}
func splitOutAsm(x []float32, lo, b, g []float64)                          {}
func interleaveAsm(out, even, odd []float64)                               {}
func halfSumSplitAsm(v0, v1, a, b []float64)                               {}
func widenAsm(dst []float64, src []float32)                                {}
func narrowAsm(dst []float32, src []float64)                               {}
func scaleF32Asm(dst, src []float32, gain float32)                         {}
func widenMulAddAsm(dst, acc []float64, x []float32, gain, weight float64) {}
