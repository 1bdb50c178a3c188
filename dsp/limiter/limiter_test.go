package limiter

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// Tolerances.
const (
	// overshoot16xDB: the output's true peak, measured with the 16×
	// reference, is at or below the ceiling: no overs at all.
	overshoot16xDB = 0.0
	// untouchedDB: a sine 3 dB under the ceiling must pass within 0.001 dB.
	untouchedDB = 0.001
	// ffmpegPreciseTolDB: ffmpeg's per-frame true peak is printed linear to
	// 3 decimals, ±0.0005 at 0.89 (−1 dBTP), i.e. ±0.005 dB.
	ffmpegPreciseTolDB = 0.005
)

// process runs l over x in blocks of the given size (in place on a copy)
// and returns the output, len(x)+latency frames so nothing stays inside.
func process(l *TruePeakLimiter, x *audio.Buffer, block int) *audio.Buffer {
	n := x.Frames() + l.Latency()
	y := audio.NewBuffer(x.Channels(), n)
	for c := range x.Data {
		copy(y.Data[c], x.Data[c])
	}
	dsptest.ProcessBlocks(l, y, block, nil)
	return y
}

func newLimiter(p Params, rate float64, channels int) *TruePeakLimiter {
	l := New(p)
	l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: channels})
	return l
}

// reference16x is the tests' true-peak oracle, independent of the
// limiter's detector: audiotest's 16× reference (a Kaiser-windowed sinc
// with 48 zero crossings each side), reporting where the peak is.
type reference16x struct{ *audiotest.TruePeak16x }

func newReference16x() reference16x { return reference16x{audiotest.NewTruePeak16x()} }

// truePeakDB returns the true peak of b (max over channels, dBTP) and the
// frame where it is; b is taken to be silent before and after.
func (r reference16x) truePeakDB(b *audio.Buffer) (float64, int) {
	return r.truePeakRangeDB(b, 0, b.Frames())
}

// truePeakRangeDB is truePeakDB over the frames [from, to) only (the
// interpolation still uses the neighbours outside).
func (r reference16x) truePeakRangeDB(b *audio.Buffer, from, to int) (float64, int) {
	best, at := 0.0, 0
	for n, p := range r.FramePeaks(b)[from:to] {
		if p > best {
			best, at = p, from+n
		}
	}
	return audio.DB(best), at
}

func TestReference16xMeasuresKnownPeaks(t *testing.T) {
	t.Parallel()
	// The oracle itself: an fs/4 sine sampled at 45° has sample peak
	// −3.01 dB below its true peak (sin 45° = 0.7071); a 997 Hz sine's true
	// peak is its amplitude.
	const tol = 0.005 // dB: sampling miss at 16× plus window ripple
	ref := newReference16x()
	cases := []struct {
		name string
		x    *audio.Buffer
		want float64
	}{
		{"fs/4 at 45°, samples at -3.01 dBFS", audiotest.Sine(48000, 1, 4800, 12000, 0, math.Pi/4), 0},
		{"997 Hz at -1 dBFS", audiotest.Sine(48000, 1, 4800, 997, -1, 0.1), -1},
		{"19 kHz at -6 dBFS", audiotest.Sine(44100, 1, 4410, 19000, -6, 0.3), -6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// skip the edges, where the zero padding is a discontinuity
			got, _ := ref.truePeakRangeDB(c.x, 200, c.x.Frames()-200)
			if math.Abs(got-c.want) > tol {
				t.Errorf("true peak %.4f dBTP, want %.2f", got, c.want)
			}
		})
	}
}

