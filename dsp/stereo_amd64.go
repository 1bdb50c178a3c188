//go:build amd64 && !purego

package dsp

import "golang.org/x/sys/cpu"

// stereoAccelerated is true where the mid/side and width kernels run with
// AVX (4 frames per step).
var stereoAccelerated = cpu.X86.HasAVX

//go:noescape
func msEncodeAVX(l, r, x []float32, resid, rest []float64, s float64)

//go:noescape
func msDecodeAVX(l, r, x []float32, resid, rest []float64, s float64)

//go:noescape
func widthAVX(l, r []float32, h float64)

func msEncodeAsm(l, r, x []float32, resid, rest []float64, s float64) {
	msEncodeAVX(l, r, x, resid, rest, s)
}

func msDecodeAsm(l, r, x []float32, resid, rest []float64, s float64) {
	msDecodeAVX(l, r, x, resid, rest, s)
}

func widthAsm(l, r []float32, h float64) { widthAVX(l, r, h) }
