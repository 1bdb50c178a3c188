package limiter

import (
	"math"

	"stemmaster/dsp/halfband"
)

// The exact skip needs a bound on every frame peak a chunk can produce.
// detector4x.bound takes the largest input times both stages' gains (about
// +3 dB over the sample peak, and the parabola refinement's 1 dB on top),
// which is far above the true peak of ordinary music: a master whose
// peaks sit a few dB under the ceiling would skip nothing. smoothBound is
// the tighter bound of smooth signals, from the input's differences:
//
// Each 4× value is a fixed linear combination w of the input samples
// around it (the cascade is linear and time-invariant). Written as the
// linear interpolation between the two samples it lies between, plus a
// filter e on the second differences D2[n] = x[n−1] − 2x[n] + x[n+1], plus
// a remainder r (the window's small error in reproducing straight lines),
// |y| ≤ max|x| + Σ|e|·max|D2| + Σ|r|·max|x|. The difference of two
// consecutive 4× values, a combination that sums to (almost) zero, is a
// filter F on the first differences plus what its sum leaves:
// |Δy| ≤ Σ|F|·max|D1| + |Σ|·max|x|. The parabola refinement raises a local
// maximum b between a and v by (v−a)²/(8(2b−a−v)) ≤ max(b−a, b−v)/8, so no
// frame peak of the chunk exceeds max|y| + max|Δy|/8. The maxima are taken
// over every input sample the chunk's values read, which reach back beyond
// the detector's stage-1 history (stage 2's history holds older values):
// the previous chunk's buffer covers them when it was long enough
// (smoothBound says so), and otherwise the gains' bound stands alone.

// smoothCoefs are the factors of smoothBound, each the largest over the
// four phases (or the four steps between consecutive values).
type smoothCoefs struct {
	curve, rest  float64 // |y| ≤ (1 + rest)·X + curve·D2
	step1, step0 float64 // |Δy| ≤ step1·D1 + step0·X
	reach        int     // how far back (base frames) a value and its step read
}

// inputStats are the largest |x|, |first difference| and |second
// difference| over a stretch of input.
type inputStats struct {
	x, d1, d2 float64
}

// statsOf takes the stats of x[2:] with the differences reaching back to
// x[0] (len(x) ≥ 2): in the kernel where there is one, the rest in Go.
func statsOf(x []float64) inputStats {
	var m [3]float64
	i := 2 + statsFast(x, &m)
	for ; i < len(x); i++ {
		v, u, w := x[i], x[i-1], x[i-2]
		m[0] = max(m[0], math.Abs(v))
		m[1] = max(m[1], math.Abs(v-u))
		m[2] = max(m[2], math.Abs(w-2*u+v))
	}
	return inputStats{x: m[0], d1: m[1], d2: m[2]}
}

func (s inputStats) join(o inputStats) inputStats {
	return inputStats{x: max(s.x, o.x), d1: max(s.d1, o.d1), d2: max(s.d2, o.d2)}
}

// bound is the bound on every frame peak from stats covering the input
// the values read.
func (k *smoothCoefs) bound(s inputStats) float64 {
	return (1+k.rest)*s.x + k.curve*s.d2 + (k.step1*s.d1+k.step0*s.x)/8
}

// cascadeWeights measures the cascade's weights (its response to an
// impulse, as the detector computes it): resp[p][j] is phase p of the
// value of the frame j frames after an impulse of 1, zero from reach on.
func cascadeWeights() (resp [4][]float64, reach int) {
	const n = 256
	t := newDetector4x(1, n)
	for p := range resp {
		resp[p] = make([]float64, 2*n)
	}
	const at = n / 2
	y := make([]float64, 4*n)
	for c := range 2 {
		in := t.input(0, n)
		clear(in)
		if c == 0 {
			in[at] = 1
		}
		t.signed(0, n, y)
		for i := range n {
			if j := c*n + i - at; j >= 0 {
				for p := range 4 {
					resp[p][j] = y[4*i+p]
				}
			}
		}
	}
	for p := range resp {
		for j, v := range resp[p] {
			if v != 0 {
				reach = max(reach, j+1)
			}
		}
	}
	return resp, reach
}

