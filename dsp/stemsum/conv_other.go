//go:build !amd64 || purego

package stemsum

const convAccelerated = false

func convAddAVX(dst, acc []float64, x []float32, gain, weight float64) {
	panic("stemsum: no accelerated kernel on this platform")
}

func addAVX(dst, src []float32) {
	panic("stemsum: no accelerated kernel on this platform")
}

func scale2AVX(l, r, inL, inR []float32, gl, gr float32) {
	panic("stemsum: no accelerated kernel on this platform")
}

func setAVX(dst, src []float32) {
	panic("stemsum: no accelerated kernel on this platform")
}
