package dither

import (
	"errors"
	"math"
	"math/cmplx"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

func prepared(t testing.TB, bits int, seed uint64, shaping bool, rate float64, channels int) *Ditherer {
	t.Helper()
	d, err := New(bits, seed, shaping)
	if err != nil {
		t.Fatal(err)
	}
	d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: channels})
	return d
}

// quantise runs src (cloned) through d in blocks of 4096 frames.
func quantise(d *Ditherer, src *audio.Buffer) *audio.Buffer {
	return processBlocks(d, src, []int{4096})
}

// errorLSB returns (out − in) of channel 0 in LSB of a bits-bit grid.
func errorLSB(out, in *audio.Buffer, bits int) []float64 {
	q := math.Ldexp(1, bits-1)
	e := make([]float64, out.Frames())
	for i := range e {
		e[i] = (float64(out.Data[0][i]) - float64(in.Data[0][i])) * q
	}
	return e
}

// periodogram returns the average of |X_k|²/Σw² over consecutive blocks of
// n samples under a 4-term Blackman-Harris window (−92 dB sidelobes, so the
// +27 dB shaped noise near Nyquist does not leak into the −25 dB notch),
// for k = 0…n/2. White noise of variance σ² reads σ² in every bin.
func periodogram(x []float64, n int) []float64 {
	fft := fourier.NewFFT(n)
	w := make([]float64, n)
	var sw2 float64
	for i := range w {
		a := 2 * math.Pi * float64(i) / float64(n)
		w[i] = 0.35875 - 0.48829*math.Cos(a) + 0.14128*math.Cos(2*a) - 0.01168*math.Cos(3*a)
		sw2 += w[i] * w[i]
	}
	p := make([]float64, n/2+1)
	seq := make([]float64, n)
	var coef []complex128
	blocks := 0
	for off := 0; off+n <= len(x); off += n {
		for i := range seq {
			seq[i] = x[off+i] * w[i]
		}
		coef = fft.Coefficients(coef, seq)
		for k, c := range coef {
			p[k] += real(c)*real(c) + imag(c)*imag(c)
		}
		blocks++
	}
	for k := range p {
		p[k] /= float64(blocks) * sw2
	}
	return p
}

// bandMean averages p over the bins whose centre frequency lies in [lo, hi).
func bandMean(p []float64, rate, lo, hi float64) float64 {
	n := 2 * (len(p) - 1)
	var s float64
	var c int
	for k := 1; k < len(p); k++ {
		if f := float64(k) * rate / float64(n); f >= lo && f < hi {
			s += p[k]
			c++
		}
	}
	return s / float64(c)
}

func db10(p float64) float64 { return 10 * math.Log10(p) }

func TestNewRejectsBadBits(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{0, 7, 25, 32} {
		_, err := New(bits, 1, false)
		var be *BitsError
		if !errors.As(err, &be) || be.Bits != bits {
			t.Errorf("New(%d) error = %v, want a BitsError", bits, err)
		}
	}
}

// Every output sample is a code k/2^(bits−1) with k an integer inside the
// word length: the contract with the integer encoders.
func TestOutputOnGrid(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{16, 20, 24} {
		for _, shaping := range []bool{false, true} {
			d := prepared(t, bits, 9, shaping, 44100, 2)
			src := audiotest.WhiteNoise(3, 2, 20000, 0.5) // peaks beyond full scale: clipping too
			out := quantise(d, src)
			q := math.Ldexp(1, bits-1)
			for c := range out.Data {
				for i, v := range out.Data[c] {
					k := float64(v) * q
					if k != math.Trunc(k) || k < -q || k > q-1 {
						t.Fatalf("%d-bit shaping=%v: sample %d = %g is not a code (k = %g)", bits, shaping, i, v, k)
					}
				}
			}
		}
	}
}

