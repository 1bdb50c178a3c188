//go:build !amd64 || purego

package fir

// The implementation in use: plain Go.
var (
	dotImpl  = DotPortable
	dot2Impl = dot2Generic
	kernel   = "go"
)

const lanesAccelerated = false

func dot4LanesAVX(a *float64, b *[4]*float64, n int, acc *[16]float64) {
	panic("fir: no vector kernel")
}

func rowsImpl(a []float64, k int, b0, b1 []float64, offs []int, out []float64) {
	rowsGeneric(a, k, b0, b1, offs, out)
}

const shiftsAccelerated = false

func dot2LanesAVX(a, b0, b1 *float64, n int, acc *[32]float64) {
	panic("fir: no vector kernel")
}
