package biquad

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// sineTolDB is the tolerance between a sine's measured gain through
// the filter and Coefficients.Magnitude.
const sineTolDB = 0.05

// TestSineMatchesMagnitude runs steady sines through an EQ in blocks and
// compares the measured gain with Cascade.MagnitudeDB, including the
// extremes: 10 Hz at 192 kHz and 0.45·fs at 44.1 kHz.
func TestSineMatchesMagnitude(t *testing.T) {
	t.Parallel()
	const amp = -6.0 // dBFS peak of the test sine
	tests := []struct {
		fs    float64
		band  Band
		freqs []float64
	}{
		{192000, Band{Type: TypeHighPass, FreqHz: 10, Q: 0.7071}, []float64{10, 20, 40}},
		{192000, Band{Type: TypeLowShelf, FreqHz: 10, GainDB: 12, Q: 0.7071}, []float64{10, 15, 30}},
		{192000, Band{Type: TypePeak, FreqHz: 10, GainDB: -9, Q: 2}, []float64{8, 10, 12}},
		{192000, Band{Type: TypeLRHighPass, FreqHz: 10, Slope: 48}, []float64{10, 14, 30}},
		{192000, Band{Type: TypeLowPass, FreqHz: 0.45 * 192000, Q: 0.7071}, []float64{1000, 60000, 86400}},
		{44100, Band{Type: TypeHighShelf, FreqHz: 0.45 * 44100, GainDB: 6, Q: 0.7071}, []float64{15000, 19845}},
		{44100, Band{Type: TypeNotch, FreqHz: 0.45 * 44100, Q: 2}, []float64{17000, 21000}},
		{44100, Band{Type: TypeLowPass, FreqHz: 15000, Slope: 48}, []float64{1000, 15000, 17000}},
		{48000, Band{Type: TypeBandPass, FreqHz: 1000, Q: 4}, []float64{500, 1000, 1300}},
		{48000, Band{Type: TypeHighPass, FreqHz: 80, Slope: 24}, []float64{50, 80, 200}},
		{96000, Band{Type: TypePeak, FreqHz: 3000, GainDB: 15, Q: 8}, []float64{2900, 3000, 3100}},
	}
	for _, tt := range tests {
		for _, f := range tt.freqs {
			t.Run(fmt.Sprintf("%g/%v/%gHz", tt.fs, tt.band, f), func(t *testing.T) {
				eq := NewEQ(tt.band)
				eq.Prepare(dsp.Spec{SampleRate: tt.fs, MaxBlockSize: 4096, Channels: 2})
				// Settle for 2 s (the slowest case, 10 Hz Q 2, decays by
				// e⁻¹ in 32 ms), then measure over 1 s.
				settle, measure := int(2*tt.fs), int(tt.fs)
				buf := audiotest.Sine(tt.fs, 2, settle+measure, f, amp, 0)
				dsptest.ProcessBlocks(eq, buf, 4096, nil)
				want := eq.Sections().MagnitudeDB(f, tt.fs)
				for c := range buf.Data {
					got := audio.DB(audiotest.ToneAmplitude(buf.Data[c][settle:], f, tt.fs)) - amp
					if !(math.Abs(got-want) <= sineTolDB) {
						t.Errorf("channel %d: measured %.4f dB, Magnitude %.4f dB", c, got, want)
					}
				}
			})
		}
	}
}

