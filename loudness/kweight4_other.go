//go:build !amd64 || purego

package loudness

func kweight4(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64) {
	panic("loudness: no four-lane K-weighting kernel on this platform")
}
