package biquad

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Coefficients of one normalised second-order section (a0 = 1):
//
//	H(z) = (B0 + B1·z⁻¹ + B2·z⁻²) / (1 + A1·z⁻¹ + A2·z⁻²)
//
// A first-order section has B2 = A2 = 0.
type Coefficients struct {
	B0, B1, B2, A1, A2 float64
}

// Identity is the section that passes its input unchanged.
var Identity = Coefficients{B0: 1}

// Response returns H(e^{jω}) at frequency f (Hz) for sample rate fs.
func (c Coefficients) Response(f, fs float64) complex128 {
	w := 2 * math.Pi * f / fs
	z1 := cmplx.Rect(1, -w) // z⁻¹
	z2 := z1 * z1
	num := complex(c.B0, 0) + complex(c.B1, 0)*z1 + complex(c.B2, 0)*z2
	den := 1 + complex(c.A1, 0)*z1 + complex(c.A2, 0)*z2
	return num / den
}

// Magnitude returns |H| (linear) at frequency f (Hz) for sample rate fs.
func (c Coefficients) Magnitude(f, fs float64) float64 { return cmplx.Abs(c.Response(f, fs)) }

// MagnitudeDB returns 20·log10|H| at frequency f (Hz) for sample rate fs.
func (c Coefficients) MagnitudeDB(f, fs float64) float64 { return 20 * math.Log10(c.Magnitude(f, fs)) }

// Cascade is a series of sections; its response is their product.
type Cascade []Coefficients

// Response returns the product of the sections' responses at f (Hz) for rate fs.
func (cs Cascade) Response(f, fs float64) complex128 {
	h := complex(1, 0)
	for _, c := range cs {
		h *= c.Response(f, fs)
	}
	return h
}

// Magnitude returns |H| of the cascade at f (Hz) for sample rate fs.
func (cs Cascade) Magnitude(f, fs float64) float64 { return cmplx.Abs(cs.Response(f, fs)) }

// MagnitudeDB returns 20·log10|H| of the cascade at f (Hz) for sample rate fs.
func (cs Cascade) MagnitudeDB(f, fs float64) float64 {
	return 20 * math.Log10(cs.Magnitude(f, fs))
}

// cookbook holds the intermediate variables of the Audio EQ Cookbook.
type cookbook struct {
	cosw, alpha float64
	oneMinusCos float64 // 1 − cos ω0, computed as 2·sin²(ω0/2) to keep low-frequency precision
}

func newCookbook(fs, f0, q float64) cookbook {
	w0 := 2 * math.Pi * f0 / fs
	sinHalf := math.Sin(w0 / 2)
	return cookbook{
		cosw:        math.Cos(w0),
		alpha:       math.Sin(w0) / (2 * q),
		oneMinusCos: 2 * sinHalf * sinHalf,
	}
}

// normalise divides by a0.
func normalise(b0, b1, b2, a0, a1, a2 float64) Coefficients {
	return Coefficients{B0: b0 / a0, B1: b1 / a0, B2: b2 / a0, A1: a1 / a0, A2: a2 / a0}
}

// checkDesign panics on arguments no validated Band can produce.
func checkDesign(name string, fs, f0, q float64) {
	if !(fs > 0) || !(f0 > 0) || !(f0 < fs/2) || !(q > 0) || math.IsInf(fs, 0) || math.IsInf(q, 0) {
		panic(fmt.Sprintf("biquad: %s(fs=%g, f0=%g, q=%g): need fs > 0, 0 < f0 < fs/2, q > 0", name, fs, f0, q))
	}
}

// LowPass returns the cookbook LPF: H(s) = 1 / (s² + s/Q + 1).
func LowPass(fs, f0, q float64) Coefficients {
	checkDesign("LowPass", fs, f0, q)
	k := newCookbook(fs, f0, q)
	return normalise(k.oneMinusCos/2, k.oneMinusCos, k.oneMinusCos/2, 1+k.alpha, -2*k.cosw, 1-k.alpha)
}

// HighPass returns the cookbook HPF: H(s) = s² / (s² + s/Q + 1).
func HighPass(fs, f0, q float64) Coefficients {
	checkDesign("HighPass", fs, f0, q)
	k := newCookbook(fs, f0, q)
	onePlusCos := 1 + k.cosw
	return normalise(onePlusCos/2, -onePlusCos, onePlusCos/2, 1+k.alpha, -2*k.cosw, 1-k.alpha)
}