// Without shaping the total error (rounding + TPDF dither) is white with
// variance LSB²/4 (Lipshitz, Wannamaker & Vanderkooy 1992: LSB²/12 from
// rounding plus LSB²/6 from the dither): every one of 16 equal bands is
// within 1 dB of that, and the total within 0.1 dB.
func TestFlatDitherIsWhite(t *testing.T) {
	t.Parallel()
	const bandTolDB = 1.0
	const totalTolDB = 0.1 // 2^18 samples estimate a variance to ±0.01 dB (1σ)
	const want = 0.25      // LSB², theory above
	d := prepared(t, 16, 1, false, 48000, 1)
	src := audiotest.GaussianNoise(2, 1, 1<<18, -50)
	e := errorLSB(quantise(d, src), src, 16)
	var v float64
	for _, x := range e {
		v += x * x
	}
	v /= float64(len(e))
	if got := db10(v / want); math.Abs(got) > totalTolDB {
		t.Errorf("error variance %.4f LSB², %.3f dB from %.2f", v, got, want)
	}
	p := periodogram(e, 1024)
	for b := range 16 {
		lo, hi := float64(b)*1500, float64(b+1)*1500
		if got := db10(bandMean(p, 48000, lo, hi) / want); math.Abs(got) > bandTolDB {
			t.Errorf("band %g–%g Hz: %.2f dB from white", lo, hi, got)
		}
	}
}

// harmonics returns the level (dBFS, as a sine's peak) of 1 kHz and its
// harmonics 2…10 in x (48 kHz), averaging the power over 1 s blocks: 1 kHz
// falls exactly on a bin.
func harmonics(x []float32) [11]float64 {
	const n = 48000
	fft := fourier.NewFFT(n)
	seq := make([]float64, n)
	var coef []complex128
	var pow [11]float64
	blocks := 0
	for off := 0; off+n <= len(x); off += n {
		for i := range seq {
			seq[i] = float64(x[off+i])
		}
		coef = fft.Coefficients(coef, seq)
		for h := 1; h <= 10; h++ {
			a := 2 * cmplx.Abs(coef[h*1000]) / n
			pow[h] += a * a
		}
		blocks++
	}
	var lv [11]float64
	for h := 1; h <= 10; h++ {
		lv[h] = db10(pow[h] / float64(blocks))
	}
	return lv
}

// A −100 dBFS 1 kHz sine (a third of a 16-bit LSB) quantised to 16 bits
// with TPDF dither keeps its level and has no harmonic above −130 dBFS
// ; quantised by truncation, the same sine becomes a 1-LSB square
// wave whose 3rd harmonic sits near −104 dBFS, so the measurement can see
// what dither removes.
func TestDitherRemovesTruncationHarmonics(t *testing.T) {
	t.Parallel()
	const limitDBFS = -130.0
	const levelTolDB = 0.5 // the fundamental among noise at −137 dBFS per bin
	src := audiotest.Sine(48000, 1, 16*48000, 1000, -100, 0)

	d := prepared(t, 16, 42, false, 48000, 1)
	lv := harmonics(quantise(d, src).Data[0])
	if math.Abs(lv[1] - -100) > levelTolDB {
		t.Errorf("dithered fundamental at %.2f dBFS, want −100", lv[1])
	}
	for h := 2; h <= 10; h++ {
		if lv[h] > limitDBFS {
			t.Errorf("dithered: harmonic %d at %.1f dBFS, above %.0f", h, lv[h], limitDBFS)
		}
	}

	trunc := src.Clone()
	for i, v := range trunc.Data[0] {
		trunc.Data[0][i] = float32(math.Floor(float64(v)*32768) / 32768)
	}
	lt := harmonics(trunc.Data[0])
	worst := math.Inf(-1)
	for h := 2; h <= 10; h++ {
		worst = max(worst, lt[h])
	}
	t.Logf("dithered harmonics %.1f … ; truncated: worst harmonic %.1f dBFS", lv[2:], worst)
	if worst <= limitDBFS {
		t.Errorf("truncation shows no harmonic above %.0f dBFS (worst %.1f): the measurement is blind", limitDBFS, worst)
	}
}