// adversarial returns the signals that are hardest on a true-peak ceiling
// at a sample rate, in stereo, about one second each.
func adversarial(rate float64) []struct {
	name string
	x    *audio.Buffer
} {
	n := int(rate)
	square := func(period float64, peak float64) *audio.Buffer {
		b := audio.NewBuffer(2, n)
		for i := range n {
			v := float32(peak)
			if math.Mod(float64(i), period) >= period/2 {
				v = -v
			}
			b.Data[0][i] = v
			b.Data[1][i] = -v
		}
		return b
	}
	impulses := audio.NewBuffer(2, n)
	for i := 100; i < n; i += 97 + (i/97)%50 {
		impulses.Data[0][i] = 1
		impulses.Data[1][(i+n/2)%n] = -1
	}
	pairs := audio.NewBuffer(2, n)
	for i := 100; i < n-1; i += 301 {
		pairs.Data[0][i], pairs.Data[0][i+1] = 1, -1 // a near-Nyquist burst
		pairs.Data[1][i], pairs.Data[1][i+1] = 1, 1
	}
	sines := audiotest.Sine(rate, 2, n, rate/4, 0, math.Pi/4)
	for i := range sines.Data[1] { // second channel fs/4 at 0 dB, 45°, swept in level
		sines.Data[1][i] *= float32(0.5 + 0.5*float64(i)/float64(n))
	}
	hot := audiotest.Sine(rate, 2, n, 0.45*rate, 6, 0.3)
	return []struct {
		name string
		x    *audio.Buffer
	}{
		{"square 0 dBFS, period 100", square(100, 1)},
		{"square 0 dBFS, period 7.3", square(7.3, 1)},
		{"square +6 dBFS, period 33.3", square(33.3, 2)},
		{"fs/4 sine at 45°, +3 dBTP", sines},
		{"single-sample impulses 0 dBFS", impulses},
		{"impulse pairs", pairs},
		{"white noise +12 dBFS", audiotest.WhiteNoise(42, 2, n, 12)},
		{"0.45·fs sine +6 dBFS", hot},
	}
}

func TestTruePeakAdversarial(t *testing.T) {
	t.Parallel()
	// The output's true peak, measured by an independent 16× interpolator,
	// is at most overshoot16xDB above the ceiling.
	ref := newReference16x()
	for _, rate := range []float64{44100, 48000, 96000, 192000} {
		for _, s := range adversarial(rate) {
			t.Run(fmt.Sprintf("%g/%s", rate, s.name), func(t *testing.T) {
				p := DefaultParams()
				l := newLimiter(p, rate, 2)
				y := process(l, s.x, 512)
				got, at := ref.truePeakDB(y)
				t.Logf("%gx: output true peak %.4f dBTP at frame %d (ceiling %.1f), max GR %.2f dB",
					float64(detectionFactor), got, at, p.CeilingDBTP, l.Stats().MaxGRDB)
				if got > p.CeilingDBTP+overshoot16xDB {
					t.Errorf("true peak %.4f dBTP > ceiling %.1f + %.1f dB", got, p.CeilingDBTP, overshoot16xDB)
				}
			})
		}
	}
}

// meterTruePeak measures y with the loudness package's BS.1770-4 meter.
// It reports a test failure instead of crashing when the meter panics (it
// is a contract stub until the meter work lands).
func meterTruePeak(t *testing.T, y *audio.Buffer, rate float64) (db float64, ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("loudness meter unavailable: %v", r)
			ok = false
		}
	}()
	return loudness.Measure(y, rate, loudness.Options{TruePeak: true}).TruePeakDBTP, true
}

var (
	ffmpegPeak      = regexp.MustCompile(`True peak:\s+Peak:\s+(-?[0-9.]+|-inf) dBFS`)
	ffmpegFramePeak = regexp.MustCompile(`lavfi\.r128\.true_peak=([0-9.]+)`)
)

