//go:build !amd64 || purego

package fir

// The implementation in use: plain Go.
var (
	dotImpl  = DotPortable
	dot2Impl = dot2Generic
	kernel   = "go"
)

const lanesAccelerated = false

func dot4LanesAVX(a, b0, b1, b2, b3 *float64, n int, acc *[16]float64) {
	panic("fir: no vector kernel")
}
