package multiband

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

const rate = 48000.0

func neutral(n int) []Band {
	b := make([]Band, n)
	for i := range b {
		b[i] = Band{Width: 1}
	}
	return b
}

var crossoverSets = [][]float64{{1000}, {150, 2500}, {120, 1000, 6000}}

// bandCascades returns the filter of every band of the prepared m: the
// high-passes of the crossovers below it, which the bands above share
// (band.split), then its own sections (band.filter; none for the top
// band).
func bandCascades(m *Processor) []biquad.Cascade {
	var below biquad.Cascade
	out := make([]biquad.Cascade, len(m.bands))
	for k, b := range m.bands {
		c := append(biquad.Cascade(nil), below...)
		if b.filter != nil {
			c = append(c, b.filter.Sections()...)
			below = append(below, b.split.Sections()...)
		}
		out[k] = c
	}
	return out
}

// TestCrossoverSumFlatAnalytic: the responses of the bands' filters as
// Prepare designs them sum to magnitude 1 within 0.01 dB from 10 Hz to
// 0.499·fs, for 2, 3 and 4 bands.
func TestCrossoverSumFlatAnalytic(t *testing.T) {
	t.Parallel()
	for _, xs := range crossoverSets {
		m := New(Params{CrossoversHz: xs, Bands: neutral(len(xs) + 1)})
		m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
		cs := bandCascades(m)
		if len(cs) != len(xs)+1 {
			t.Fatalf("crossovers %v: %d bands", xs, len(cs))
		}
		worst := 0.0
		for f := 10.0; f < 0.499*rate; f *= 1.01 {
			var s complex128
			for _, c := range cs {
				s += c.Response(f, rate)
			}
			worst = max(worst, math.Abs(20*math.Log10(cmplx.Abs(s))))
		}
		if worst > 0.01 {
			t.Errorf("crossovers %v: sum off flat by %.4f dB", xs, worst)
		}
	}
}

func process(p dsp.Processor, x *audio.Buffer, block int) { dsptest.ProcessBlocks(p, x, block, nil) }

// TestProcessorSumFlat: with neutral bands, tones anywhere in the band
// (and at the crossovers) come out at their input amplitude within
// 0.01 dB.
func TestProcessorSumFlat(t *testing.T) {
	t.Parallel()
	for _, xs := range crossoverSets {
		freqs := append([]float64{40, 440, 3000, 15000}, xs...)
		for _, f := range freqs {
			m := New(Params{CrossoversHz: xs, Bands: neutral(len(xs) + 1)})
			m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1000, Channels: 2})
			x := audiotest.Sine(rate, 2, int(rate/2), f, -6, 0)
			process(m, x, 1000)
			a, _, _ := audiotest.FitSine(x.Data[0], 2*math.Pi*f/rate, int(rate/4), int(rate/2))
			if d := audio.DB(a) - -6; math.Abs(d) > 0.01 {
				t.Errorf("crossovers %v, %g Hz: %+.4f dB", xs, f, d)
			}
		}
	}
}

// TestBandDynamics: a 1 kHz tone at −6 dBFS in the middle band of three,
// threshold −20 dB, ratio 4 (hard knee): steady gain reduction
// 14·(1 − 1/4) = 10.5 dB; a −50 dBFS tone under an expander at −40 dB,
// ratio 2: 10 dB more reduction. Both within 0.5 dB.
func TestBandDynamics(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		level  float64
		band   Band
		wantDB float64
	}{
		{"compress", -6, Band{ThresholdDB: -20, Ratio: 4, Width: 1, AttackMS: 1, ReleaseMS: 50}, -6 - 10.5},
		{"expand", -50, Band{ThresholdDB: 0, ExpandThresholdDB: -40, ExpandRatio: 2, Width: 1, AttackMS: 1, ReleaseMS: 50}, -50 - 10},
		{"makeup", -30, Band{ThresholdDB: -20, Ratio: 4, MakeupDB: 3, Width: 1}, -27},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bands := neutral(3)
			bands[1] = c.band
			m := New(Params{CrossoversHz: []float64{200, 5000}, Bands: bands})
			m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
			x := audiotest.Sine(rate, 2, int(rate), 1000, c.level, 0)
			process(m, x, 512)
			a, _, _ := audiotest.FitSine(x.Data[1], 2*math.Pi*1000/rate, int(rate/2), int(rate))
			if got := audio.DB(a); math.Abs(got-c.wantDB) > 0.5 {
				t.Errorf("output %.2f dBFS, want %.2f ± 0.5", got, c.wantDB)
			}
		})
	}
}

// TestWidthZeroIsMono: every band at width 0 gives L and R equal bit for
// bit; width 2 on one band doubles that band's side.
func TestWidthZeroIsMono(t *testing.T) {
	t.Parallel()
	bands := neutral(3)
	for i := range bands {
		bands[i].Width = 0
	}
	m := New(Params{CrossoversHz: []float64{200, 5000}, Bands: bands})
	m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 777, Channels: 2})
	x := audiotest.PinkNoise(3, 2, int(rate/2), -3)
	process(m, x, 777)
	for i := range x.Data[0] {
		if x.Data[0][i] != x.Data[1][i] {
			t.Fatalf("frame %d: L %g ≠ R %g", i, x.Data[0][i], x.Data[1][i])
		}
	}
	cm := dsp.NewCorrelation(rate)
	cm.Add(x.Data[0], x.Data[1])
	if v, _ := cm.Value(); v != 1 {
		t.Errorf("correlation of the mono output %g, want 1", v)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		p     Params
		param string
	}{
		{Params{CrossoversHz: []float64{1000}, Bands: neutral(2)}, ""},
		{Params{CrossoversHz: nil, Bands: neutral(1)}, "bands"},
		{Params{CrossoversHz: []float64{100, 200, 300, 400}, Bands: neutral(5)}, "bands"},
		{Params{CrossoversHz: []float64{1000, 1100}, Bands: neutral(3)}, "crossovers_hz"},
		{Params{CrossoversHz: []float64{23000}, Bands: neutral(2)}, "crossovers_hz"},
		{Params{CrossoversHz: []float64{1000}, Bands: []Band{{Width: 1}, {Width: 9}}}, "width"},
		{Params{CrossoversHz: []float64{1000}, Bands: []Band{{Width: 1, Ratio: 0.5}, {Width: 1}}}, "ratio"},
		{Params{CrossoversHz: []float64{1000}, Bands: []Band{{Width: 1, ReleaseMS: math.NaN()}, {Width: 1}}}, "release_ms"},
	}
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dsptest.CheckParamError(t, c.p.Validate(rate), c.param)
		})
	}
}

