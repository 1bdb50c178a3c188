package resample

import (
	"math"

	"stemmaster/dsp/fir"
)

// Design targets, the mastering requirements of a delivery converter:
// ≤ 0.01 dB ripple to 20 kHz when the output rate is 44.1 kHz or more, and
// ≥ 140 dB rejection of everything that would alias or image.
const (
	// StopbandDB is the attenuation the Kaiser formulas are sized for. It is
	// a little above 140 dB so the measured rejection clears 140 dB with
	// margin (the Kaiser formulas are empirical fits, good to about 1 dB).
	StopbandDB = 145.0
	// passbandFraction places the passband edge at this fraction of the
	// lower Nyquist frequency: 20 kHz / 22.05 kHz for CD rate, scaled
	// proportionally for every other pair of rates.
	passbandFraction = 20000.0 / 22050.0
	// maxTable caps the polyphase table (float64 coefficients, 8 bytes
	// each). A ratio whose exact table would exceed it (L·taps > maxTable,
	// e.g. 44100 → 44101 Hz) uses a table of maxTable/taps phases and
	// interpolates linearly between neighbouring phases.
	maxTable = 1 << 21
	// transitionStretch widens the transition band the Kaiser formulas are
	// sized for, beyond [passband edge, stopband edge], by moving its lower
	// end below the passband edge. The window gives the same tiny ripple
	// (1e-7) in both bands, far flatter than the 0.01 dB asked of the
	// passband, so the passband edge may sit a little inside the formula's
	// transition: at 1.1 the droop at 20 kHz is about 0.002 dB (measured by
	// TestPassbandRippleOfEveryPhase) and the filter is 9 % shorter. At 1.2
	// the droop reaches 0.025 dB.
	transitionStretch = 1.1
)

// design is the continuous impulse response of the anti-alias/anti-image
// filter, g(t), with t in input samples: a sinc of cutoff fc (cycles per
// input sample) under a Kaiser window of half-width halfWidth samples, its
// shape and length from Kaiser's formulas for StopbandDB (package fir).
type design struct {
	fc        float64 // cutoff, cycles per input sample
	window    fir.Kaiser
	halfWidth float64 // window is zero at |t| ≥ halfWidth
	taps      int     // taps per phase (= 2·halfWidth)
}

// newDesign sizes the filter for converting inRate to outRate.
func newDesign(inRate, outRate int) design {
	fin := float64(inRate)
	stop := float64(min(inRate, outRate)) / 2 // lower Nyquist: everything above must go
	pass := stop * passbandFraction
	width := transitionStretch * (stop - pass)
	fc := (stop - width/2) / fin
	dw := 2 * math.Pi * width / fin
	taps := int(math.Ceil(fir.KaiserOrder(StopbandDB, dw)))
	taps = (taps + 3) &^ 3 // a multiple of 4 for the unrolled dot products
	return design{fc: fc, window: fir.NewKaiser(fir.KaiserBeta(StopbandDB)), halfWidth: float64(taps) / 2, taps: taps}
}

// at evaluates g(t). Its integral over t is 1, so sampled at unit spacing it
// has unity gain at DC for every phase (to within the stopband ripple).
func (d design) at(t float64) float64 {
	u := t / d.halfWidth
	if u <= -1 || u >= 1 {
		return 0
	}
	return 2 * d.fc * fir.Sinc(2*d.fc*t) * d.window.At(u)
}

// table builds the polyphase coefficient rows for phases p/phases,
// p = 0…rows−1, row p starting at p·d.stride(). Row p, tap j multiplies
// input sample s+j where s is the first sample of the window, so
// row[p][j] = g(K/2 − 1 − j + p/phases).
func (d design) table(phases, rows int) []float64 {
	k, stride := d.taps, d.stride()
	t := make([]float64, rows*stride)
	for p := range rows {
		frac := float64(p) / float64(phases)
		row := t[p*stride : p*stride+k]
		for j := range row {
			row[j] = d.at(float64(k/2-1-j) + frac)
		}
	}
	return t
}

// stride is the distance between the table's rows: the taps rounded up to
// 8 float64s, so that every row starts on a 64-byte boundary of the table
// (which is that aligned, being large) and the kernel's loads of it do not
// straddle cache lines.
func (d design) stride() int { return (d.taps + 7) &^ 7 }
