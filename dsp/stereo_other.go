//go:build !amd64 || purego

package dsp

// stereoAccelerated is false: the Go loops of stereo.go run.
const stereoAccelerated = false

func msEncodeAsm(l, r, x []float32, resid, rest []float64, s float64) {
	panic("dsp: no accelerated mid/side kernel on this platform")
}

func msDecodeAsm(l, r, x []float32, resid, rest []float64, s float64) {
	panic("dsp: no accelerated mid/side kernel on this platform")
}

func widthAsm(l, r []float32, h float64) {
	panic("dsp: no accelerated width kernel on this platform")
}
