package dynamics

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

const (
	fs = 48000.0
	// curveTolDB is the tolerance between a steady sine's output level and
	// the static curve.
	curveTolDB = 0.1
	// timeTol is the relative tolerance on attack and release times.
	timeTol = 0.10
)

// toneLevelDB measures the peak level (dBFS) of the component of x at f.
func toneLevelDB(x []float32, f float64) float64 {
	return audio.DB(audiotest.ToneAmplitude(x, f, fs))
}

func prepared(t testing.TB, p CompressorParams, channels int) *Compressor {
	t.Helper()
	if err := p.Validate(fs); err != nil {
		t.Fatal(err)
	}
	c := NewCompressor(p)
	c.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 1024, Channels: channels})
	return c
}

// run processes buf in blocks of 1000 frames (not a multiple of the
// internal chunk), with key as the sidechain when not nil.
func run(c *Compressor, buf, key *audio.Buffer) {
	for start := 0; start < buf.Frames(); start += 1000 {
		end := min(start+1000, buf.Frames())
		b := audiotest.View(buf, start, end)
		if key == nil {
			c.Process(b)
		} else {
			c.ProcessSidechain(b, audiotest.View(key, start, end))
		}
	}
}

// TestStaticCurveFormula checks StaticCurve at hand-computed points of
// Giannoulis et al. 2012 eq. (4): threshold −20, ratio 4, knee 10.
func TestStaticCurveFormula(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x, knee, want float64
	}{
		{-40, 0, -40},                // below threshold: unchanged
		{-20, 0, -20},                // at the threshold
		{0, 0, -15},                  // −20 + 20/4
		{-26, 10, -26},               // below the knee
		{-20, 10, -20 - 0.75*25/20},  // centre of the knee: x + (1/R−1)(W/2)²/(2W)
		{-15, 10, -20 + 5.0/4},       // top of the knee meets the line
		{-17, 10, -17 - 0.75*64/20},  // inside: x + (1/R−1)(x−T+W/2)²/(2W)
		{-25, 10, -25 - 0.75*0/20.0}, // bottom of the knee meets the identity
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("x%g/knee%g", tt.x, tt.knee), func(t *testing.T) {
			if got := StaticCurve(tt.x, -20, 4, tt.knee); !(math.Abs(got-tt.want) <= 1e-12) {
				t.Errorf("StaticCurve = %g, want %g", got, tt.want)
			}
		})
	}
}

// TestStaticCurveWithSines feeds steady 1 kHz sines from −60 to 0 dBFS in
// 1.5 dB steps and compares the output tone level with StaticCurve(detector
// level) + makeup. The detector level of a sine of peak P dBFS is P for
// peak detection and P − 3.01 dB (its mean square) for RMS detection, so
// for RMS the expected output is P + StaticCurve(P − 3.01) − (P − 3.01).
// A long release (2 s) against a fast attack keeps the gain ripple within a
// cycle small; the first 0.6 s settle (the 50 ms RMS window twelve times
// over) and the last 0.4 s are measured. -short steps by 3 dB.
func TestStaticCurveWithSines(t *testing.T) {
	t.Parallel()
	const f = 1000.0
	rmsOffset := 10 * math.Log10(0.5) // mean square of a unit-peak sine, dB
	tests := []struct {
		name string
		p    CompressorParams
	}{
		{"peak hard knee", CompressorParams{ThresholdDB: -30, Ratio: 4, AttackMS: 0.5, ReleaseMS: 2000}},
		{"peak soft knee", CompressorParams{ThresholdDB: -24, Ratio: 3, KneeDB: 12, AttackMS: 0.5, ReleaseMS: 2000, MakeupDB: 6}},
		{"peak limiter ratio", CompressorParams{ThresholdDB: -12, Ratio: math.Inf(1), KneeDB: 6, AttackMS: 0.5, ReleaseMS: 2000}},
		{"rms hard knee", CompressorParams{ThresholdDB: -30, Ratio: 2, AttackMS: 0.5, ReleaseMS: 2000, Detector: DetectorRMS, RMSWindowMS: 50}},
		{"rms soft knee", CompressorParams{ThresholdDB: -20, Ratio: 8, KneeDB: 10, AttackMS: 0.5, ReleaseMS: 2000, Detector: DetectorRMS, RMSWindowMS: 50, MakeupDB: -3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := 1.5
			if testing.Short() {
				step = 3
			}
			worst := 0.0
			for level := -60.0; level <= 0; level += step {
				c := prepared(t, tt.p, 2)
				buf := audiotest.Sine(fs, 2, int(fs), f, level, 0)
				run(c, buf, nil)
				det := level
				if tt.p.Detector == DetectorRMS {
					det += rmsOffset
				}
				want := level + StaticCurve(det, tt.p.ThresholdDB, tt.p.Ratio, tt.p.KneeDB) - det + tt.p.MakeupDB
				for ch := range buf.Data {
					got := toneLevelDB(buf.Data[ch][int(0.6*fs):], f)
					worst = max(worst, math.Abs(got-want))
					if !(math.Abs(got-want) <= curveTolDB) {
						t.Errorf("in %.1f dBFS ch %d: out %.3f dBFS, want %.3f", level, ch, got, want)
					}
				}
			}
			t.Logf("largest deviation %.4f dB", worst)
		})
	}
}