// ffmpegTruePeak writes y as a 32-bit float WAV and reads its true peak
// from ffmpeg's ebur128 filter: the summary (printed to 0.1 dB) and the
// largest per-frame value from the filter's metadata (linear, 3 decimals).
func ffmpegTruePeak(t *testing.T, y *audio.Buffer, rate int) (summary, precise float64) {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed")
	}
	path := filepath.Join(t.TempDir(), "out.wav")
	audiotest.WriteFile(t, path, "wav", audio.Format{SampleRate: rate, Channels: y.Channels(), BitDepth: 32, SampleFormat: audio.Float}, y)
	out, err := exec.Command(ff, "-hide_banner", "-nostats", "-i", path,
		"-af", "ebur128=peak=true:metadata=1,ametadata=mode=print:key=lavfi.r128.true_peak", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	m := ffmpegPeak.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no true peak in ffmpeg output:\n%s", out)
	}
	summary, err = strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		summary = math.Inf(-1)
	}
	var lin float64
	for _, m := range ffmpegFramePeak.FindAllSubmatch(out, -1) {
		if v, err := strconv.ParseFloat(string(m[1]), 64); err == nil && v > lin {
			lin = v
		}
	}
	return summary, audio.DB(lin)
}

func TestTruePeakMeters(t *testing.T) {
	t.Parallel()
	// The output's true peak read by the loudness package's BS.1770-4 meter
	// and by ffmpeg's ebur128 filter is at or below the ceiling (both
	// meters oversample 4× with their own filters).
	for _, rate := range []float64{44100, 48000} {
		for _, s := range adversarial(rate) {
			t.Run(fmt.Sprintf("%g/%s", rate, s.name), func(t *testing.T) {
				p := DefaultParams()
				y := process(newLimiter(p, rate, 2), s.x, 4096)
				mt, ffp := checkMeters(t, y, rate, p.CeilingDBTP)
				t.Logf("true peak: loudness meter %.3f dBTP, ffmpeg per-frame maximum %.3f dBTP", mt, ffp)
			})
		}
	}
}

// checkMeters reads y's true peak with the loudness meter and ffmpeg (each
// skipped when unavailable) and reports either over the ceiling; it
// returns the meter's reading and ffmpeg's per-frame maximum.
func checkMeters(t *testing.T, y *audio.Buffer, rate, ceiling float64) (meter, ffmpegFrames float64) {
	t.Helper()
	mt, ok := meterTruePeak(t, y, rate)
	if ok && mt > ceiling {
		t.Errorf("loudness meter: true peak %.3f dBTP > ceiling %.1f", mt, ceiling)
	}
	ff, ffp := ffmpegTruePeak(t, y, int(rate))
	if ff > ceiling || ffp > ceiling+ffmpegPreciseTolDB {
		t.Errorf("ffmpeg: true peak %.1f dBTP (per-frame maximum %.3f) > ceiling %.1f", ff, ffp, ceiling)
	}
	return mt, ffp
}

func TestTruePeakNoiseSeeds(t *testing.T) {
	t.Parallel()
	// Full-band noise is where interpolators disagree most (the near-Nyquist
	// guard exists for it): several seeds at both CD and video rates, read
	// by the 16× reference, the loudness meter and ffmpeg.
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	ref := newReference16x()
	for seed := range seeds {
		rate := []float64{44100, 48000}[seed%2]
		t.Run(fmt.Sprintf("seed%d/%g", seed, rate), func(t *testing.T) {
			p := DefaultParams()
			x := audiotest.WhiteNoise(uint64(100+seed), 2, int(rate), 12)
			y := process(newLimiter(p, rate, 2), x, 4096)
			rt, _ := ref.truePeakDB(y)
			if rt > p.CeilingDBTP+overshoot16xDB {
				t.Errorf("16× reference: true peak %.4f dBTP > ceiling %.1f + %.1f dB", rt, p.CeilingDBTP, overshoot16xDB)
			}
			mt, ffp := checkMeters(t, y, rate, p.CeilingDBTP)
			t.Logf("true peak: 16× %.3f, loudness meter %.3f, ffmpeg %.3f dBTP", rt, mt, ffp)
		})
	}
}

// readHead decodes the first maxFrames frames of a file (all of a shorter
// one) and returns them with the sample rate.
func readHead(t testing.TB, path string, maxFrames int) (*audio.Buffer, int) {
	t.Helper()
	all, info := audiotest.ReadFile(t, path)
	if all.Frames() > maxFrames {
		all.SetFrames(maxFrames)
	}
	return all, info.Format.SampleRate
}