// BandPass returns the cookbook BPF with constant 0 dB peak gain:
// H(s) = (s/Q) / (s² + s/Q + 1).
func BandPass(fs, f0, q float64) Coefficients {
	checkDesign("BandPass", fs, f0, q)
	k := newCookbook(fs, f0, q)
	return normalise(k.alpha, 0, -k.alpha, 1+k.alpha, -2*k.cosw, 1-k.alpha)
}

// Notch returns the cookbook notch: H(s) = (s² + 1) / (s² + s/Q + 1).
func Notch(fs, f0, q float64) Coefficients {
	checkDesign("Notch", fs, f0, q)
	k := newCookbook(fs, f0, q)
	return normalise(1, -2*k.cosw, 1, 1+k.alpha, -2*k.cosw, 1-k.alpha)
}

// Peak returns the cookbook peaking EQ of gainDB at f0:
// H(s) = (s² + s·A/Q + 1) / (s² + s/(A·Q) + 1), A = 10^(gainDB/40).
func Peak(fs, f0, q, gainDB float64) Coefficients {
	checkDesign("Peak", fs, f0, q)
	k := newCookbook(fs, f0, q)
	a := math.Pow(10, gainDB/40)
	return normalise(1+k.alpha*a, -2*k.cosw, 1-k.alpha*a, 1+k.alpha/a, -2*k.cosw, 1-k.alpha/a)
}

// LowShelf returns the cookbook low shelf of gainDB below f0 (Q = 0.7071 is
// the steepest shelf without overshoot):
// H(s) = A·(s² + (√A/Q)·s + A) / (A·s² + (√A/Q)·s + 1), A = 10^(gainDB/40).
func LowShelf(fs, f0, q, gainDB float64) Coefficients {
	checkDesign("LowShelf", fs, f0, q)
	return shelf(newCookbook(fs, f0, q), gainDB, 1)
}

// HighShelf returns the cookbook high shelf of gainDB above f0:
// H(s) = A·(A·s² + (√A/Q)·s + 1) / (s² + (√A/Q)·s + A), A = 10^(gainDB/40).
func HighShelf(fs, f0, q, gainDB float64) Coefficients {
	checkDesign("HighShelf", fs, f0, q)
	return shelf(newCookbook(fs, f0, q), gainDB, -1)
}

// shelf is the cookbook shelf, low for s = 1 and high for s = -1: the high
// shelf is the low one with cos ω negated (ω → π − ω) and z → −z, which
// flips the sign of b1 and a1. Multiplying by ±1 is exact, so each form
// rounds as the cookbook's own formula does.
func shelf(k cookbook, gainDB, s float64) Coefficients {
	a := math.Pow(10, gainDB/40)
	sa := 2 * math.Sqrt(a) * k.alpha
	ap1, am1 := a+1, a-1
	c := s * k.cosw
	return normalise(
		a*(ap1-am1*c+sa),
		2*s*a*(am1-ap1*c),
		a*(ap1-am1*c-sa),
		ap1+am1*c+sa,
		-2*s*(am1+ap1*c),
		ap1+am1*c-sa,
	)
}

// LowPass1 returns a first-order low-pass (6 dB/oct), the bilinear
// transform of H(s) = 1 / (s + 1) with the cutoff prewarped to f0.
func LowPass1(fs, f0 float64) Coefficients {
	checkDesign("LowPass1", fs, f0, 1)
	k := math.Tan(math.Pi * f0 / fs)
	return Coefficients{B0: k / (1 + k), B1: k / (1 + k), A1: (k - 1) / (k + 1)}
}

// HighPass1 returns a first-order high-pass (6 dB/oct), the bilinear
// transform of H(s) = s / (s + 1) with the cutoff prewarped to f0.
func HighPass1(fs, f0 float64) Coefficients {
	checkDesign("HighPass1", fs, f0, 1)
	k := math.Tan(math.Pi * f0 / fs)
	return Coefficients{B0: 1 / (1 + k), B1: -1 / (1 + k), A1: (k - 1) / (k + 1)}
}