// stepGR feeds DC at level a for n0 frames then level b for n1 frames
// through c (peak detection reads |DC| exactly, without ripple) and returns
// the gain reduction per frame from the output/input ratio.
func stepGR(c *Compressor, a, b float64, n0, n1 int) []float64 {
	buf := audio.NewBuffer(1, n0+n1)
	for i := range buf.Data[0] {
		if i < n0 {
			buf.Data[0][i] = float32(audio.Amplitude(a))
		} else {
			buf.Data[0][i] = float32(audio.Amplitude(b))
		}
	}
	in := buf.Clone()
	run(c, buf, nil)
	gr := make([]float64, n0+n1)
	for i := range gr {
		gr[i] = -audio.DB(float64(buf.Data[0][i]) / float64(in.Data[0][i]))
	}
	return gr
}

// TestAttackRelease steps the input between −60 dBFS (no gain reduction)
// and 0 dBFS (gain reduction G = 20·(1 − 1/4) = 15 dB, hard knee) and
// measures the time the gain reduction takes to cover 63.2 % (1 − 1/e) of
// the step, which by the documented definition equals the attack or
// release time.
func TestAttackRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ attack, release float64 }{{1, 50}, {10, 120}, {30, 1000}} {
		t.Run(fmt.Sprintf("attack%g/release%g", tc.attack, tc.release), func(t *testing.T) {
			p := CompressorParams{ThresholdDB: -20, Ratio: 4, AttackMS: tc.attack, ReleaseMS: tc.release}
			c := prepared(t, p, 1)
			const g = 15.0 // dB: from StaticCurve(0, −20, 4, 0) = −15
			n0 := int(fs * tc.attack / 1000 * 20)
			n1 := int(fs * tc.release / 1000 * 20)
			attackGR := stepGR(c, -60, 0, 1000, n0)[1000:]
			releaseGR := stepGR(c, 0, -60, n0, n1)
			if d := releaseGR[n0-1] - g; !(math.Abs(d) <= 0.01) {
				t.Fatalf("gain reduction before release %.3f dB, want %.3f", releaseGR[n0-1], g)
			}
			releaseGR = releaseGR[n0:]
			// The first frame after the step already moves by (1−α): the
			// time to 63.2 % is the index of the first frame at or past it, +1.
			ta := float64(firstIndex(attackGR, func(v float64) bool { return v >= (1-1/math.E)*g })+1) / fs * 1000
			tr := float64(firstIndex(releaseGR, func(v float64) bool { return v <= g/math.E })+1) / fs * 1000
			if !(math.Abs(ta/tc.attack-1) <= timeTol) {
				t.Errorf("attack reached 63%% in %.3f ms, want %g ms", ta, tc.attack)
			}
			if !(math.Abs(tr/tc.release-1) <= timeTol) {
				t.Errorf("release reached 63%% in %.3f ms, want %g ms", tr, tc.release)
			}
		})
	}
}

