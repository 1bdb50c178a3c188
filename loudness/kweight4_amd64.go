//go:build amd64 && !purego

package loudness

// kweight4AVX needs AVX only (256-bit double arithmetic, VCVTPS2PD to a
// YMM register): kAccelerated.
//
//go:noescape
func kweight4AVX(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64)

func kweight4(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64) {
	kweight4AVX(xa0, xa1, xb0, xb1, k, st)
}
