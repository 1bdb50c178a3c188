//go:build !amd64 || purego

package envelope

func log2Fast(dst, src []float64) int                           { return 0 }
func gainFast(gain, gr []float64, k *gainConsts) int            { return 0 }
func smoothFast(s *Smoother, gr float64, t, out []float64) bool { return false }