func firstIndex(x []float64, ok func(float64) bool) int {
	for i, v := range x {
		if ok(v) {
			return i
		}
	}
	return len(x)
}

// TestStereoLink puts a 0 dBFS sine in the left channel and a −40 dBFS sine
// (below the threshold) in the right. Linked, both get the left channel's
// gain reduction (20 dB over a −20 dB threshold at ratio 5 → 16 dB);
// unlinked, the right channel passes unchanged.
func TestStereoLink(t *testing.T) {
	t.Parallel()
	const f, grLeft = 1000.0, 16.0
	for _, unlinked := range []bool{false, true} {
		t.Run(fmt.Sprintf("unlinked=%v", unlinked), func(t *testing.T) {
			p := CompressorParams{ThresholdDB: -20, Ratio: 5, AttackMS: 0.5, ReleaseMS: 2000, Unlinked: unlinked}
			c := prepared(t, p, 2)
			buf := audiotest.Sine(fs, 2, int(fs), f, 0, 0)
			audiotest.Scale(&audio.Buffer{Data: buf.Data[1:]}, audio.Amplitude(-40))
			run(c, buf, nil)
			wantRight := -40 - grLeft
			if unlinked {
				wantRight = -40
			}
			if got := toneLevelDB(buf.Data[0][int(0.5*fs):], f); !(math.Abs(got-(-grLeft)) <= curveTolDB) {
				t.Errorf("left %.3f dBFS, want %.3f", got, -grLeft)
			}
			if got := toneLevelDB(buf.Data[1][int(0.5*fs):], f); !(math.Abs(got-wantRight) <= curveTolDB) {
				t.Errorf("right %.3f dBFS, want %.3f", got, wantRight)
			}
			if got := c.GainReductionDB(); !(math.Abs(got-grLeft) <= 0.2) {
				t.Errorf("GainReductionDB %.3f, want ≈ %g", got, grLeft)
			}
		})
	}
}

// TestSidechainHighPass drives a 50 Hz and a 1 kHz sine at −6 dBFS into a
// −30 dB threshold, ratio 4, with and without a 100 Hz sidechain high-pass.
// The detector then reads −6 dB + |H_hp(f)| (the Butterworth high-pass's
// magnitude from biquad), so 50 Hz is compressed much less, 1 kHz the same.
func TestSidechainHighPass(t *testing.T) {
	t.Parallel()
	const thr, ratio, level, corner = -30.0, 4.0, -6.0, 100.0
	hp := biquad.HighPass(fs, corner, math.Sqrt2/2)
	for _, f := range []float64{50, 1000} {
		for _, hpf := range []float64{0, corner} {
			t.Run(fmt.Sprintf("%gHz/hpf%g", f, hpf), func(t *testing.T) {
				p := CompressorParams{ThresholdDB: thr, Ratio: ratio, AttackMS: 0.5, ReleaseMS: 3000, SidechainHPFHz: hpf}
				c := prepared(t, p, 2)
				buf := audiotest.Sine(fs, 2, int(3*fs), f, level, 0)
				run(c, buf, nil)
				det := level
				if hpf > 0 {
					det += hp.MagnitudeDB(f, fs)
				}
				want := level + StaticCurve(det, thr, ratio, 0) - det
				if got := toneLevelDB(buf.Data[0][int(2*fs):], f); !(math.Abs(got-want) <= curveTolDB) {
					t.Errorf("out %.3f dBFS, want %.3f (detector %.2f dBFS)", got, want, det)
				}
			})
		}
	}
}

