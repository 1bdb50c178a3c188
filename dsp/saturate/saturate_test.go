package saturate

import (
	"errors"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

const rate = 48000.0

func run(t testing.TB, p Params, x *audio.Buffer) (*audio.Buffer, int) {
	s := New(p)
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1000, Channels: x.Channels()})
	y := x.Clone()
	for at := 0; at < y.Frames(); at += 1000 {
		b := &audio.Buffer{Data: make([][]float32, y.Channels())}
		for c := range b.Data {
			b.Data[c] = y.Data[c][at:min(at+1000, y.Frames())]
		}
		s.Process(b)
	}
	return y, s.Latency()
}

func amp(y []float32, f float64) float64 {
	a, _, _ := audiotest.FitSine(y, 2*math.Pi*f/rate, len(y)/2, len(y)/2+int(rate/4))
	return a
}

// TestCubicHarmonicsClosedForm: a 1 kHz sine of amplitude A = 0.5 through
// the cubic curve has fundamental 1.5A − 0.375A³ and third harmonic
// 0.125A³ (within 0.01 dB) and no second or fifth (below −120 dB).
func TestCubicHarmonicsClosedForm(t *testing.T) {
	t.Parallel()
	const a = 0.5
	x := audiotest.Sine(rate, 1, int(rate), 1000, audio.DB(a), 0)
	y, _ := run(t, Params{Character: CharacterCubic}, x)
	ch := y.Data[0]
	check := func(name string, got, want float64) {
		if d := audio.DB(got / want); math.Abs(d) > 0.01 {
			t.Errorf("%s: %.6f, want %.6f (%+.4f dB)", name, got, want, d)
		}
	}
	check("fundamental", amp(ch, 1000), 1.5*a-0.375*a*a*a)
	check("third harmonic", amp(ch, 3000), 0.125*a*a*a)
	for _, f := range []float64{2000, 5000} {
		if v := audio.DB(amp(ch, f)); v > -120 {
			t.Errorf("%g Hz: %.1f dBFS, want none (< −120)", f, v)
		}
	}
}

// TestAliasing: a 10 kHz tone at −1 dBFS driven +12 dB: every harmonic
// that folds back into 0 … 24 kHz (away from 10 and 20 kHz, where the
// curve's own harmonics lie) is below −90 dBFS, for soft and warm.
func TestAliasing(t *testing.T) {
	t.Parallel()
	for _, char := range []string{CharacterSoft, CharacterWarm} {
		x := audiotest.Sine(rate, 1, int(rate), 10000, -1, 0)
		y, _ := run(t, Params{DriveDB: 12, Character: char}, x)
		worst, at := -300.0, 0.0
		for n := 2; n <= 80; n++ {
			f := math.Mod(float64(n)*10000, rate)
			if f > rate/2 {
				f = rate - f
			}
			if math.Abs(f-10000) < 50 || math.Abs(f-20000) < 50 || f < 50 || f > 23900 {
				continue
			}
			if v := audio.DB(amp(y.Data[0], f)); v > worst {
				worst, at = v, f
			}
		}
		t.Logf("%s: largest alias %.1f dBFS at %g Hz; fundamental %.2f dBFS", char, worst, at, audio.DB(amp(y.Data[0], 10000)))
		if worst > -90 {
			t.Errorf("%s: alias %.1f dBFS at %g Hz, want below −90", char, worst, at)
		}
	}
}

// TestSmallSignalGain: far below clipping the stage is linear with gain
// drive + output (soft) and 1.5 × that (cubic).
func TestSmallSignalGain(t *testing.T) {
	t.Parallel()
	x := audiotest.Sine(rate, 2, int(rate/2), 440, -80, 0)
	for _, c := range []struct {
		p    Params
		want float64
	}{
		{Params{DriveDB: 6, OutputDB: -3}, -77},
		{Params{DriveDB: 6, OutputDB: -3, Character: CharacterCubic}, -77 + audio.DB(1.5)},
	} {
		y, lat := run(t, c.p, x)
		if lat != 74 {
			t.Errorf("latency %d, want 74", lat)
		}
		if got := audio.DB(amp(y.Data[1], 440)); math.Abs(got-c.want) > 0.01 {
			t.Errorf("%+v: %.3f dBFS, want %.3f", c.p, got, c.want)
		}
	}
}

// TestPassband: far below clipping, tones up to 0.44·fs pass the
// oversampling round trip within 0.001 dB.
func TestPassband(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{100, 1000, 10000, 18000, 21000} {
		x := audiotest.Sine(rate, 1, int(rate/2), f, -60, 0)
		y, _ := run(t, Params{}, x)
		if d := audio.DB(amp(y.Data[0], f)) + 60; math.Abs(d) > 0.001 {
			t.Errorf("%g Hz: %+.4f dB", f, d)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p     Params
		param string
	}{
		{Params{DriveDB: 6}, ""},
		{Params{DriveDB: -1}, "drive_db"},
		{Params{DriveDB: 30}, "drive_db"},
		{Params{OutputDB: math.NaN()}, "output_db"},
		{Params{Character: "fuzz"}, "character"},
	} {
		err := c.p.Validate()
		var pe *dsp.ParamError
		switch {
		case c.param == "" && err != nil:
			t.Errorf("%+v: %v", c.p, err)
		case c.param != "" && (!errors.As(err, &pe) || pe.Param != c.param):
			t.Errorf("%+v: error %v, want one about %s", c.p, err, c.param)
		}
	}
}

func TestNoAllocation(t *testing.T) {
	s := New(Params{DriveDB: 6, Character: CharacterWarm})
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	x := audiotest.PinkNoise(1, 2, 1024, -6)
	if a := testing.AllocsPerRun(20, func() { s.Process(x) }); a != 0 {
		t.Errorf("%g allocations per block", a)
	}
}

func BenchmarkSaturate(b *testing.B) {
	s := New(Params{DriveDB: 6})
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	x := audiotest.PinkNoise(1, 2, 4096, -6)
	b.ResetTimer()
	for range b.N {
		s.Process(x)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4096), "ns/sample")
}
