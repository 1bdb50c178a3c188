//go:build !amd64 || purego

package biquad

// pairAccelerated is false: two sections over two channels run as run2
// twice.
const pairAccelerated = false

func runPair2Asm(x0, x1 []float64, k *wideCoefficients, st *[8]float64) {
	panic("biquad: no accelerated pair kernel on this platform")
}
