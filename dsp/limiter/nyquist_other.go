//go:build !amd64 || purego

package limiter

func nyquistPairFast(na, nb *nyquistBand, inA, inB, hf []float64) bool { return false }
