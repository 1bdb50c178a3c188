package fir

import "math"

// Sinc is the normalised sinc function sin(πx)/(πx), 1 at x = 0.
func Sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// BesselI0 is the zeroth-order modified Bessel function of the first kind,
// by its power series Σ ((x/2)^k / k!)², summed until a term falls below
// 1e-17 of the sum. It converges in a few dozen terms for the arguments a
// Kaiser window needs (x ≤ β ≈ 20).
func BesselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 500; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// KaiserBeta returns the Kaiser window's shape parameter β for a stopband
// attenuation in dB (Kaiser's empirical formula; see the package doc).
func KaiserBeta(attenuationDB float64) float64 {
	switch {
	case attenuationDB > 50:
		return 0.1102 * (attenuationDB - 8.7)
	case attenuationDB >= 21:
		return 0.5842*math.Pow(attenuationDB-21, 0.4) + 0.07886*(attenuationDB-21)
	}
	return 0
}

// KaiserOrder returns Kaiser's estimate of the order N (taps − 1) of a
// filter with a stopband attenuation of attenuationDB and a transition
// width of transition radians per sample: N = (A − 7.95) / (2.285·Δω).
func KaiserOrder(attenuationDB, transition float64) float64 {
	return (attenuationDB - 7.95) / (2.285 * transition)
}

// Kaiser is a Kaiser window of shape β, with I0(β) computed once.
type Kaiser struct {
	beta, i0Beta float64
}

// NewKaiser returns the Kaiser window of shape beta.
func NewKaiser(beta float64) Kaiser { return Kaiser{beta: beta, i0Beta: BesselI0(beta)} }

// At returns the window at r, the position relative to its half-width
// (−1 … 1, 0 in the centre): I0(β·√(1 − r²)) / I0(β). Beyond ±1 it returns
// the value at the edges, 1/I0(β); callers that want zero there test |r|.
func (k Kaiser) At(r float64) float64 {
	return BesselI0(k.beta*math.Sqrt(max(0, 1-r*r))) / k.i0Beta
}

// BlackmanSinc returns a low-pass of 2·half+1 taps with its cut-off at fc
// cycles per sample — the ideal response 2·fc·sinc(2·fc·t) under a Blackman
// window (0.42 − 0.5·cos + 0.08·cos of twice the angle, zero at both ends) —
// and the sum of its taps, which the caller divides by for unity gain at DC.
// A short, cheap filter with about 58 dB of stopband, for decimating
// signals that are only analysed (the alignment's coarse search), not
// listened to.
func BlackmanSinc(half int, fc float64) (h []float64, sum float64) {
	h = make([]float64, 2*half+1)
	for i := range h {
		t := float64(i - half)
		s := 2 * fc
		if t != 0 {
			s = math.Sin(2*math.Pi*fc*t) / (math.Pi * t)
		}
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(2*half)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(2*half))
		h[i] = s * w
		sum += h[i]
	}
	return h, sum
}

// LowPass returns a linear-phase low-pass (the master's rumble filter is the
// input less one, dsp/lineq's HighPass): a Kaiser-windowed sinc of
// cut-off fc cycles per sample (its −6 dB point). Kaiser's formulas size it
// for attenuationDB of stopband above fc + transition/2 and the same
// ripple (10^(−A/20), about ±0.001 dB at 80 dB) in the passband below
// fc − transition/2. The taps are odd in number and symmetric, so the
// group delay is (len−1)/2 samples at every frequency, and scaled to a DC
// gain of exactly 1.
func LowPass(fc, transition, attenuationDB float64) []float64 {
	order := int(math.Ceil(KaiserOrder(attenuationDB, 2*math.Pi*transition)))
	order += order & 1 // even: a whole-sample delay
	m := order / 2
	w := NewKaiser(KaiserBeta(attenuationDB))
	h := make([]float64, order+1)
	var sum float64
	for i := range h {
		t := float64(i - m)
		h[i] = 2 * fc * Sinc(2*fc*t) * w.At(t/float64(m))
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}
