//go:build !amd64 || purego

package envelope

func log2Fast(dst, src []float64) int { return 0 }

func runFast(g *GainComputer, gr float64, lv, gain []float64) (int, float64, float64) {
	return 0, gr, 0
}

func applyFast(dst, src, save []float32, g []float64) int { return 0 }

func exp2Fast(dst, src []float64, scale float64) int { return 0 }
