//go:build amd64 && !purego

package biquad

import "golang.org/x/sys/cpu"

// pairAccelerated is true when the processor (and the operating system)
// supports AVX, whose three-operand forms and unaligned memory operands
// pairAVX uses.
var pairAccelerated = cpu.X86.HasAVX

//go:noescape
func pairAVX(x0, x1 []float64, k *wideCoefficients, st *[8]float64)

func runPair2Asm(x0, x1 []float64, k *wideCoefficients, st *[8]float64) { pairAVX(x0, x1, k, st) }