// TestExternalKey compresses a −30 dBFS 1 kHz sine (below the −20 dB
// threshold) keyed by a 0 dBFS 200 Hz sine: the program is reduced by the
// key's gain reduction, 20·(1 − 1/2) = 10 dB; a silent key leaves a loud
// program untouched. A mono key drives both channels.
func TestExternalKey(t *testing.T) {
	t.Parallel()
	p := CompressorParams{ThresholdDB: -20, Ratio: 2, AttackMS: 0.5, ReleaseMS: 2000}
	tests := []struct {
		name                 string
		progDB, keyDB        float64
		keyChannels          int
		wantDB, wantMeterMax float64
	}{
		{"loud stereo key", -30, 0, 2, -40, 10},
		{"loud mono key", -30, 0, 1, -40, 10},
		{"silent key", 0, math.Inf(-1), 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := prepared(t, p, 2)
			prog := audiotest.Sine(fs, 2, int(fs), 1000, tt.progDB, 0)
			key := audiotest.Sine(fs, tt.keyChannels, int(fs), 200, tt.keyDB, 0)
			keyCopy := key.Clone()
			run(c, prog, key)
			for ch := range prog.Data {
				if got := toneLevelDB(prog.Data[ch][int(0.5*fs):], 1000); !(math.Abs(got-tt.wantDB) <= curveTolDB) {
					t.Errorf("channel %d: %.3f dBFS, want %.3f", ch, got, tt.wantDB)
				}
			}
			// 0.05 dB: the smoothed reduction rides slightly under the
			// target between the key's peaks.
			if got := c.MaxGainReductionDB(); !(math.Abs(got-tt.wantMeterMax) <= 0.05) {
				t.Errorf("MaxGainReductionDB %.3f, want %g", got, tt.wantMeterMax)
			}
			for i, v := range key.Data[0] {
				if v != keyCopy.Data[0][i] {
					t.Fatal("key was modified")
				}
			}
		})
	}
}

// TestMeterReset checks that ResetMeter clears the maximum while the
// current reading follows the release.
func TestMeterReset(t *testing.T) {
	t.Parallel()
	c := prepared(t, CompressorParams{ThresholdDB: -20, Ratio: 4, AttackMS: 1, ReleaseMS: 10}, 1)
	stepGR(c, 0, -60, int(fs/10), int(fs/10)) // 15 dB, then 100 ms = 10 release times
	if got := c.MaxGainReductionDB(); !(math.Abs(got-15) <= 0.01) {
		t.Errorf("max %.3f dB, want 15", got)
	}
	if got := c.GainReductionDB(); got > 15*math.Exp(-9) {
		t.Errorf("current %.4f dB after 10 release times, want < %.4f", got, 15*math.Exp(-9))
	}
	c.ResetMeter()
	if c.MaxGainReductionDB() != 0 {
		t.Errorf("max %.3f after ResetMeter", c.MaxGainReductionDB())
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := CompressorParams{ThresholdDB: -18, Ratio: 3, KneeDB: 6, AttackMS: 10, ReleaseMS: 120}
	tests := []struct {
		name  string
		edit  func(*CompressorParams)
		param string // "" = valid
	}{
		{"valid", func(*CompressorParams) {}, ""},
		{"rms with default window", func(p *CompressorParams) { p.Detector = DetectorRMS }, ""},
		{"infinite ratio", func(p *CompressorParams) { p.Ratio = math.Inf(1) }, ""},
		{"ratio below 1", func(p *CompressorParams) { p.Ratio = 0.5 }, "ratio"},
		{"ratio zero (absent)", func(p *CompressorParams) { p.Ratio = 0 }, "ratio"},
		{"attack zero", func(p *CompressorParams) { p.AttackMS = 0 }, "attack_ms"},
		{"release negative", func(p *CompressorParams) { p.ReleaseMS = -5 }, "release_ms"},
		{"release NaN", func(p *CompressorParams) { p.ReleaseMS = math.NaN() }, "release_ms"},
		{"threshold too high", func(p *CompressorParams) { p.ThresholdDB = 30 }, "threshold_db"},
		{"knee negative", func(p *CompressorParams) { p.KneeDB = -1 }, "knee_db"},
		{"makeup huge", func(p *CompressorParams) { p.MakeupDB = 100 }, "makeup_db"},
		{"detector unknown", func(p *CompressorParams) { p.Detector = "vca" }, "detector"},
		{"rms window negative", func(p *CompressorParams) { p.RMSWindowMS = -1 }, "rms_window_ms"},
		{"hpf above nyquist", func(p *CompressorParams) { p.SidechainHPFHz = 30000 }, "sidechain_hpf_hz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			dsptest.CheckParamError(t, p.Validate(fs), tt.param)
		})
	}
}

