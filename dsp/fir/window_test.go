package fir

import (
	"math"
	"testing"
)

// TestBesselI0 compares with tabulated values (Abramowitz and Stegun,
// Table 9.8, I0(x) to 10 significant figures, and e^x·e^−x·I0 forms for
// larger arguments from the same table).
func TestBesselI0(t *testing.T) {
	t.Parallel()
	const tol = 1e-9 // relative; the table gives 10 figures
	for _, c := range []struct{ x, want float64 }{
		{0, 1},
		{0.5, 1.063483371},
		{1, 1.266065878},
		{2, 2.279585302},
		{5, 27.23987182},
		{10, 2815.716628},
	} {
		if got := BesselI0(c.x); math.Abs(got-c.want) > tol*c.want {
			t.Errorf("BesselI0(%g) = %.10g, want %.10g", c.x, got, c.want)
		}
	}
}

func TestSinc(t *testing.T) {
	t.Parallel()
	const tol = 1e-15
	if Sinc(0) != 1 {
		t.Errorf("Sinc(0) = %g, want 1", Sinc(0))
	}
	for n := 1; n < 10; n++ {
		if v := Sinc(float64(n)); math.Abs(v) > tol {
			t.Errorf("Sinc(%d) = %g, want 0", n, v)
		}
	}
	if v, want := Sinc(0.5), 2/math.Pi; math.Abs(v-want) > tol {
		t.Errorf("Sinc(0.5) = %g, want 2/π = %g", v, want)
	}
}

// TestKaiserFormulas checks the formulas' branches and their continuity
// at 50 dB (where Kaiser's two fits meet to within 0.02) and at 21 dB.
func TestKaiserFormulas(t *testing.T) {
	t.Parallel()
	if b := KaiserBeta(145); math.Abs(b-0.1102*136.3) > 1e-12 {
		t.Errorf("KaiserBeta(145) = %g", b)
	}
	if b := KaiserBeta(20); b != 0 {
		t.Errorf("KaiserBeta(20) = %g, want 0 (rectangular)", b)
	}
	if lo, hi := KaiserBeta(50), KaiserBeta(50.0001); math.Abs(lo-hi) > 0.02 {
		t.Errorf("KaiserBeta jumps at 50 dB: %g → %g", lo, hi)
	}
	if b := KaiserBeta(21); b != 0 {
		t.Errorf("KaiserBeta(21) = %g, want 0", b)
	}
	// 80 dB over a transition of 0.1π rad/sample: (80 − 7.95)/(2.285·0.1π).
	if n, want := KaiserOrder(80, 0.1*math.Pi), 100.37; math.Abs(n-want) > 0.01 {
		t.Errorf("KaiserOrder(80, 0.1π) = %g, want %g", n, want)
	}
}

func TestKaiserWindow(t *testing.T) {
	t.Parallel()
	k := NewKaiser(8)
	if c := k.At(0); c != 1 {
		t.Errorf("centre = %g, want 1", c)
	}
	edge := 1 / BesselI0(8)
	for _, r := range []float64{-1, 1, 1.5} {
		if v := k.At(r); math.Abs(v-edge) > 1e-15 {
			t.Errorf("At(%g) = %g, want 1/I0(β) = %g", r, v, edge)
		}
	}
	for r := 0.0; r < 1; r += 0.01 {
		if k.At(r) != k.At(-r) {
			t.Fatalf("not symmetric at %g", r)
		}
		if k.At(r+0.01) > k.At(r) {
			t.Fatalf("not decreasing at %g", r)
		}
	}
}

// TestBlackmanSinc checks the low-pass's shape: symmetric, zero at both ends
// (the Blackman window is), its centre tap 2·fc, and, normalised by the sum,
// unity gain at DC and at least 50 dB down at twice the cut-off.
func TestBlackmanSinc(t *testing.T) {
	t.Parallel()
	const half, fc = 12, 0.15
	h, sum := BlackmanSinc(half, fc)
	if len(h) != 2*half+1 || math.Abs(h[half]-2*fc) > 1e-15 || math.Abs(h[0]) > 1e-15 || math.Abs(h[2*half]) > 1e-15 {
		t.Fatalf("taps %v", h)
	}
	for i := range half {
		if math.Abs(h[i]-h[2*half-i]) > 1e-16 { // the window's cosines round differently on each side
			t.Fatalf("not symmetric at %d", i)
		}
	}
	gain := func(f float64) float64 {
		var re, im float64
		for i, v := range h {
			re += v / sum * math.Cos(2*math.Pi*f*float64(i))
			im -= v / sum * math.Sin(2*math.Pi*f*float64(i))
		}
		return math.Hypot(re, im)
	}
	if g := gain(0); math.Abs(g-1) > 1e-12 {
		t.Errorf("DC gain %g, want 1", g)
	}
	if g := 20 * math.Log10(gain(2*fc+0.1)); g > -50 {
		t.Errorf("gain at %g = %.1f dB, want ≤ −50", 2*fc+0.1, g)
	}
}

