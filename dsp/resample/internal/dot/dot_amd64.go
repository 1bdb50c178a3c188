//go:build amd64 && !purego

package dot

import "golang.org/x/sys/cpu"

// accelerated is true when the processor (and the operating system, which
// must save the YMM registers; x/sys/cpu checks that too) supports AVX2 and
// FMA.
var accelerated = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func dot(a, b []float64) float64 {
	if accelerated {
		return dotAVX2(a, b)
	}
	return dotGeneric(a, b)
}

func dot2(a, b0, b1 []float64) (float64, float64) {
	if accelerated {
		return dot2AVX2(a, b0, b1)
	}
	return dot2Generic(a, b0, b1)
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