// TestStableAtExtremes checks every band type at 10 Hz and 0.45·fs at each
// rate: both poles inside the unit circle, and an impulse response that
// decays to nothing (no limit cycle, no blow-up) in float64 arithmetic.
func TestStableAtExtremes(t *testing.T) {
	t.Parallel()
	types := []Band{
		{Type: TypePeak, GainDB: 18, Q: 10}, {Type: TypePeak, GainDB: -18, Q: 0.1},
		{Type: TypeLowShelf, GainDB: 18, Q: 2}, {Type: TypeHighShelf, GainDB: -18, Q: 2},
		{Type: TypeHighPass, Q: 10}, {Type: TypeLowPass, Q: 10}, {Type: TypeBandPass, Q: 10},
		{Type: TypeNotch, Q: 10}, {Type: TypeHighPass, Slope: 48}, {Type: TypeLowPass, Slope: 48},
		{Type: TypeLRHighPass, Slope: 48}, {Type: TypeLRLowPass, Slope: 12},
	}
	for _, fs := range testRates {
		for _, b := range types {
			for _, f0 := range []float64{10, 0.45 * fs} {
				impulse := fs == 44100 || fs == 192000 // the slowest and fastest decays
				b.FreqHz = f0
				t.Run(fmt.Sprintf("%g/%v", fs, b), func(t *testing.T) {
					cs := b.Sections(nil, fs)
					for _, c := range cs {
						if !stable(c) {
							t.Fatalf("unstable section %+v", c)
						}
					}
					if !impulse {
						return
					}
					f := NewFilter(1, cs)
					x := make([]float64, 1<<16)
					x[0] = 1
					// 10 Hz, Q 10 at 192 kHz decays by e⁻¹ per 2Q/ω0 = 61 000
					// samples: to −80 dB in 560 000.
					for blk := 0; blk < 12; blk++ {
						f.Process(0, x)
						for _, v := range x {
							if math.IsNaN(v) || !(math.Abs(v) <= 1e3) {
								t.Fatalf("impulse response blew up: %g", v)
							}
						}
						clear(x)
					}
					f.Process(0, x)
					if tail := maxAbs(x); tail > 1e-4 {
						t.Errorf("impulse response still %g after 850 000 samples", tail)
					}
				})
			}
		}
	}
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// TestLinkwitzRileyImpulseSum runs an impulse through an LR4 and an LR2
// crossover pair and checks that the summed output has unit energy, the
// time-domain sign of an all-pass.
func TestLinkwitzRileyImpulseSum(t *testing.T) {
	t.Parallel()
	const fs, tol = 48000.0, 1e-6
	for _, n := range []int{2, 4, 8} {
		t.Run(fmt.Sprintf("LR%d", n), func(t *testing.T) {
			lp := NewFilter(1, LinkwitzRileyLowPass(nil, fs, 500, n))
			hp := NewFilter(1, LinkwitzRileyHighPass(nil, fs, 500, n))
			a, b := make([]float64, 1<<16), make([]float64, 1<<16)
			a[0], b[0] = 1, 1
			lp.Process(0, a)
			hp.Process(0, b)
			var energy float64
			for i := range a {
				s := a[i] + crossoverSumSign(n)*b[i]
				energy += s * s
			}
			if !(math.Abs(energy-1) <= tol) {
				t.Errorf("summed impulse energy %.9f, want 1", energy)
			}
		})
	}
}

// TestEQBlockSizeAndChannels checks that the output does not depend on the
// block size, and that the paired-channel path equals the single-channel
// path (three channels exercise both).
func TestEQBlockSizeAndChannels(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	bands := []Band{{Type: TypeHighPass, FreqHz: 30, Slope: 24}, {Type: TypePeak, FreqHz: 2500, GainDB: 4, Q: 1.4}}
	in := audiotest.PinkNoise(7, 3, 20000, -6)
	copy(in.Data[1], in.Data[0]) // channels 0 and 1 take the paired path
	copy(in.Data[2], in.Data[0]) // channel 2 the single path
	var ref *audio.Buffer
	for _, n := range []int{1, 63, 256, 4096, 20000} {
		eq := NewEQ(bands...)
		eq.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: n, Channels: 3})
		buf := in.Clone()
		dsptest.ProcessBlocks(eq, buf, n, nil)
		if ref == nil {
			ref = buf
		}
		for c := range buf.Data {
			for i := range buf.Data[c] {
				if buf.Data[c][i] != ref.Data[0][i] {
					t.Fatalf("block %d channel %d frame %d: %g, want %g", n, c, i, buf.Data[c][i], ref.Data[0][i])
				}
			}
		}
	}
}

// TestEQReset checks that Reset clears state: after Reset, a signal's
// output equals that of a fresh EQ.
func TestEQReset(t *testing.T) {
	t.Parallel()
	spec := dsp.Spec{SampleRate: 44100, MaxBlockSize: 512, Channels: 1}
	eq := NewEQ(Band{Type: TypeLowPass, FreqHz: 200, Q: 3})
	eq.Prepare(spec)
	eq.Process(audiotest.WhiteNoise(1, 1, 512, 0))
	eq.Reset()
	a := audiotest.Impulse(1, 512, 0, 0)
	eq.Process(a)
	fresh := NewEQ(Band{Type: TypeLowPass, FreqHz: 200, Q: 3})
	fresh.Prepare(spec)
	b := audiotest.Impulse(1, 512, 0, 0)
	fresh.Process(b)
	for i := range a.Data[0] {
		if a.Data[0][i] != b.Data[0][i] {
			t.Fatalf("frame %d: %g after Reset, %g fresh", i, a.Data[0][i], b.Data[0][i])
		}
	}
}