// newSmoothCoefs splits the cascade's weights as the file's comment says.
func newSmoothCoefs() smoothCoefs {
	resp, reach := cascadeWeights()
	var k smoothCoefs
	k.reach = reach + 1 // a frame's first value's step reads one frame further back
	for p := range 4 {
		w := timeOrder(resp, p, 0, k.reach)
		e, r := splitSecond(w)
		k.curve, k.rest = max(k.curve, sumAbs(e)), max(k.rest, sumAbs(r))
		// The step into value p: from p−1 of the same frame, or from 3 of
		// the frame before.
		var prev []float64
		if p == 0 {
			prev = timeOrder(resp, 3, 1, k.reach)
		} else {
			prev = timeOrder(resp, p-1, 0, k.reach)
		}
		var f, s1 float64
		for m := range w {
			f += w[m] - prev[m]
			if m < len(w)-1 {
				s1 += math.Abs(f)
			}
		}
		k.step1, k.step0 = max(k.step1, s1), max(k.step0, math.Abs(f))
	}
	// The coefficients' own rounding, and the detector's, must never let a
	// value exceed the bound: the margins are far above float64 rounding
	// and far below anything audible.
	k.curve = k.curve*(1+1e-9) + 1e-12
	k.rest = k.rest*(1+1e-9) + 1e-12
	k.step1 = k.step1*(1+1e-9) + 1e-12
	k.step0 = k.step0*(1+1e-9) + 1e-12
	return k
}

// timeOrder returns phase p's weights of the value of a frame shift frames
// before the one it is taken for, in time order over the n frames up to
// that one: w[m] multiplies the input n−1−m frames before it.
func timeOrder(resp [4][]float64, p, shift, n int) []float64 {
	w := make([]float64, n)
	for j, v := range resp[p] {
		if m := n - 1 - (j + shift); m >= 0 && v != 0 {
			w[m] = v
		}
	}
	return w
}

func sumAbs(x []float64) (s float64) {
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// splitSecond writes w (weights in time order) as the linear
// interpolation at its centre of mass (l: weights 1−f and f on a and a+1),
// plus e * [1, −2, 1], plus a remainder r on its last two weights; it
// returns e and r. The identity holds whatever the centre; the centre of
// mass makes e and r small.
func splitSecond(w []float64) (e, r []float64) {
	var s, m float64
	for i, v := range w {
		s += v
		m += float64(i) * v
	}
	r = append([]float64(nil), w...)
	if s != 0 {
		c := m / s
		a := int(math.Floor(c))
		f := c - float64(a)
		if a >= 0 && a+1 < len(r) {
			r[a] -= 1 - f
			r[a+1] -= f
		}
	}
	if len(r) < 3 {
		return nil, r
	}
	// e is the double running sum of what the line leaves, up to the
	// third weight from the end; the rest is the remainder.
	e = make([]float64, len(r)-2)
	var s1, s2 float64
	for j := range e {
		s1 += r[j]
		s2 += s1
		e[j] = s2
	}
	for j, v := range e {
		r[j] -= v
		r[j+1] += 2 * v
		r[j+2] -= v
	}
	return e, r
}

// signed is run with the 4× values' signs kept, into y[0 : 4n], for the
// derivation of the weights.
func (d *detector4x) signed(c, n int, y []float64) {
	st := &d.ch[c]
	d.stage1(st, n, 0)
	k := d.s2.k
	odd := d.odd[:2*n]
	halfband.Interpolate(odd, st.m, d.s2.c)
	even := st.m[k-1 : k-1+len(odd)]
	for t := range odd {
		y[2*t], y[2*t+1] = even[t], odd[t]
	}
	d.advance(st, n)
}
