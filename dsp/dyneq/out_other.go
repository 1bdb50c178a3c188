//go:build !amd64 || purego

package dyneq

// outAccelerated is false: the Go loops of out.go run.
const outAccelerated = false

func bellOutAsm(x []float32, b, g []float64) { panic("dyneq: no accelerated output on this platform") }

func splitOutAsm(x []float32, lo, b, g []float64) {
	panic("dyneq: no accelerated output on this platform")
}
