//go:build !amd64 || purego

package biquad

// pairAccelerated is false: two sections over two channels run as run2
// twice.
const pairAccelerated = false

func runPair2Asm(x0, x1 []float64, k *wideCoefficients, st *[8]float64) {
	panic("biquad: no accelerated pair kernel on this platform")
}

func runQuad2Asm(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64) {
	panic("biquad: no accelerated quad kernel on this platform")
}

func runFork2Asm(x0, x1, r0, r1 []float64, k *quadCoefficients, w *wideCoefficients, st *[24]float64, ns int) {
	panic("biquad: no accelerated fork kernel on this platform")
}

const riderAccelerated = false

func runQuadRiderAsm(x0, x1 []float64, k *quadCoefficients, st *[16]float64, carry *[16]float64, m []float64, r *[5]float64, rs *[2]float64) {
	panic("biquad: no accelerated rider kernel on this platform")
}
