//go:build !amd64 || purego

package multiband

// addAccelerated is false: the Go loops of add.go run.
const addAccelerated = false

func maddAsm(s, x, g []float64) { panic("multiband: no accelerated band sum on this platform") }

func widthAddAsm(sl, sr, l, r, g []float64, h float64) {
	panic("multiband: no accelerated band sum on this platform")
}
