//go:build !amd64 || purego

package dynamics

func peakFast(lv []float64, det [][]float32, floor float64) int { return 0 }

func peakFast64(lv []float64, det [][]float64, floor float64) int { return 0 }