// BenchmarkCompressor reports ns per sample per channel on stereo pink
// noise kept 20–30 dB over the threshold, so every frame computes a gain.
func BenchmarkCompressor(b *testing.B) {
	cases := []struct {
		name string
		p    CompressorParams
	}{
		{"peak", CompressorParams{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100}},
		{"rms", CompressorParams{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, Detector: DetectorRMS}},
		{"peak+hpf", CompressorParams{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, SidechainHPFHz: 100}},
		{"unlinked", CompressorParams{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, Unlinked: true}},
	}
	for _, cs := range cases {
		for _, n := range []int{64, 512, 4096} {
			b.Run(fmt.Sprintf("%s/block%d", cs.name, n), func(b *testing.B) {
				c := NewCompressor(cs.p)
				c.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: n, Channels: 2})
				dsptest.BenchProcess(b, c, audiotest.PinkNoise(1, 2, n, -3))
			})
		}
	}
}

// TestNoAllocation checks that Process and ProcessSidechain allocate nothing.
func TestNoAllocation(t *testing.T) {
	for _, p := range []CompressorParams{
		{ThresholdDB: -30, Ratio: 4, AttackMS: 5, ReleaseMS: 100, SidechainHPFHz: 100},
		{ThresholdDB: -30, Ratio: 4, AttackMS: 5, ReleaseMS: 100, Detector: DetectorRMS, Unlinked: true},
	} {
		c := prepared(t, p, 2)
		buf := audiotest.PinkNoise(1, 2, 1024, -3)
		key := audiotest.PinkNoise(2, 1, 1024, -3)
		if n := testing.AllocsPerRun(10, func() { c.Process(buf); c.ProcessSidechain(buf, key) }); n != 0 {
			t.Errorf("%+v: %g allocations per block", p, n)
		}
	}
	c := dsp.NewMidSide(NewCompressor(CompressorParams{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 2, ReleaseMS: 60, MakeupDB: 3}), dsp.ChannelSide)
	c.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 1024, Channels: 2})
	dsptest.CheckNoAllocationSidechain(t, c, audiotest.PinkNoise(1, 2, 1024, -3), audiotest.PinkNoise(2, 2, 1024, -3))
}

// TestSidechainSum: stems through a compressor, stereo or wrapped to work
// on the mid or the side, each keyed by their sum add up to the compressed
// sum within 1e-5 (what stem-aware limiting relies on for a glue
// compressor).
func TestSidechainSum(t *testing.T) {
	t.Parallel()
	const tol = 1e-5
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 6000, -3), audiotest.Sine(fs, 2, 6000, 90, -6, 0), audiotest.WhiteNoise(2, 2, 6000, -12)}
	p := CompressorParams{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 2, ReleaseMS: 60, MakeupDB: 3}
	for _, ch := range []string{"", dsp.ChannelMid, dsp.ChannelSide} {
		d := dsptest.SidechainSum(func() dsp.Sidechained {
			var c dsp.Sidechained = NewCompressor(p)
			if ch != "" {
				c = dsp.NewMidSide(c, ch)
			}
			c.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 512, Channels: 2})
			return c
		}, stems, 512)
		if d > tol {
			t.Errorf("channel %q: stems add up to within %g of the compressed sum, want %g", ch, d, tol)
		}
	}
}
