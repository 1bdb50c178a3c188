package biquad

// wideCoefficients are two sections' coefficients (b0 k1 k2 a1 a2 of the
// first, then of the second), each stored twice so that one memory operand
// feeds both lanes of the pair kernel.
type wideCoefficients [10][2]float64

func widen(c, d ssCoefficients) *wideCoefficients {
	var w wideCoefficients
	for i, v := range [10]float64{c.b0, c.k1, c.k2, c.a1, c.a2, d.b0, d.k1, d.k2, d.a1, d.a2} {
		w[i] = [2]float64{v, v}
	}
	return &w
}

// runPair2 filters two channels through sections c and d in series with the
// accelerated kernel; the result is bit-identical to run2 with c, then with
// d. States are flushed at the end as run2 flushes them.
func runPair2(x0, x1 []float64, k *wideCoefficients, c, d ssCoefficients, c0, c1, d0, d1 *state) {
	x1 = x1[:len(x0)]
	st := [8]float64{c0.s1, c1.s1, c0.s2, c1.s2, d0.s1, d1.s1, d0.s2, d1.s2}
	runPair2Asm(x0, x1, k, &st)
	c0.s1, c1.s1, c0.s2, c1.s2 = flush(st[0], c.flush), flush(st[1], c.flush), flush(st[2], c.flush), flush(st[3], c.flush)
	d0.s1, d1.s1, d0.s2, d1.s2 = flush(st[4], d.flush), flush(st[5], d.flush), flush(st[6], d.flush), flush(st[7], d.flush)
}
