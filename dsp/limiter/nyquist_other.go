//go:build !amd64 || purego

package limiter

func nyquistPairFast(na, nb *nyquistBand, inA, inB, hf []float64) bool { return false }

func framePeaksFast(zm, hf, out []float64, k *framePeakArgs) int { return 0 }

func magnitudesFast(z, even, odd []float64, first bool) int { return 0 }

func maxAbsFast(x []float64) (int, float64) { return 0, 0 }

func ceilingFast(g []float64, ceiling float64) int { return 0 }

func statsFast(x []float64, s *[3]float64) int { return 0 }