// TestSilenceAfterSignalFlushesToZero checks the denormal guard: after a
// signal, silence drives the state and the output to exact zeros rather than
// an ever-shrinking (eventually subnormal) tail.
func TestSilenceAfterSignalFlushesToZero(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	eq := NewEQ(Band{Type: TypeHighPass, FreqHz: 40, Q: 0.7071}, Band{Type: TypePeak, FreqHz: 100, GainDB: 6, Q: 4})
	eq.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 4096, Channels: 2})
	eq.Process(audiotest.PinkNoise(3, 2, 4096, 0))
	// The slowest pole (100 Hz, Q·A = 5.6) decays by e⁻¹ per 860 samples:
	// −600 dB takes ~60 000 samples. 2 s of silence is enough with the flush,
	// but leaves the state near 1e-48 (not zero) without it.
	silence := audio.NewBuffer(2, 4096)
	for range 24 {
		silence.Zero()
		eq.Process(silence)
	}
	for _, st := range eq.filter.st {
		if st.s1 != 0 || st.s2 != 0 {
			t.Fatalf("state not flushed: %+v", st)
		}
	}
	if p := silence.Peak(); p != 0 {
		t.Errorf("output %g, want exact silence", p)
	}
}

func TestBandValidate(t *testing.T) {
	t.Parallel()
	const fs = 48000.0
	tests := []struct {
		name  string
		band  Band
		param string // "" = valid
	}{
		{"peak ok", Band{Type: TypePeak, FreqHz: 1000, GainDB: 3, Q: 1}, ""},
		{"high pass default slope", Band{Type: TypeHighPass, FreqHz: 80, Q: 0.707}, ""},
		{"high pass 24 ignores q", Band{Type: TypeHighPass, FreqHz: 80, Slope: 24}, ""},
		{"lr 48", Band{Type: TypeLRLowPass, FreqHz: 500, Slope: 48}, ""},
		{"unknown type", Band{Type: "bell", FreqHz: 1000, Q: 1}, "type"},
		{"freq above nyquist", Band{Type: TypePeak, FreqHz: 30000, Q: 1}, "freq_hz"},
		{"freq at nyquist", Band{Type: TypeLowPass, FreqHz: 24000, Q: 1}, "freq_hz"},
		{"freq zero", Band{Type: TypePeak, FreqHz: 0, Q: 1}, "freq_hz"},
		{"freq NaN", Band{Type: TypePeak, FreqHz: math.NaN(), Q: 1}, "freq_hz"},
		{"q zero", Band{Type: TypePeak, FreqHz: 1000, GainDB: 3}, "q"},
		{"q negative", Band{Type: TypeNotch, FreqHz: 1000, Q: -1}, "q"},
		{"q zero on 12 dB high pass", Band{Type: TypeHighPass, FreqHz: 80}, "q"},
		{"q too high", Band{Type: TypeBandPass, FreqHz: 1000, Q: 500}, "q"},
		{"gain too high", Band{Type: TypeHighShelf, FreqHz: 1000, Q: 1, GainDB: 60}, "gain_db"},
		{"slope on peak", Band{Type: TypePeak, FreqHz: 1000, Q: 1, Slope: 12}, "slope"},
		{"slope 18", Band{Type: TypeLowPass, FreqHz: 1000, Slope: 18}, "slope"},
		{"lr slope 6", Band{Type: TypeLRHighPass, FreqHz: 1000, Slope: 6}, "slope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsptest.CheckParamError(t, tt.band.Validate(fs), tt.param)
		})
	}
	// EQ.Validate names the band.
	err := NewEQ(Band{Type: TypePeak, FreqHz: 100, Q: 1}, Band{Type: TypePeak, FreqHz: 30000, Q: 1}).Validate(fs)
	if err == nil || err.Error() != "eq band 2: eq: freq_hz = 30000: at or above the Nyquist frequency 24000 Hz" {
		t.Errorf("EQ.Validate = %v", err)
	}
}