func TestSeedDeterminism(t *testing.T) {
	t.Parallel()
	src := audiotest.GaussianNoise(5, 2, 10000, -40)
	a := quantise(prepared(t, 16, 7, true, 44100, 2), src)
	b := quantise(prepared(t, 16, 7, true, 44100, 2), src)
	c := quantise(prepared(t, 16, 8, true, 44100, 2), src)
	same := func(x, y []float32) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	for ch := range 2 {
		if !same(a.Data[ch], b.Data[ch]) {
			t.Errorf("channel %d: the same seed gave different output", ch)
		}
		if same(a.Data[ch], c.Data[ch]) {
			t.Errorf("channel %d: seeds 7 and 8 gave the same output", ch)
		}
	}
	// Reset restarts the sequence.
	d := prepared(t, 16, 7, true, 44100, 2)
	quantise(d, src)
	d.Reset()
	if r := quantise(d, src); !same(r.Data[0], a.Data[0]) {
		t.Error("Reset did not restart the noise sequence")
	}
	// Channels get independent noise: with the same input in both channels
	// the errors must be (nearly) uncorrelated.
	mono := audiotest.GaussianNoise(6, 1, 1<<16, -40)
	dual := &audio.Buffer{Data: [][]float32{mono.Data[0], append([]float32(nil), mono.Data[0]...)}}
	out := quantise(prepared(t, 16, 7, false, 48000, 2), dual)
	var sab, saa, sbb float64
	for i := range mono.Data[0] {
		ea := float64(out.Data[0][i] - mono.Data[0][i])
		eb := float64(out.Data[1][i] - mono.Data[0][i])
		sab, saa, sbb = sab+ea*eb, saa+ea*ea, sbb+eb*eb
	}
	// 2^16 samples: an uncorrelated pair reads |ρ| < 4/√n ≈ 0.016 (4σ).
	if rho := sab / math.Sqrt(saa*sbb); math.Abs(rho) > 0.016 {
		t.Errorf("channel errors correlate: ρ = %.3f", rho)
	}
}

// ntfPower is |1 − H(e^{jω})|² for the F-weighted shaper at f Hz.
func ntfPower(f, rate float64) float64 {
	w := 2 * math.Pi * f / rate
	h := complex(1, 0)
	for i, c := range fWeighted44 {
		h -= complex(c, 0) * cmplx.Exp(complex(0, -w*float64(i+1)))
	}
	return real(h)*real(h) + imag(h)*imag(h)
}

// With shaping the output error is the white LSB²/4 error filtered by
// 1 − H(z): the measured spectrum follows that curve within 1 dB in every
// 1 kHz band, and the 1–5 kHz band comes out at least 15 dB below flat
// dither (the curve's power average there, from the coefficients, is about
// −19 dB at 44.1 kHz and at 48 kHz).
func TestNoiseShapingMovesNoiseOut1to5kHz(t *testing.T) {
	t.Parallel()
	const curveTolDB = 1.0
	const minDropDB = 15.0
	for _, rate := range []float64{44100, 48000} {
		src := audiotest.GaussianNoise(11, 1, 1<<18, -50)
		d := prepared(t, 16, 3, true, rate, 1)
		if !d.shaped {
			t.Fatalf("%g Hz: shaping not in effect", rate)
		}
		shaped := periodogram(errorLSB(quantise(d, src), src, 16), 1024)
		flat := periodogram(errorLSB(quantise(prepared(t, 16, 3, false, rate, 1), src), src, 16), 1024)

		for lo := 0.0; lo+1000 <= rate/2; lo += 1000 {
			var want float64
			n := 0
			for k := 1; k < len(shaped); k++ {
				if f := float64(k) * rate / 1024; f >= lo && f < lo+1000 {
					want += 0.25 * ntfPower(f, rate)
					n++
				}
			}
			got := bandMean(shaped, rate, lo, lo+1000)
			if diff := db10(got / (want / float64(n))); math.Abs(diff) > curveTolDB {
				t.Errorf("%g Hz, band %g–%g Hz: %.2f dB from the 1 − H(z) curve", rate, lo, lo+1000, diff)
			}
		}
		drop := db10(bandMean(flat, rate, 1000, 5000) / bandMean(shaped, rate, 1000, 5000))
		t.Logf("%g Hz: 1–5 kHz noise %.1f dB below flat dither", rate, drop)
		if drop < minDropDB {
			t.Errorf("%g Hz: shaping lowers 1–5 kHz by only %.1f dB", rate, drop)
		}
	}
}

