package biquad

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"
)

// magTolDB is the tolerance between the coefficients' magnitude and
// the analytic formula.
const magTolDB = 0.01

var testRates = []float64{44100, 48000, 88200, 96000, 176400, 192000}

// logFreqs returns n log-spaced frequencies from lo to hi inclusive.
func logFreqs(lo, hi float64, n int) []float64 {
	fs := make([]float64, n)
	for i := range fs {
		fs[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return fs
}

// warped is Ω, the analog frequency (normalised to the prewarped f0) that
// the bilinear transform maps to digital frequency f: tan(πf/fs)/tan(πf0/fs).
// Every cookbook filter is the bilinear transform of its analog prototype with
// f0 prewarped (RBJ, "Cookbook formulae", section on the BLT), so
// |H_digital(f)| = |H_analog(jΩ)| exactly.
func warped(f, f0, fs float64) float64 {
	return math.Tan(math.Pi*f/fs) / math.Tan(math.Pi*f0/fs)
}

// analog returns the analytic magnitude of a band's analog prototype at
// s = jΩ. These are the cookbook's H(s) (and the Butterworth / Linkwitz-Riley
// power responses), written independently of the coefficient code.
func analog(b Band, w float64) float64 {
	s := complex(0, w)
	q := complex(b.Q, 0)
	A := complex(math.Pow(10, b.GainDB/40), 0)
	sqA := cmplx.Sqrt(A)
	n := float64(b.slope() / 6) // filter order
	switch b.Type {
	case TypeLowPass:
		if b.slope() == 12 {
			return cmplx.Abs(1 / (s*s + s/q + 1))
		}
		return 1 / math.Sqrt(1+math.Pow(w, 2*n)) // Butterworth: |H|² = 1/(1+Ω²ⁿ)
	case TypeHighPass:
		if b.slope() == 12 {
			return cmplx.Abs(s * s / (s*s + s/q + 1))
		}
		return 1 / math.Sqrt(1+math.Pow(w, -2*n))
	case TypeLRLowPass:
		return 1 / (1 + math.Pow(w, n)) // square of Butterworth of order n/2
	case TypeLRHighPass:
		return 1 / (1 + math.Pow(w, -n))
	case TypeBandPass:
		return cmplx.Abs((s / q) / (s*s + s/q + 1))
	case TypeNotch:
		return cmplx.Abs((s*s + 1) / (s*s + s/q + 1))
	case TypePeak:
		return cmplx.Abs((s*s + s*A/q + 1) / (s*s + s/(A*q) + 1))
	case TypeLowShelf:
		return cmplx.Abs(A * (s*s + sqA/q*s + A) / (A*s*s + sqA/q*s + 1))
	case TypeHighShelf:
		return cmplx.Abs(A * (A*s*s + sqA/q*s + 1) / (s*s + sqA/q*s + A))
	}
	panic("no analytic formula for " + b.Type)
}

// designBands covers every type and slope; frequencies are relative to fs
// where negative (−0.4 means 0.4·fs) so the table runs at every rate.
var designBands = []Band{
	{Type: TypePeak, FreqHz: 1000, GainDB: 6, Q: 1},
	{Type: TypePeak, FreqHz: 10, GainDB: -12, Q: 4},
	{Type: TypePeak, FreqHz: -0.45, GainDB: 9, Q: 0.5},
	{Type: TypeLowShelf, FreqHz: 100, GainDB: 6, Q: 0.7071},
	{Type: TypeLowShelf, FreqHz: 10, GainDB: -15, Q: 1.2},
	{Type: TypeHighShelf, FreqHz: 8000, GainDB: -4, Q: 0.7071},
	{Type: TypeHighShelf, FreqHz: -0.45, GainDB: 12, Q: 0.5},
	{Type: TypeHighPass, FreqHz: 10, Q: 0.7071},
	{Type: TypeHighPass, FreqHz: 80, Q: 2},
	{Type: TypeHighPass, FreqHz: 30, Slope: 6},
	{Type: TypeHighPass, FreqHz: 30, Slope: 24},
	{Type: TypeHighPass, FreqHz: 10, Slope: 48},
	{Type: TypeLowPass, FreqHz: 5000, Q: 0.5},
	{Type: TypeLowPass, FreqHz: -0.45, Q: 0.7071},
	{Type: TypeLowPass, FreqHz: 12000, Slope: 6},
	{Type: TypeLowPass, FreqHz: 16000, Slope: 24},
	{Type: TypeLowPass, FreqHz: 18000, Slope: 48},
	{Type: TypeBandPass, FreqHz: 2000, Q: 3},
	{Type: TypeBandPass, FreqHz: 10, Q: 0.7},
	{Type: TypeNotch, FreqHz: 50, Q: 10},
	{Type: TypeNotch, FreqHz: -0.4, Q: 1},
	{Type: TypeLRHighPass, FreqHz: 120, Slope: 12},
	{Type: TypeLRHighPass, FreqHz: 120, Slope: 24},
	{Type: TypeLRLowPass, FreqHz: 2500, Slope: 48},
	{Type: TypeLRLowPass, FreqHz: 10, Slope: 24},
}

func atRate(b Band, fs float64) Band {
	if b.FreqHz < 0 {
		b.FreqHz = -b.FreqHz * fs
	}
	return b
}

func (b Band) String() string {
	return fmt.Sprintf("%s/%gHz/%+gdB/Q%g/slope%d", b.Type, b.FreqHz, b.GainDB, b.Q, b.Slope)
}

// TestMagnitudeMatchesAnalogPrototype compares Cascade.MagnitudeDB at 40
// log-spaced frequencies from 10 Hz to 0.45·fs with the analog prototype's
// magnitude at the bilinear-warped frequency.
func TestMagnitudeMatchesAnalogPrototype(t *testing.T) {
	t.Parallel()
	for _, fs := range testRates {
		for _, b0 := range designBands {
			b := atRate(b0, fs)
			t.Run(fmt.Sprintf("%g/%v", fs, b), func(t *testing.T) {
				cs := b.Sections(nil, fs)
				for _, c := range cs {
					if !stable(c) {
						t.Fatalf("unstable section %+v", c)
					}
				}
				for _, f := range logFreqs(10, 0.45*fs, 40) {
					got := cs.MagnitudeDB(f, fs)
					want := 20 * math.Log10(analog(b, warped(f, b.FreqHz, fs)))
					if want < -200 {
						// Deep stop band: compare linear magnitudes absolutely.
						if d := math.Abs(math.Pow(10, got/20) - math.Pow(10, want/20)); !(d <= 1e-10) {
							t.Errorf("f=%.2f Hz: |H| %g vs %g", f, math.Pow(10, got/20), math.Pow(10, want/20))
						}
						continue
					}
					if !(math.Abs(got-want) <= magTolDB) {
						t.Errorf("f=%.2f Hz: %.5f dB, analytic %.5f dB", f, got, want)
					}
				}
			})
		}
	}
}

// TestCornerValues checks textbook values at f0 (RBJ cookbook definitions):
// peak and shelf gains, −3.01 dB Butterworth and −6.02 dB Linkwitz-Riley
// corners, 0 dB band-pass peak, and Q = 1/√2 for the second-order Butterworth.
func TestCornerValues(t *testing.T) {
	t.Parallel()
	const fs, f0 = 48000.0, 1000.0
	tests := []struct {
		name string
		cs   Cascade
		f    float64
		want float64 // dB
	}{
		{"peak +6 at f0", Cascade{Peak(fs, f0, 1, 6)}, f0, 6},
		{"peak −9 at f0", Cascade{Peak(fs, f0, 2, -9)}, f0, -9},
		{"low shelf +6 at DC", Cascade{LowShelf(fs, f0, 0.7071, 6)}, 1e-3, 6},
		{"low shelf +6 midpoint", Cascade{LowShelf(fs, f0, 0.7071, 6)}, f0, 3},
		{"high shelf −8 near Nyquist", Cascade{HighShelf(fs, f0, 0.7071, -8)}, fs / 2 * 0.99999, -8},
		{"high shelf −8 midpoint", Cascade{HighShelf(fs, f0, 0.7071, -8)}, f0, -4},
		{"band-pass 0 dB peak", Cascade{BandPass(fs, f0, 5)}, f0, 0},
		{"BW2 corner", ButterworthLowPass(nil, fs, f0, 2), f0, -10 * math.Log10(2)},
		{"BW4 corner", ButterworthHighPass(nil, fs, f0, 4), f0, -10 * math.Log10(2)},
		{"BW8 corner", ButterworthLowPass(nil, fs, f0, 8), f0, -10 * math.Log10(2)},
		{"BW1 corner", ButterworthHighPass(nil, fs, f0, 1), f0, -10 * math.Log10(2)},
		{"LR2 corner", LinkwitzRileyLowPass(nil, fs, f0, 2), f0, -20 * math.Log10(2)},
		{"LR4 corner", LinkwitzRileyHighPass(nil, fs, f0, 4), f0, -20 * math.Log10(2)},
		{"LR8 corner", LinkwitzRileyLowPass(nil, fs, f0, 8), f0, -20 * math.Log10(2)},
		{"LP DC gain", Cascade{LowPass(fs, 10, 0.7071)}, 1e-4, 0},
		{"HP Nyquist gain", Cascade{HighPass(fs, 20000, 0.7071)}, fs / 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cs.MagnitudeDB(tt.f, fs); !(math.Abs(got-tt.want) <= magTolDB) {
				t.Errorf("%.5f dB, want %.5f", got, tt.want)
			}
		})
	}
	// Butterworth pole Qs, from 1/(2cos((2k−1)π/2n)) (tabulated in every
	// filter handbook: 0.7071; 0.5412, 1.3066; 0.5098, 0.6013, 0.9000, 2.5629).
	wantQ := map[int][]float64{2: {0.70711}, 4: {0.54120, 1.30656}, 8: {0.50980, 0.60134, 0.89998, 2.56292}}
	for n, want := range wantQ {
		got := ButterworthQ(n)
		for i := range want {
			if !(math.Abs(got[i]-want[i]) <= 1e-5) {
				t.Errorf("ButterworthQ(%d)[%d] = %.5f, want %.5f", n, i, got[i], want[i])
			}
		}
	}
}

// stable reports whether both poles of c lie strictly inside the unit
// circle (the stability triangle |A2| < 1, |A1| < 1 + A2).
func stable(c Coefficients) bool {
	return math.Abs(c.A2) < 1 && math.Abs(c.A1) < 1+c.A2
}

// crossoverSumSign is the sign s for which LP + s·HP of an order-n
// Linkwitz-Riley pair is an all-pass of unit magnitude (the package doc):
// +1 when n is a multiple of 4 (LR4, LR8), −1 otherwise (LR2, LR6).
func crossoverSumSign(n int) float64 {
	if n%4 == 0 {
		return 1
	}
	return -1
}

// TestLinkwitzRileySumsFlat checks that LP + s·HP (s = crossoverSumSign) is
// an all-pass: |LP + s·HP| = 0 dB at every frequency, for LR2, LR4, LR8, and
// that LR2 summed with the wrong sign has its null at f0.
func TestLinkwitzRileySumsFlat(t *testing.T) {
	t.Parallel()
	for _, fs := range []float64{44100, 96000, 192000} {
		for _, n := range []int{2, 4, 8} {
			for _, f0 := range []float64{10, 120, 2500, 0.4 * fs} {
				t.Run(fmt.Sprintf("LR%d/%g/%g", n, fs, f0), func(t *testing.T) {
					lp := LinkwitzRileyLowPass(nil, fs, f0, n)
					hp := LinkwitzRileyHighPass(nil, fs, f0, n)
					sign := complex(crossoverSumSign(n), 0)
					for _, f := range logFreqs(10, 0.45*fs, 40) {
						sum := lp.Response(f, fs) + sign*hp.Response(f, fs)
						if db := 20 * math.Log10(cmplx.Abs(sum)); !(math.Abs(db) <= magTolDB) {
							t.Errorf("f=%.1f: |LP%+gHP| = %.5f dB", f, real(sign), db)
						}
					}
				})
			}
		}
	}
	const fs, f0 = 48000.0, 1000.0
	lp, hp := LinkwitzRileyLowPass(nil, fs, f0, 2), LinkwitzRileyHighPass(nil, fs, f0, 2)
	if wrong := cmplx.Abs(lp.Response(f0, fs) + hp.Response(f0, fs)); wrong > 1e-9 {
		t.Errorf("LR2 LP+HP at f0 = %g, want a null", wrong)
	}
}

// TestPhase checks the phase of the response against known values: a
// second-order low-pass lags 90° at f0 and a peak filter is zero-phase at
// f0 (the analog prototypes' phase at Ω = 1, preserved by the bilinear
// transform).
func TestPhase(t *testing.T) {
	t.Parallel()
	const fs, tol = 48000.0, 1e-9
	if got := cmplx.Phase(LowPass(fs, 3000, 0.9).Response(3000, fs)); !(math.Abs(got+math.Pi/2) <= tol) {
		t.Errorf("LPF phase at f0 = %g rad, want −π/2", got)
	}
	if got := cmplx.Phase(HighPass(fs, 3000, 0.9).Response(3000, fs)); !(math.Abs(got-math.Pi/2) <= tol) {
		t.Errorf("HPF phase at f0 = %g rad, want +π/2", got)
	}
	if got := cmplx.Phase(Peak(fs, 3000, 2, 6).Response(3000, fs)); !(math.Abs(got) <= tol) {
		t.Errorf("peak phase at f0 = %g rad, want 0", got)
	}
}
