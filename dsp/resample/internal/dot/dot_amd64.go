//go:build amd64 && !purego

package dot

import (
	"golang.org/x/sys/cpu"
	"gonum.org/v1/gonum/floats"
)

// accelerated is true when the processor (and the operating system, which
// must save the YMM registers; x/sys/cpu checks that too) supports AVX2 and
// FMA.
var accelerated = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel names the implementation in use, for Kernel.
var kernel = "sse2 (gonum)"

func init() {
	if accelerated {
		kernel = "avx2+fma"
	}
}

// dot and dot2 take b, b0 and b1 at least as long as a (Dot and Dot2 see
// to it): the assembly reads len(a) elements of each.
func dot(a, b []float64) float64 {
	if accelerated {
		return dotAVX2(a, b)
	}
	return floats.Dot(a, b[:len(a)])
}

func dot2(a, b0, b1 []float64) (float64, float64) {
	if accelerated {
		return dot2AVX2(a, b0, b1)
	}
	return floats.Dot(a, b0[:len(a)]), floats.Dot(a, b1[:len(a)])
}

// dotAVX2 is Dot in AVX2+FMA assembly. len(b) must be at least len(a).
//
//go:noescape
func dotAVX2(a, b []float64) float64

// dot2AVX2 is Dot2 in AVX2+FMA assembly. b0 and b1 must be at least as long
// as a.
//
//go:noescape
func dot2AVX2(a, b0, b1 []float64) (s0, s1 float64)