func TestFranciumMixDriven12dB(t *testing.T) {
	t.Parallel()
	// The francium mix (true peak −2.8 dBTP per its README) driven +12 dB
	// into the limiter: its output true peak by the 16× reference is at most
	// overshoot16xDB above the ceiling, by the loudness meter and ffmpeg at
	// or below it. In -short mode only the first 10 s.
	path := filepath.Join(audiotest.FranciumDir(t), "mix.wav")
	seconds := 45
	if testing.Short() {
		seconds = 10
	}
	x, rate := readHead(t, path, seconds*48000)
	audiotest.Scale(x, audio.Amplitude(12))
	p := DefaultParams()
	l := newLimiter(p, float64(rate), x.Channels())
	y := process(l, x, 4096)
	st := l.Stats()
	t.Logf("GR: max %.2f dB, mean %.2f dB, mean active %.2f dB, active %.1f %%", st.MaxGRDB, st.MeanGRDB, st.MeanActiveGRDB, 100*st.ActiveShare)
	got, at := newReference16x().truePeakDB(y)
	t.Logf("16× reference: true peak %.4f dBTP at frame %d", got, at)
	if got > p.CeilingDBTP+overshoot16xDB {
		t.Errorf("16× reference: true peak %.4f dBTP > ceiling %.1f + %.1f dB", got, p.CeilingDBTP, overshoot16xDB)
	}
	got, ok := meterTruePeak(t, y, float64(rate))
	if ok && got > p.CeilingDBTP {
		t.Errorf("loudness meter: true peak %.3f dBTP > ceiling %.1f", got, p.CeilingDBTP)
	}
	ff, ffp := ffmpegTruePeak(t, y, rate)
	if ff > p.CeilingDBTP || ffp > p.CeilingDBTP+ffmpegPreciseTolDB {
		t.Errorf("ffmpeg: true peak %.1f dBTP (per-frame maximum %.3f) > ceiling %.1f", ff, ffp, p.CeilingDBTP)
	}
	t.Logf("true peak: loudness meter %.3f dBTP, ffmpeg %.1f dBTP (per-frame maximum %.3f)", got, ff, ffp)
}

func TestSineBelowCeilingUntouched(t *testing.T) {
	t.Parallel()
	// A sine 3 dB under the ceiling comes out unchanged after Latency()
	// frames (within 0.001 dB would do; the gain is exactly 1, so the
	// samples are bit-identical) and no gain reduction is reported.
	for _, rate := range []float64{44100, 48000, 96000} {
		for _, freq := range []float64{997, 5000, 15000} {
			t.Run(fmt.Sprintf("%g/%g", rate, freq), func(t *testing.T) {
				p := DefaultParams()
				x := audiotest.Sine(rate, 2, int(rate/2), freq, p.CeilingDBTP-3, 0.4)
				l := newLimiter(p, rate, 2)
				y := process(l, x, 512)
				d := l.Latency()
				var worst float64
				for c := range x.Data {
					for i, v := range x.Data[c] {
						worst = math.Max(worst, math.Abs(float64(y.Data[c][i+d])-float64(v)))
					}
				}
				a := audio.Amplitude(p.CeilingDBTP - 3)
				if db := audio.DB(1 + worst/a); db > untouchedDB {
					t.Errorf("deviation %.3g (%.5f dB of the peak) > %.3f dB", worst, db, untouchedDB)
				}
				if st := l.Stats(); st.MaxGRDB != 0 || st.ActiveShare != 0 {
					t.Errorf("stats %+v, want no reduction", st)
				}
			})
		}
	}
}

