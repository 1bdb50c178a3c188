//go:build amd64 && !purego

package limiter

//go:noescape
func framePeaksAVX(zm, hf, out []float64, k *framePeakArgs)

//go:noescape
func magnitudesAVX(z, even, odd []float64, first bool)

// framePeaksFast does framePeaks' frames in assembly where AVX2 is there
// and returns how many it did (all of them, or none).
func framePeaksFast(zm, hf, out []float64, k *framePeakArgs) int {
	if !hasAVX2 || len(out) == 0 {
		return 0
	}
	framePeaksAVX(zm[:4*len(out)+2], hf[:len(out)], out, k)
	return len(out)
}

// magnitudesFast does the first multiple of four values of magnitudes in
// assembly where AVX is there and returns how many it did.
func magnitudesFast(z, even, odd []float64, first bool) int {
	n := len(odd) &^ 3
	if !hasAVX || n == 0 {
		return 0
	}
	magnitudesAVX(z[:2*n], even[:n], odd[:n], first)
	return n
}
