//go:build !amd64 || purego

package stemsum

const convAccelerated = false

func convAddAVX(dst, acc []float64, x []float32, gain, weight float64) {
	panic("stemsum: no accelerated kernel on this platform")
}

func scaleAVX(dst, src []float32, g float32) {
	panic("stemsum: no accelerated kernel on this platform")
}