func TestNoAllocation(t *testing.T) {
	m := New(Params{CrossoversHz: []float64{120, 1000, 6000}, Bands: []Band{
		{ThresholdDB: -20, Ratio: 3, Width: 0.5}, {Width: 1}, {ExpandThresholdDB: -50, ExpandRatio: 2, Width: 1.5}, {ThresholdDB: -30, Ratio: 2, Width: 1},
	}})
	m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	dsptest.CheckNoAllocation(t, m, audiotest.PinkNoise(1, 2, 1024, -6))
	s := New(Params{CrossoversHz: []float64{150, 2000}, Bands: []Band{{ThresholdDB: -30, Ratio: 4, Width: 1}, {Width: 1}, {ThresholdDB: -20, Ratio: 2, Width: 1.2}}})
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	dsptest.CheckNoAllocationSidechain(t, s, audiotest.PinkNoise(1, 2, 1024, -3), audiotest.PinkNoise(2, 2, 1024, -3))
}

// BenchmarkMultiband4: four bands, all compressing.
func BenchmarkMultiband4(b *testing.B) {
	m := New(Params{CrossoversHz: []float64{120, 1000, 6000}, Bands: []Band{
		{ThresholdDB: -30, Ratio: 3, Width: 0.5}, {ThresholdDB: -30, Ratio: 2, Width: 1}, {ThresholdDB: -30, Ratio: 2, Width: 1.5}, {ThresholdDB: -30, Ratio: 2, Width: 1},
	}})
	m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, m, audiotest.PinkNoise(1, 2, 4096, -6))
}

// TestSidechainSum: stems through the multiband each keyed by their sum
// add up to the processed sum (compressing, expanding, widening bands)
// within 1e-5.
func TestSidechainSum(t *testing.T) {
	t.Parallel()
	const tol = 1e-5
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 6000, -3), audiotest.Sine(rate, 2, 6000, 90, -6, 0), audiotest.WhiteNoise(2, 2, 6000, -12)}
	d := dsptest.SidechainSum(func() dsp.Sidechained {
		m := New(Params{CrossoversHz: []float64{150, 2000, 8000}, Bands: []Band{
			{ThresholdDB: -30, Ratio: 4, Width: 0.5}, {ThresholdDB: -20, Ratio: 2, Width: 1, ExpandThresholdDB: -40, ExpandRatio: 2},
			{ThresholdDB: -24, Ratio: 3, Width: 1.5, AttackMS: 1}, {ThresholdDB: -30, Ratio: 2, Width: 1, MakeupDB: 2},
		}})
		m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
		return m
	}, stems, 512)
	if d > tol {
		t.Errorf("stems add up to within %g of the processed sum, want %g", d, tol)
	}
}

// TestQuietPathExact: the quiet fast path gives the full path's output bit
// for bit, on bursts that cross the compressor's and the expander's
// thresholds.
func TestQuietPathExact(t *testing.T) {
	t.Parallel()
	p := Params{CrossoversHz: []float64{200, 3000}, Bands: []Band{
		{ThresholdDB: -20, Ratio: 3, KneeDB: 6, Width: 1, MakeupDB: 1.5},
		{ThresholdDB: -30, Ratio: 2, ExpandThresholdDB: -50, ExpandRatio: 2, Width: 1},
		{ExpandThresholdDB: -45, ExpandRatio: 3, Width: 0.8}}}
	x := audiotest.PinkNoise(4, 2, 24000, -6)
	dsptest.QuietBursts(x, 4800, 0.01) // 100 ms bursts 40 dB apart
	fast, full := New(p), New(p)
	fast.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
	full.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 512, Channels: 2})
	for i := range full.bands {
		full.bands[i].curve.QuietBelow, full.bands[i].curve.QuietAbove = 0, math.Inf(1)
	}
	dsptest.CheckFastPathExact(t, fast, full, x, 512)
}

// TestBlockSizeInvariance: the output does not depend on how the stream is
// cut into blocks (the control runs go on across blocks).
func TestBlockSizeInvariance(t *testing.T) {
	t.Parallel()
	p := Params{CrossoversHz: []float64{200, 3000}, Bands: []Band{
		{ThresholdDB: -30, Ratio: 3, Width: 1}, {ThresholdDB: -30, Ratio: 2, AttackMS: 0.2, Width: 1}, {ThresholdDB: -36, Ratio: 4, Width: 1.2}}}
	dsptest.CheckBlockInvariance(t, func() dsp.Processor {
		m := New(p)
		m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
		return m
	}, audiotest.PinkNoise(6, 2, 20000, -3), 4096, 1, 37, 1000)
}
