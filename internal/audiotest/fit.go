package audiotest

import "math"

// FitSine fits a·sin(ω·i) + b·cos(ω·i) + c to y[from:to] by least squares
// (i is the index into y, so the phase is relative to y[0]) and returns the
// amplitude, the phase of the fitted sine, and the RMS of what is left: the
// THD+N of a pure tone is resid / (amp/√2). ω is in radians per sample.
func FitSine(y []float32, w float64, from, to int) (amp, phase, resid float64) {
	var m [3][3]float64
	var v [3]float64
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		b := [3]float64{s, c, 1}
		for r := range 3 {
			for k := range 3 {
				m[r][k] += b[r] * b[k]
			}
			v[r] += b[r] * float64(y[i])
		}
	}
	x := solve3(m, v)
	var ss float64
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		e := float64(y[i]) - (x[0]*s + x[1]*c + x[2])
		ss += e * e
	}
	return math.Hypot(x[0], x[1]), math.Atan2(x[1], x[0]), math.Sqrt(ss / float64(to-from))
}

// solve3 solves a 3×3 system by Cramer's rule (the normal equations of a
// sine fit over many periods are well conditioned).
func solve3(m [3][3]float64, v [3]float64) [3]float64 {
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) -
			a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) +
			a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	var x [3]float64
	for k := range 3 {
		a := m
		for r := range 3 {
			a[r][k] = v[r]
		}
		x[k] = det(a) / d
	}
	return x
}
