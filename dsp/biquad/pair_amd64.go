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

//go:noescape
func quadAVX(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64)

func runQuad2Asm(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64) {
	quadAVX(x0, x1, k, st, carry)
}

//go:noescape
func forkAVX(x0, x1, r0, r1 []float64, k *quadCoefficients, w *wideCoefficients, st *[24]float64, ns int)

func runFork2Asm(x0, x1, r0, r1 []float64, k *quadCoefficients, w *wideCoefficients, st *[24]float64, ns int) {
	forkAVX(x0, x1, r0, r1, k, w, st, ns)
}

// riderAccelerated is true where quadRiderAVX512 runs: its rider's
// registers are AVX-512's X16–X23.
var riderAccelerated = pairAccelerated && cpu.X86.HasAVX512F

//go:noescape
func quadRiderAVX512(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64, m []float64, r *[5]float64, rs *[2]float64)

func runQuadRiderAsm(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64, m []float64, r *[5]float64, rs *[2]float64) {
	quadRiderAVX512(x0, x1, k, st, carry, m, r, rs)
}