func TestLatencyImpulse(t *testing.T) {
	t.Parallel()
	// An impulse below the ceiling comes out exactly Latency() frames later,
	// unchanged, and nothing else comes out. Expected latency: detector
	// 32 + 6/2 frames, look-ahead round(5 ms·fs), guard 4 − 1.
	for _, rate := range []float64{44100, 48000, 96000, 192000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			l := newLimiter(DefaultParams(), rate, 2)
			want := 35 + int(math.Round(0.005*rate)) + 3
			if l.Latency() != want {
				t.Errorf("Latency() = %d, want %d", l.Latency(), want)
			}
			x := audiotest.Impulse(2, 3000, 1234, -6)
			y := process(l, x, 256)
			for c := range y.Data {
				for i, v := range y.Data[c] {
					want := float32(0)
					if i == 1234+l.Latency() {
						want = x.Data[c][1234]
					}
					if v != want {
						t.Fatalf("channel %d frame %d: %g, want %g", c, i, v, want)
					}
				}
			}
		})
	}
}

func TestGainIsSmooth(t *testing.T) {
	t.Parallel()
	// No steps, no clicks: the gain (read from a constant 0.25 on the second
	// channel, which the stereo link makes follow the first) changes from one
	// frame to the next by at most (1 − g_min)/min(L1, L2), the largest slope
	// of the two cascaded boxes (L1 + L2 = L + 1), plus float32 rounding.
	const rate = 48000.0
	n := int(rate)
	x := audio.NewBuffer(2, 3*n)
	loud := audiotest.Concat(audiotest.WhiteNoise(9, 1, n/2, 12), audiotest.Silence(1, n/3), audiotest.WhiteNoise(10, 1, n/5, 6))
	copy(x.Data[0][n/4:], loud.Data[0])
	sq := adversarial(rate)[1].x.Data[0]
	copy(x.Data[0][2*n:], sq[:n/2])
	for i := range x.Data[1] {
		x.Data[1][i] = 0.25
	}
	l := newLimiter(DefaultParams(), rate, 2)
	y := process(l, x, 512)
	d := l.Latency()
	gmin, step := 1.0, 0.0
	prev := 1.0
	for i := range x.Data[1] {
		g := float64(y.Data[1][i+d]) / 0.25
		gmin = math.Min(gmin, g)
		step = math.Max(step, math.Abs(g-prev))
		prev = g
	}
	L := int(math.Round(0.005 * rate))
	bound := (1-gmin)/float64(L/2) + 1e-6
	t.Logf("min gain %.4f (%.2f dB), largest step %.3g, bound %.3g", gmin, audio.DB(gmin), step, bound)
	if step > bound {
		t.Errorf("largest gain step %.3g > %.3g", step, bound)
	}
	if gmin > 0.5 {
		t.Errorf("min gain %.3f: the test signal did not drive the limiter", gmin)
	}
}

func TestBlockSizeInvariance(t *testing.T) {
	t.Parallel()
	// The output does not depend on how the stream is cut into blocks
	// (including blocks larger than MaxBlockSize, processed in chunks).
	x := audiotest.WhiteNoise(5, 2, 20000, 9)
	ref := process(newLimiter(DefaultParams(), 48000, 2), x, 4096)
	for _, block := range []int{1, 37, 512, 10000} {
		y := process(newLimiter(DefaultParams(), 48000, 2), x, block)
		dsptest.CheckSameBits(t, y, ref, fmt.Sprintf("block %d against 4096", block))
	}
}

func TestResetRepeats(t *testing.T) {
	t.Parallel()
	x := audiotest.WhiteNoise(6, 2, 5000, 6)
	l := newLimiter(DefaultParams(), 48000, 2)
	a := process(l, x, 512)
	sa := l.Stats()
	l.Reset()
	b := process(l, x, 512)
	if sb := l.Stats(); sa != sb {
		t.Errorf("stats after Reset %+v, want %+v", sb, sa)
	}
	dsptest.CheckSameBits(t, b, a, "after Reset, against the first run")
}

func TestNoAllocation(t *testing.T) {
	l := newLimiter(DefaultParams(), 48000, 2)
	dsptest.CheckNoAllocation(t, l, audiotest.WhiteNoise(1, 2, 4096, 6))
}