// BenchmarkEQ reports ns per sample per channel per section for a stereo EQ
// of one peak section and of a 48 dB/oct high-pass (4 sections).
func BenchmarkEQ(b *testing.B) {
	cases := []struct {
		name  string
		bands []Band
	}{
		{"peak", []Band{{Type: TypePeak, FreqHz: 1000, GainDB: 3, Q: 1}}},
		{"hp48", []Band{{Type: TypeHighPass, FreqHz: 30, Slope: 48}}},
	}
	for _, cs := range cases {
		for _, chans := range []int{1, 2} {
			for _, n := range []int{64, 512, 4096} {
				b.Run(fmt.Sprintf("%s/ch%d/block%d", cs.name, chans, n), func(b *testing.B) {
					eq := NewEQ(cs.bands...)
					eq.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: n, Channels: chans})
					buf := audiotest.PinkNoise(1, chans, n, -6)
					sections := float64(len(eq.Sections()))
					cpu0 := dsptest.CPUTime()
					for b.Loop() {
						eq.Process(buf)
					}
					samples := float64(b.N) * float64(n*chans)
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/samples/sections, "ns/sample/ch/section")
					b.ReportMetric(float64(dsptest.CPUTime()-cpu0)/samples/sections, "cpu-ns/sample/ch/section")
				})
			}
		}
	}
}

// BenchmarkSilenceAfterSignal processes 0.1 s of noise then 12 s of
// silence through a 40 Hz high-pass and a 60 Hz peak (their state takes
// about 4 s to decay below the float64 normal range), with and without the
// state flush. "flush" must not be slower than BenchmarkEQ's signal figures.
func BenchmarkSilenceAfterSignal(b *testing.B) {
	for _, withFlush := range []bool{true, false} {
		name := "flush"
		if !withFlush {
			name = "noflush"
		}
		b.Run(name, func(b *testing.B) {
			const fs, n = 48000, 4096
			eq := NewEQ(Band{Type: TypeHighPass, FreqHz: 40, Q: 0.7071}, Band{Type: TypePeak, FreqHz: 60, GainDB: 6, Q: 3})
			eq.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: n, Channels: 2})
			if !withFlush {
				for i := range eq.filter.ss {
					eq.filter.ss[i].flush = 0
				}
			}
			noise := audiotest.PinkNoise(1, 2, n, -6)
			buf := audio.NewBuffer(2, n)
			blocks := 12 * fs / n
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				eq.Reset()
				copy(buf.Data[0], noise.Data[0])
				copy(buf.Data[1], noise.Data[1])
				eq.Process(buf)
				for range blocks {
					buf.Zero()
					eq.Process(buf)
				}
			}
			samples := float64(b.N) * float64(n*(blocks+1)) * 2 // two channels
			const sections = 2
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/samples/sections, "ns/sample/ch/section")
			b.ReportMetric(float64(dsptest.CPUTime()-cpu0)/samples/sections, "cpu-ns/sample/ch/section")
		})
	}
}

// TestLowFrequencyPrecision measures the arithmetic noise of the float64
// transposed direct form II where it is worst: narrow low-frequency
// sections at 192 kHz, poles ~10⁻⁴ from the unit circle. A float64 sine at
// f0 runs through the filter; after the transient has decayed (40 time
// constants −1/ln r of the pole radius r = √A2, i.e. −347 dB) the output is compared with the exact steady state
// A·|H|·sin(ωn + arg H) from Response. The residual must stay below
// −160 dB relative to the output, under float32's own resolution (−150 dB),
// so the structure adds nothing a float32 sample can carry.
func TestLowFrequencyPrecision(t *testing.T) {
	t.Parallel()
	const fs, maxResidualDB = 192000.0, -160.0
	tests := []struct {
		name string
		c    Coefficients
		f    float64
	}{
		{"peak 10 Hz Q4 +12 dB", Peak(fs, 10, 4, 12), 10},
		{"high-pass 10 Hz Q0.7 at 20 Hz", HighPass(fs, 10, 0.7071), 20},
		{"low shelf 10 Hz −15 dB at 15 Hz", LowShelf(fs, 10, 0.7071, -15), 15},
		{"low-pass 10 Hz Q2 at 10 Hz", LowPass(fs, 10, 2), 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settle, measure := int(-40/math.Log(math.Sqrt(tt.c.A2))), int(fs/2)
			x := make([]float64, settle+measure)
			w := 2 * math.Pi * tt.f / fs
			for i := range x {
				x[i] = 0.5 * math.Sin(w*float64(i))
			}
			NewFilter(1, Cascade{tt.c}).Process(0, x)
			h := tt.c.Response(tt.f, fs)
			mag, ph := 0.5*cmplxAbs(h), math.Atan2(imag(h), real(h))
			var errSq, sigSq float64
			for i := settle; i < len(x); i++ {
				want := mag * math.Sin(w*float64(i)+ph)
				errSq += (x[i] - want) * (x[i] - want)
				sigSq += want * want
			}
			got := 10 * math.Log10(errSq/sigSq)
			t.Logf("residual %.1f dB", got)
			if !(got <= maxResidualDB) {
				t.Errorf("residual %.1f dB relative to the output, want ≤ %g", got, maxResidualDB)
			}
		})
	}
}

