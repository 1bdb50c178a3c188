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

//go:noescape
func maxAbsAVX(x []float64) float64

// maxAbsFast does the first multiple of four values of maxAbs in assembly
// where AVX is there; it returns how many it did and their maxAbs.
func maxAbsFast(x []float64) (int, float64) {
	n := len(x) &^ 3
	if !hasAVX || n == 0 {
		return 0, 0
	}
	return n, maxAbsAVX(x[:n])
}

//go:noescape
func ceilingAVX(g []float64, ceiling float64)

// ceilingFast does the first multiple of four values of ceilingGains in
// assembly where AVX is there and returns how many it did.
func ceilingFast(g []float64, ceiling float64) int {
	n := len(g) &^ 3
	if !hasAVX || n == 0 {
		return 0
	}
	ceilingAVX(g[:n], ceiling)
	return n
}

//go:noescape
func statsAVX2(x []float64, s *[3]float64)

// statsFast takes statsOf's maxima over x[2:k+2] in assembly where AVX2 is
// there, k the largest multiple of four it can, and returns k.
func statsFast(x []float64, s *[3]float64) int {
	k := (len(x) - 2) &^ 3
	if !hasAVX2 || k <= 0 {
		return 0
	}
	statsAVX2(x[:k+2], s)
	return k
}
