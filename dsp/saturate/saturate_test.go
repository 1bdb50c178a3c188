package saturate

import (
	"math"
	"slices"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/fir"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/dsp/oversample"
	"stemmaster/internal/audiotest"
)

const rate = 48000.0

func run(t testing.TB, p Params, x *audio.Buffer) (*audio.Buffer, int) {
	s := New(p)
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1000, Channels: x.Channels()})
	y := x.Clone()
	dsptest.ProcessBlocks(s, y, 1000, nil)
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
		dsptest.CheckParamError(t, c.p.Validate(), c.param)
	}
}

func TestNoAllocation(t *testing.T) {
	s := New(Params{DriveDB: 6, Character: CharacterWarm})
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
	dsptest.CheckNoAllocation(t, s, audiotest.PinkNoise(1, 2, 1024, -6))
	for _, char := range []string{CharacterSoft, CharacterWarm, CharacterCubic} {
		s := New(Params{DriveDB: 6, Character: char})
		s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1024, Channels: 2})
		dsptest.CheckNoAllocationSidechain(t, s, audiotest.PinkNoise(1, 2, 1024, -3), audiotest.PinkNoise(2, 2, 1024, -3))
	}
}

// BenchmarkSaturate: stereo pink noise driven +6 dB, per character.
func BenchmarkSaturate(b *testing.B) {
	for _, char := range []string{CharacterSoft, CharacterWarm, CharacterCubic} {
		b.Run(char, func(b *testing.B) {
			s := New(Params{DriveDB: 6, Character: char})
			s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
			dsptest.BenchProcess(b, s, audiotest.PinkNoise(1, 2, 4096, -6))
		})
	}
}

// reference is the stage written sample by sample on package oversample's
// Upsampler and Downsampler, the filters the block stages implement: the
// oracle for TestMatchesOversample.
func reference(p Params, x *audio.Buffer) *audio.Buffer {
	s := New(p)
	s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 1, Channels: x.Channels()})
	var up [3]*oversample.Upsampler
	var down [3]*oversample.Downsampler
	for i, st := range stages {
		h := oversample.DesignNyquist(2, st.k, fir.KaiserBeta(st.db))
		up[i] = oversample.NewUpsamplerFilter(h, 2, x.Channels())
		down[i] = oversample.NewDownsamplerFilter(h, 2, x.Channels())
	}
	y := x.Clone()
	g2, g4, g8 := make([]float64, 2), make([]float64, 4), make([]float64, 8)
	for c, ch := range y.Data {
		var dx, dy float64
		for i, v := range ch {
			up[0].Next(c, float64(v)*s.drive, g2)
			up[1].Next(c, g2[0], g4[0:2])
			up[1].Next(c, g2[1], g4[2:4])
			for j := range 4 {
				up[2].Next(c, g4[j], g8[2*j:2*j+2])
			}
			s.shape(g8)
			for j := range 4 {
				g4[j] = down[2].Next(c, g8[2*j:2*j+2])
			}
			g2[0] = down[1].Next(c, g4[0:2])
			g2[1] = down[1].Next(c, g4[2:4])
			out := down[0].Next(c, g2)
			if p.Character == CharacterWarm {
				dy = out - dx + s.dcA*dy
				dx = out
				out = dy
			}
			ch[i] = float32(out * s.out)
		}
	}
	return y
}

// TestMatchesOversample: the block stages give the per-sample cascade's
// output for every character and block size (only the order of the
// additions differs: within 1e-6 of full scale, a few float32 steps).
func TestMatchesOversample(t *testing.T) {
	t.Parallel()
	const tol = 1e-6
	x := audiotest.PinkNoise(3, 2, 3000, -3)
	for _, char := range []string{CharacterSoft, CharacterWarm, CharacterCubic} {
		p := Params{DriveDB: 9, OutputDB: -2, Character: char}
		want := reference(p, x)
		got, _ := run(t, p, x)
		for c := range want.Data {
			for i, w := range want.Data[c] {
				if d := math.Abs(float64(got.Data[c][i] - w)); d > tol {
					t.Fatalf("%s: channel %d frame %d: %g, want %g", char, c, i, got.Data[c][i], w)
				}
			}
		}
	}
}

// TestSidechainSum: loud stems saturated each keyed by their sum add up to
// the saturated sum within 1e-5 (float32 rounding of the stems and of the
// oversampling filters' outputs), for every character.
func TestSidechainSum(t *testing.T) {
	t.Parallel()
	const tol = 1e-5
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 4000, -3), audiotest.Sine(rate, 2, 4000, 110, -2, 0), audiotest.WhiteNoise(2, 2, 4000, -8)}
	for _, char := range []string{CharacterSoft, CharacterWarm, CharacterCubic} {
		d := dsptest.SidechainSum(func() dsp.Sidechained {
			s := New(Params{DriveDB: 12, OutputDB: -3, Character: char})
			s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 700, Channels: 2})
			return s
		}, stems, 700)
		if d > tol {
			t.Errorf("%s: stems add up to within %g of the saturated sum, want %g", char, d, tol)
		}
	}
}

// TestTanhKernel: the tanh curves as dispatched (the AVX2 kernel where it
// runs, the Go loop for the last samples) give exactly the Go loop's bits,
// for soft (bias 0) and warm, over ±40 (past the clamp), tiny values,
// signed zeros and lengths with every tail.
func TestTanhKernel(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 5, 8, 1003} {
		v := make([]float64, n)
		x := uint64(88172645463325252)
		for i := range v {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			u := float64(x>>11) / (1 << 53)
			switch i % 5 {
			case 0:
				v[i] = 80*u - 40
			case 1:
				v[i] = (2*u - 1) * math.Pow(10, -float64(i%300))
			case 2:
				v[i] = math.Copysign(0, float64(i%4)-2)
			default:
				v[i] = 6*u - 3
			}
		}
		for _, c := range [][2]float64{{0, 0}, {warmBias, tanh(warmBias)}} {
			got, want := slices.Clone(v), slices.Clone(v)
			tanhShift(got, newTanhConsts(c[0], c[1]))
			tanhShiftGo(want, c[0], c[1])
			for i := range got {
				if c[0] == 0 && math.Float64bits(want[i]) != math.Float64bits(tanh(v[i])) {
					t.Fatalf("soft: tanh(%g + 0) − 0 = %g, tanh(%g) = %g", v[i], want[i], v[i], tanh(v[i]))
				}
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n %d bias %g: v[%d] = %g: %g, want %g", n, c[0], i, v[i], got[i], want[i])
				}
			}
		}
	}
}