func cmplxAbs(z complex128) float64 { return math.Hypot(real(z), imag(z)) }

// TestEQNoAllocation checks that Process allocates nothing.
func TestEQNoAllocation(t *testing.T) {
	eq := NewEQ(Band{Type: TypeHighPass, FreqHz: 30, Slope: 48}, Band{Type: TypePeak, FreqHz: 900, GainDB: -2, Q: 2})
	eq.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 3})
	buf := audiotest.PinkNoise(2, 3, 4096, -6)
	if n := testing.AllocsPerRun(10, func() { eq.Process(buf) }); n != 0 {
		t.Errorf("%g allocations per Process", n)
	}
}

// TestMatchesDirectForm checks the substituted form the loops run (see run
// in filter.go) against transposed direct form II written out plainly, on
// noise through cookbook sections of every type at 44.1 and 192 kHz, in
// all three loops (run, run2, runSerial). The two round differently, and
// low-frequency sections at 192 kHz (poles ~1e-3 from the unit circle)
// amplify rounding by ~1e4: they agree within 1e-10 of the output's peak
// (−200 dB, far below TestLowFrequencyPrecision's −160 dB; measured < 1e-11).
func TestMatchesDirectForm(t *testing.T) {
	t.Parallel()
	const tol = 1e-10
	for _, fs := range []float64{44100, 192000} {
		sections := []struct {
			name string
			c    Coefficients
		}{
			{"peak 40 Hz", Peak(fs, 40, 2, 9)},
			{"high-pass 20 Hz", HighPass(fs, 20, 0.7071)},
			{"low-pass 18 kHz", LowPass(fs, 18000, 0.9)},
			{"low shelf 100 Hz", LowShelf(fs, 100, 0.7071, -6)},
			{"high shelf 8 kHz", HighShelf(fs, 8000, 0.7071, 4)},
		}
		noise := audiotest.WhiteNoise(5, 1, 5000, -6).Data[0]
		for i, s := range sections {
			next := sections[(i+1)%len(sections)]
			t.Run(fmt.Sprintf("%g/%s", fs, s.name), func(t *testing.T) {
				// reference: s then next, plain TDF-II
				want := make([]float64, len(noise))
				var s1, s2, q1, q2 float64
				peak := 0.0
				for n, v := range noise {
					x := float64(v)
					y := s.c.B0*x + s1
					s1 = s.c.B1*x - s.c.A1*y + s2
					s2 = s.c.B2*x - s.c.A2*y
					z := next.c.B0*y + q1
					q1 = next.c.B1*y - next.c.A1*z + q2
					q2 = next.c.B2*y - next.c.A2*z
					want[n] = z
					peak = max(peak, math.Abs(z))
				}
				x0, x1, x2 := make([]float64, len(noise)), make([]float64, len(noise)), make([]float64, len(noise))
				for n, v := range noise {
					x0[n], x1[n], x2[n] = float64(v), float64(v), float64(v)
				}
				pair := NewFilter(2, Cascade{s.c, next.c}) // run2
				pair.Process2(0, x0, 1, x1)
				NewFilter(1, Cascade{s.c, next.c}).Process(0, x2) // runSerial
				single := NewFilter(1, Cascade{s.c})              // run, twice
				x3 := make([]float64, len(noise))
				for n, v := range noise {
					x3[n] = float64(v)
				}
				single.Process(0, x3)
				NewFilter(1, Cascade{next.c}).Process(0, x3)
				for name, got := range map[string][]float64{"run2": x0, "run2 second channel": x1, "runSerial": x2, "run": x3} {
					for n := range got {
						if d := math.Abs(got[n]-want[n]) / peak; d > tol {
							t.Fatalf("%s: sample %d: %.17g, direct form %.17g (%.2g of the peak)", name, n, got[n], want[n], d)
						}
					}
				}
			})
		}
	}
}
