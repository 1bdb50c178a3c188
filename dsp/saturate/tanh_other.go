//go:build !amd64 || purego

package saturate

// tanhAccelerated is false: the Go loop of tanhShift runs.
const tanhAccelerated = false

func tanhAsm(v []float64, k *tanhConsts) {
	panic("saturate: no accelerated tanh on this platform")
}