// At other rates the F-weighted curve does not apply: the dither stays
// flat, identical to unshaped dither with the same seed.
func TestShapingOnlyAt44And48kHz(t *testing.T) {
	t.Parallel()
	src := audiotest.GaussianNoise(4, 2, 5000, -40)
	for _, rate := range []float64{88200, 96000, 32000} {
		d := prepared(t, 16, 5, true, rate, 2)
		if d.shaped {
			t.Errorf("%g Hz: shaping in effect", rate)
		}
		a := quantise(d, src)
		b := quantise(prepared(t, 16, 5, false, rate, 2), src)
		for i := range a.Data[0] {
			if a.Data[0][i] != b.Data[0][i] {
				t.Fatalf("%g Hz: output differs from flat dither at %d", rate, i)
			}
		}
	}
}

// Values beyond full scale clamp to the extreme codes, and with shaping a
// clipped burst does not destabilise the loop: afterwards the output error
// stays within its stable bound, 1.5 LSB·(1 + Σ|cᵢ|) ≈ 33.6 LSB.
func TestClipping(t *testing.T) {
	t.Parallel()
	var bound = 1.5
	for _, c := range fWeighted44 {
		bound += 1.5 * math.Abs(c)
	}
	for _, shaping := range []bool{false, true} {
		d := prepared(t, 16, 1, shaping, 44100, 1)
		burst := audio.NewBuffer(1, 2000)
		for i := range burst.Data[0] {
			burst.Data[0][i] = 1.5
			if i%2 == 1 {
				burst.Data[0][i] = -1.5
			}
		}
		out := quantise(d, burst)
		if got := out.Data[0][0]; got != float32(32767.0/32768) {
			t.Errorf("shaping=%v: +1.5 gave %g, want the largest code 32767/32768", shaping, got)
		}
		if got := out.Data[0][1]; got != -1 {
			t.Errorf("shaping=%v: −1.5 gave %g, want −1", shaping, got)
		}
		quiet := audiotest.GaussianNoise(2, 1, 20000, -40)
		e := errorLSB(quantise(d, quiet), quiet, 16)
		for i, v := range e[50:] { // the first samples may still carry the limited error
			if math.Abs(v) > bound {
				t.Fatalf("shaping=%v: error %.1f LSB at %d after clipping, bound %.1f", shaping, v, i+50, bound)
			}
		}
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	d := prepared(t, 16, 1, true, 44100, 2)
	buf := audiotest.WhiteNoise(1, 2, 512, -6)
	if a := testing.AllocsPerRun(100, func() { d.Process(buf) }); a != 0 {
		t.Errorf("Process allocates %.1f times per block", a)
	}
}

func BenchmarkDither(b *testing.B) {
	for _, shaping := range []bool{false, true} {
		for _, block := range []int{64, 512, 4096} {
			name := "flat"
			if shaping {
				name = "shaped"
			}
			b.Run(name+"/block="+strconv.Itoa(block), func(b *testing.B) {
				d := prepared(b, 16, 1, shaping, 44100, 2)
				src := audiotest.WhiteNoise(1, 2, block, -6)
				buf := src.Clone()
				for b.Loop() {
					copy(buf.Data[0], src.Data[0])
					copy(buf.Data[1], src.Data[1])
					d.Process(buf)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*block*2), "ns/sample/ch")
			})
		}
	}
}