func BenchmarkProcess(b *testing.B) {
	// Stereo white noise at +6 dBFS at 48 kHz: the limiter is reducing
	// gain on almost every frame (the expensive path).
	for _, block := range []int{64, 512, 4096} {
		b.Run(fmt.Sprintf("block%d", block), func(b *testing.B) {
			dsptest.BenchProcess(b, newLimiter(DefaultParams(), 48000, 2), audiotest.WhiteNoise(1, 2, block, 6))
		})
	}
}

// BenchmarkProcessUnder: a master a few dB under the ceiling (tones and
// pink noise peaking at -3 dBFS, stereo, 48 kHz, 4096-frame blocks), where
// nothing is limited and chunks take the exact skip when the bound allows.
func BenchmarkProcessUnder(b *testing.B) {
	const fs, frames = 48000, 48000
	x := audiotest.PinkNoise(2, 2, frames, -12)
	for c, ch := range x.Data {
		for i := range ch {
			t := float64(i) / fs
			ch[i] += float32(0.3*math.Sin(2*math.Pi*(110+float64(c))*t) + 0.15*math.Sin(2*math.Pi*1760*t))
		}
	}
	g := float32(audio.Amplitude(-3)) / max(loudnessPeak(x.Data[0]), loudnessPeak(x.Data[1]))
	for _, ch := range x.Data {
		for i := range ch {
			ch[i] *= g
		}
	}
	l := newLimiter(DefaultParams(), fs, 2)
	buf := x.Clone()
	b.ResetTimer()
	for b.Loop() {
		for c := range buf.Data {
			copy(buf.Data[c], x.Data[c])
		}
		for at := 0; at < frames; at += 4096 {
			end := min(at+4096, frames)
			l.Process(&audio.Buffer{Data: [][]float32{buf.Data[0][at:end], buf.Data[1][at:end]}})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
}

func loudnessPeak(x []float32) float32 {
	var p float32
	for _, v := range x {
		p = max(p, v, -v)
	}
	return p
}

func TestChannelCountsAndRePrepare(t *testing.T) {
	t.Parallel()
	// Mono and 6-channel streams are limited with one linked gain, and
	// Prepare may be called again for another rate and layout. Expected: the
	// fs/4 sine at 45° (true peak 0 dBTP, by construction) comes out at the
	// ceiling within overshoot16xDB, in every channel count.
	ref := newReference16x()
	l := New(DefaultParams())
	for _, c := range []struct {
		rate     float64
		channels int
	}{{48000, 1}, {44100, 6}, {96000, 2}} {
		t.Run(fmt.Sprintf("%g/%dch", c.rate, c.channels), func(t *testing.T) {
			l.Prepare(dsp.Spec{SampleRate: c.rate, MaxBlockSize: 1024, Channels: c.channels})
			x := audiotest.Sine(c.rate, c.channels, int(c.rate/4), c.rate/4, 0, math.Pi/4)
			y := process(l, x, 1024)
			got, _ := ref.truePeakDB(y)
			if got > DefaultCeilingDBTP+overshoot16xDB || got < DefaultCeilingDBTP-0.2 {
				t.Errorf("true peak %.3f dBTP, want within [%.1f, %.1f]", got, DefaultCeilingDBTP-0.2, DefaultCeilingDBTP+overshoot16xDB)
			}
		})
	}
}

func TestExactSkipIsExact(t *testing.T) {
	t.Parallel()
	// The exact skip (see processChunk) and the idle gain path (see
	// gainChunk) must not change a single output sample or statistic: the same signal through a limiter that never
	// skips is the reference. The signal alternates quiet passages (where
	// chunks are skipped) with loud ones (limited), at block sizes that cut
	// chunks differently; the test fails too when nothing was skipped.
	x := audiotest.Concat(
		audiotest.PinkNoise(1, 2, 30000, -24), audiotest.WhiteNoise(2, 2, 7000, 6),
		audiotest.Sine(48000, 2, 20000, 19000, -14, 0.3), audiotest.PinkNoise(3, 2, 9000, -3),
		audiotest.Silence(2, 3000), audiotest.PinkNoise(4, 2, 30000, -20), audiotest.Sine(48000, 2, 9000, 997, -0.5, 0),
		// Smooth and a few dB under the ceiling: skipped by the smooth
		// bound (smoothbound.go), up to a peak that is limited.
		audiotest.Sine(48000, 2, 20000, 220, -2.5, 0.1), audiotest.PinkNoise(5, 2, 20000, -6),
		audiotest.Sine(48000, 2, 6000, 4000, -1.2, 0.4))
	for _, block := range []int{37, 512, 4096} {
		t.Run(fmt.Sprint(block), func(t *testing.T) {
			ref := newLimiter(DefaultParams(), 48000, 2)
			ref.noSkip = true
			l := newLimiter(DefaultParams(), 48000, 2)
			want, got := x.Clone(), x.Clone()
			for at := 0; at < x.Frames(); at += block {
				end := min(at+block, x.Frames())
				ref.Process(&audio.Buffer{Data: [][]float32{want.Data[0][at:end], want.Data[1][at:end]}})
				l.Process(&audio.Buffer{Data: [][]float32{got.Data[0][at:end], got.Data[1][at:end]}})
				// The state the next block starts from is the same too.
				if l.z1 != ref.z1 || l.z2 != ref.z2 || l.framePeak != ref.framePeak {
					t.Fatalf("after frame %d: detector state %g %g %g, want %g %g %g",
						end, l.z1, l.z2, l.framePeak, ref.z1, ref.z2, ref.framePeak)
				}
				for c := range l.det.ch {
					h1, h2 := 2*l.det.s1.k-1, 2*l.det.s2.k-1
					if !slices.Equal(l.det.ch[c].x[:h1], ref.det.ch[c].x[:h1]) || !slices.Equal(l.det.ch[c].m[:h2], ref.det.ch[c].m[:h2]) {
						t.Fatalf("after frame %d: channel %d interpolator history differs", end, c)
					}
				}
			}
			if l.skipped == 0 || l.idleChunks == 0 {
				t.Fatalf("%d chunks took the exact skip, %d the idle gain path: want some of each", l.skipped, l.idleChunks)
			}
			dsptest.CheckSameBits(t, got, want, "without the skip")
			if a, b := l.Stats(), ref.Stats(); a != b {
				t.Errorf("stats %+v, want %+v", a, b)
			}
			t.Logf("%d chunks skipped, %d idle", l.skipped, l.idleChunks)
		})
	}
}

func BenchmarkProcessFrancium(b *testing.B) {
	// Music: the francium mix (10 s), as delivered (its true peak is −2.8
	// dBTP, just under the −1 dBTP ceiling's internal −1.05) and driven +6 dB
	// into the limiter, fed block after block; it reports the share of
	// chunks that took the exact skip too.
	path := filepath.Join(audiotest.FranciumDir(b), "mix.wav")
	mix, rate := readHead(b, path, 10*48000)
	for _, drive := range []float64{0, 6} {
		for _, block := range []int{64, 512, 4096} {
			b.Run(fmt.Sprintf("%+gdB/block%d", drive, block), func(b *testing.B) {
				src := mix.Clone()
				audiotest.Scale(src, audio.Amplitude(drive))
				buf := audio.NewBuffer(src.Channels(), block)
				l := newLimiter(DefaultParams(), float64(rate), src.Channels())
				at := 0
				cpu0 := dsptest.CPUTime()
				for b.Loop() {
					if at+block > src.Frames() {
						at = 0
					}
					for c := range buf.Data {
						copy(buf.Data[c], src.Data[c][at:at+block])
					}
					l.Process(buf)
					at += block
				}
				dsptest.ReportPerSample(b, cpu0, block*src.Channels())
				chunks := float64(b.N) * math.Ceil(float64(block)/chunkFrames)
				b.ReportMetric(100*float64(l.skipped)/chunks, "%skipped")
			})
		}
	}
}