// TestLowPass checks the linear-phase low-pass against its design as the
// master's rumble filter uses it (dsp/lineq's HighPass: the input less
// this low-pass, run there at a decimated rate): −6 dB at 20 Hz, a 20 Hz
// transition, 86 dB asked of Kaiser's formulas, which fall up to 5 dB
// short next to the band edge, here at 48 kHz. The response of the unit
// impulse less the low-pass is evaluated exactly from the taps. Symmetric
// taps make the response about the centre tap real, so the group delay is
// the same (len−1)/2 samples at every frequency; within that, the
// high-pass's stopband below 10 Hz is 80 dB down (the low-pass's passband
// ripple), its passband from 30 Hz to Nyquist is flat to the low-pass's
// stopband, and DC is gone entirely (the low-pass's DC gain is exactly 1).
func TestLowPass(t *testing.T) {
	t.Parallel()
	const rate = 48000.0
	h := LowPass(20/rate, 20/rate, 86)
	for i := range h {
		h[i] = -h[i]
	}
	h[len(h)/2]++
	n := len(h)
	if n%2 != 1 || n < 12000 || n > 14000 {
		t.Fatalf("%d taps; want an odd number near Kaiser's 13000", n)
	}
	m := n / 2
	for i := range m {
		if h[i] != h[n-1-i] {
			t.Fatalf("taps %d and %d differ (%g, %g): not linear phase", i, n-1-i, h[i], h[n-1-i])
		}
	}
	// The zero-phase response: the centre tap plus the cosine sums of the
	// symmetric pairs.
	amp := func(f float64) float64 {
		a := h[m]
		for k := 1; k <= m; k++ {
			a += 2 * h[m+k] * math.Cos(2*math.Pi*f/rate*float64(k))
		}
		return a
	}
	if a := amp(0); math.Abs(a) > 1e-12 {
		t.Errorf("DC gain %g, want 0", a)
	}
	db := func(f float64) float64 { return 20 * math.Log10(math.Abs(amp(f))) }
	for _, c := range []struct{ f, lo, hi float64 }{
		{5, -200, -80}, {10, -200, -80}, {15, -40, -20}, {20, -6.1, -5.9}, {25, -1, -0.1}, {30, -0.001, 0.001}, {40, -0.001, 0.001},
	} {
		if g := db(c.f); g < c.lo || g > c.hi {
			t.Errorf("%g Hz: %.4f dB, want %g … %g", c.f, g, c.lo, c.hi)
		}
	}
	var stop, ripple float64
	for f := 0.25; f <= 10; f += 0.25 {
		stop = max(stop, math.Abs(amp(f)))
	}
	for f := 30.0; f < rate/2; f *= math.Pow(2, 1.0/24) {
		ripple = max(ripple, math.Abs(amp(f)-1))
	}
	for f := 30.0; f < 60; f += 0.5 { // the ripple is largest next to the band edge
		ripple = max(ripple, math.Abs(amp(f)-1))
	}
	if stop > 1e-4 {
		t.Errorf("stopband (≤ 10 Hz) peaks at %.1f dB, want ≤ −80", 20*math.Log10(stop))
	}
	if ripple > 1e-4 {
		t.Errorf("passband (≥ 30 Hz) ripple %.5f dB, want ≤ 0.0009", 20*math.Log10(1+ripple))
	}
	t.Logf("%d taps (delay %d samples, %.1f ms); 10 Hz %.1f dB, 15 Hz %.1f dB, 20 Hz %.2f dB, 30 Hz %.5f dB, 40 Hz %.5f dB; stopband %.1f dB, ripple ±%.5f dB",
		n, m, float64(m)/rate*1000, db(10), db(15), db(20), db(30), db(40), 20*math.Log10(stop), 20*math.Log10(1+ripple))
}