// ButterworthQ returns the Qs of the second-order sections of an order-n
// Butterworth filter, Q_k = 1 / (2·cos((2k−1)·π / (2n))), k = 1…n/2, in
// ascending order (an odd order adds one first-order section, not listed).
func ButterworthQ(n int) []float64 {
	qs := make([]float64, 0, n/2)
	for k := 1; k <= n/2; k++ {
		qs = append(qs, 1/(2*math.Cos(float64(2*k-1)*math.Pi/float64(2*n))))
	}
	return qs
}

// ButterworthLowPass appends to dst the sections of an order-n Butterworth
// low-pass (6·n dB/oct, −3.01 dB at f0) and returns the extended slice.
func ButterworthLowPass(dst Cascade, fs, f0 float64, n int) Cascade {
	return butterworth(dst, fs, f0, n, LowPass, LowPass1)
}

// ButterworthHighPass appends to dst the sections of an order-n Butterworth
// high-pass (6·n dB/oct, −3.01 dB at f0) and returns the extended slice.
func ButterworthHighPass(dst Cascade, fs, f0 float64, n int) Cascade {
	return butterworth(dst, fs, f0, n, HighPass, HighPass1)
}

func butterworth(dst Cascade, fs, f0 float64, n int,
	second func(fs, f0, q float64) Coefficients, first func(fs, f0 float64) Coefficients) Cascade {
	if n < 1 || n > 16 {
		panic(fmt.Sprintf("biquad: Butterworth order %d outside 1…16", n))
	}
	for _, q := range ButterworthQ(n) {
		dst = append(dst, second(fs, f0, q))
	}
	if n%2 == 1 {
		dst = append(dst, first(fs, f0))
	}
	return dst
}

// LinkwitzRileyLowPass appends to dst an order-n Linkwitz-Riley low-pass
// (n even; 6·n dB/oct, −6.02 dB at f0): the square of an order-n/2
// Butterworth low-pass. Two first-order halves (n = 2) are merged into one
// section, which equals the cookbook LPF with Q = 0.5.
func LinkwitzRileyLowPass(dst Cascade, fs, f0 float64, n int) Cascade {
	return linkwitzRiley(dst, fs, f0, n, ButterworthLowPass)
}

// LinkwitzRileyHighPass appends to dst an order-n Linkwitz-Riley high-pass
// (n even), the square of an order-n/2 Butterworth high-pass. It is not
// polarity-inverted (see the package doc for the sum with the low-pass).
func LinkwitzRileyHighPass(dst Cascade, fs, f0 float64, n int) Cascade {
	return linkwitzRiley(dst, fs, f0, n, ButterworthHighPass)
}

func linkwitzRiley(dst Cascade, fs, f0 float64, n int, bw func(Cascade, float64, float64, int) Cascade) Cascade {
	if n < 2 || n%2 != 0 || n > 16 {
		panic(fmt.Sprintf("biquad: Linkwitz-Riley order %d is not even in 2…16", n))
	}
	half := bw(nil, fs, f0, n/2)
	start := len(dst)
	dst = append(dst, half...)
	dst = append(dst, half...)
	if (n/2)%2 == 1 {
		// Each half ends with the same first-order section; multiply the
		// two into one second-order section.
		f := half[len(half)-1]
		merged := Coefficients{
			B0: f.B0 * f.B0, B1: 2 * f.B0 * f.B1, B2: f.B1 * f.B1,
			A1: 2 * f.A1, A2: f.A1 * f.A1,
		}
		out := dst[:start]
		out = append(out, half[:len(half)-1]...)
		out = append(out, half[:len(half)-1]...)
		return append(out, merged)
	}
	return dst
}

// AllPass returns the cookbook all-pass: H(s) = (s² − s/Q + 1) / (s² + s/Q + 1).
// With Q = 1/√2 it is the sum of the Linkwitz-Riley LR4 low- and high-pass
// at f0 (Butterworth² each: (1 + s⁴)/(s² + √2·s + 1)²), the phase a
// crossover band must be given to sum flat with the bands split at f0.
func AllPass(fs, f0, q float64) Coefficients {
	checkDesign("AllPass", fs, f0, q)
	k := newCookbook(fs, f0, q)
	return normalise(1-k.alpha, -2*k.cosw, 1+k.alpha, 1+k.alpha, -2*k.cosw, 1-k.alpha)
}
