package dyneq

// The band's output loops, with AVX kernels (out_amd64.s) that run the Go
// loops' arithmetic four frames at a time where the processor has it.

// bellOut sets x[i] = x[i] + g[i]·b[i] (the bell: the gain − 1 times the
// band added to the signal) for the frames of g.
func bellOut(x []float32, b, g []float64) {
	k := len(g)
	x, b = x[:k], b[:k]
	done := 0
	if outAccelerated {
		done = k &^ 3
		bellOutAsm(x[:done], b[:done], g[:done])
	}
	bellOutGo(x[done:], b[done:], g[done:])
}

func bellOutGo(x []float32, b, g []float64) {
	x, b = x[:len(g)], b[:len(g)]
	for i, v := range x {
		x[i] = float32(float64(v) + g[i]*b[i])
	}
}

// splitOut sets x[i] = lo[i] + (g[i] + 1)·b[i] (the split: the low band
// plus the gained high band) for the frames of g.
func splitOut(x []float32, lo, b, g []float64) {
	k := len(g)
	x, lo, b = x[:k], lo[:k], b[:k]
	done := 0
	if outAccelerated {
		done = k &^ 3
		splitOutAsm(x[:done], lo[:done], b[:done], g[:done])
	}
	splitOutGo(x[done:], lo[done:], b[done:], g[done:])
}

func splitOutGo(x []float32, lo, b, g []float64) {
	x, lo, b = x[:len(g)], lo[:len(g)], b[:len(g)]
	for i := range x {
		x[i] = float32(lo[i] + (g[i]+1)*b[i])
	}
}
