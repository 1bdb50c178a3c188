package engine

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// Targeting tolerances: our meter reads the main master within
// ±0.1 LU of the target; ffmpeg's ebur128 within ±0.2 LU (its gating grid
// and true-peak filter differ slightly from ours).
const (
	ourTolLU    = 0.1
	ffmpegTolLU = 0.2
	tpTolDB     = 0.0 // the ceiling is a hard limit: no tolerance
)

func targetSession(dir, preset string) *stemmaster.Session {
	t, _ := stemmaster.TargetPreset(preset)
	s := &stemmaster.Session{Dir: dir, Master: stemmaster.Master{Target: &t},
		Outputs: []stemmaster.Output{
			{Format: "wav", BitDepth: 24},
			{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
		}}
	for _, f := range audiotest.FranciumStems {
		s.Stems = append(s.Stems, stemmaster.StemSpec{File: f})
	}
	return s
}

func TestTargetPresets(t *testing.T) {
	t.Parallel()
	fr := audiotest.FranciumDir(t)
	presets := stemmaster.TargetPresets
	if testing.Short() {
		presets = presets[:1]
	}
	for _, tg := range presets {
		t.Run(tg.Preset, func(t *testing.T) {
			out := t.TempDir()
			rep, err := Render(context.Background(), targetSession(fr, tg.Preset), Options{OutDir: out})
			if err != nil {
				t.Fatal(err)
			}
			m := rep.Master.Main
			t.Logf("gain %.2f dB after %d passes: I %.2f LUFS, TP %.2f dBTP; limiter GR max %.2f dB; %.1f× real time",
				float64(rep.Master.GainDB), rep.Master.Iterations, float64(m.IntegratedLUFS), float64(m.TruePeakDBTP),
				float64(rep.Master.Limiter.MaxDB), float64(rep.XRealTime))
			// More than 6 dB of peak limiting (the default warning
			// threshold) must be reported, and only then.
			warned := false
			for _, w := range rep.Warnings {
				warned = warned || strings.Contains(w, "of peak limiting")
			}
			if heavy := float64(rep.Master.Limiter.MaxDB) > 6; heavy != warned {
				t.Errorf("limiter GR %.1f dB, warned %v; warnings %q", float64(rep.Master.Limiter.MaxDB), warned, rep.Warnings)
			}
			for _, o := range rep.Outputs {
				if d := float64(o.IntegratedLUFS) - tg.IntegratedLUFS; math.Abs(d) > ourTolLU && o.SampleRate == 48000 {
					t.Errorf("%s reads %.2f LUFS, %+.2f LU off target", o.File, float64(o.IntegratedLUFS), d)
				}
				if float64(o.TruePeakDBTP) > tg.TruePeakDBTP+tpTolDB {
					t.Errorf("%s true peak %.2f dBTP over the %.1f ceiling", o.File, float64(o.TruePeakDBTP), tg.TruePeakDBTP)
				}
				ffmpegCheck(t, filepath.Join(out, o.File), tg, o.SampleRate == 48000)
			}
		})
	}
}

var ebur128Re = regexp.MustCompile(`(?s)Integrated loudness:\s+I:\s+(-?[\d.]+) LUFS.*True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS`)

// ffmpegCheck reads a file with ffmpeg's ebur128 filter (true peak on) and
// checks the target and ceiling; loudness only when checkI.
func ffmpegCheck(t *testing.T, path string, tg stemmaster.Target, checkI bool) {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Log("ffmpeg not installed; skipping its ebur128 cross-check")
		return
	}
	var stderr bytes.Buffer
	cmd := exec.Command(ff, "-hide_banner", "-nostats", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, stderr.String())
	}
	m := ebur128Re.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("cannot parse ffmpeg's summary:\n%s", stderr.String())
	}
	I, _ := strconv.ParseFloat(m[1], 64)
	tp, _ := strconv.ParseFloat(m[2], 64)
	if checkI && math.Abs(I-tg.IntegratedLUFS) > ffmpegTolLU {
		t.Errorf("ffmpeg reads %s at %.1f LUFS, target %.1f", filepath.Base(path), I, tg.IntegratedLUFS)
	}
	if tp > tg.TruePeakDBTP {
		t.Errorf("ffmpeg reads %s true peak %.1f dBTP over the %.1f ceiling", filepath.Base(path), tp, tg.TruePeakDBTP)
	}
	t.Logf("ffmpeg %s: I %.1f LUFS, TP %.1f dBTP", filepath.Base(path), I, tp)
}

// TestTargetGainBounded: a stem of faint noise (-90 dBFS) with one loud
// click reads -27 LUFS, all of it from the click, which the limiter takes
// away: targeting raised the gain by 81 dB, until the noise alone read the
// target. The master gain stops at stemmaster.MaxGainDB, and the warning
// says why; a genuinely quiet song (-57 LUFS) still reaches the target.
// TestTargetQuietest: a song whose quiet half lies 12 dB under its loud
// half, mastered to the quietest target a session takes, reads it in one
// pass, its quiet half still counted (a -70 target, refused now, read
// -69.3 after 7 passes with the loudness range halved).
func TestTargetQuietest(t *testing.T) {
	t.Parallel()
	const n = 4 * rate
	song := audiotest.Concat(audiotest.PinkNoise(7, 2, n, -6), audiotest.PinkNoise(8, 2, n, -18))
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "s.wav", song, rate)
	target := stemmaster.Target{IntegratedLUFS: stemmaster.MinTargetLUFS, TruePeakDBTP: -1}
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "s.wav"}}, Master: stemmaster.Master{Target: &target}}
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if I := float64(rep.Master.Main.IntegratedLUFS); !(math.Abs(I-stemmaster.MinTargetLUFS) <= ourTolLU) || rep.Master.Iterations != 1 {
		t.Errorf("reads %.2f LUFS after %d passes, want %g in 1", I, rep.Master.Iterations, stemmaster.MinTargetLUFS)
	}
}

func TestTargetGainBounded(t *testing.T) {
	t.Parallel()
	const n = 6 * rate
	click := audiotest.WhiteNoise(5, 2, n, -90)
	for c := range click.Data {
		for i := 3 * rate; i < 3*rate+48; i++ {
			click.Data[c][i] = float32(0.9 * float64(1-2*(i%2)))
		}
	}
	for _, tc := range []struct {
		name string
		buf  *audio.Buffer
		warn string // in a warning; "" for none about the gain
	}{
		{"click in noise", click, "the master gain stops at +48 dB"},
		{"quiet song", audiotest.PinkNoise(6, 2, n, -47), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			audiotest.WriteFloatWAV(t, dir, "s.wav", tc.buf, rate)
			s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "s.wav"}}}
			rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			w := strings.Join(rep.Warnings, "\n")
			if g := float64(rep.Master.GainDB); g > stemmaster.MaxGainDB || (tc.warn != "") != strings.Contains(w, "master gain stops") || !strings.Contains(w, tc.warn) {
				t.Errorf("gain %+.2f dB, warnings:\n%s\nwant at most %+g dB and %q", g, w, stemmaster.MaxGainDB, tc.warn)
			}
			// The quiet song needs more than +40 dB: it shows the bound
			// leaves room under it.
			if I, g := float64(rep.Master.Main.IntegratedLUFS), float64(rep.Master.GainDB); tc.warn == "" && (!(math.Abs(I+14) <= ourTolLU) || g < 40) {
				t.Errorf("the quiet song reads %.2f LUFS at %+.2f dB; want -14 at more than +40 dB", I, g)
			}
		})
	}
}

// TestTargetBeyondTheMaterial: a steady 20 Hz sine at 0 dBFS reads
// −14.0 LUFS; under a −1 dBTP ceiling it reads −15.05, however hard it is
// driven into the limiter, since the limiter only takes away what the gain
// adds (squaring the wave off adds a little loudness, as distortion). So
// −14 LUFS is out of reach: the master stops where more gain stops adding
// loudness — at most a dB of gain reduction, the sine left a sine (THD+N
// under −50 dB; the limiter's release ripples a little on a 20 Hz wave
// even at 0.4 dB of reduction, −58 dB) — and says why. (A search chasing
// the target would drive it the full +48 dB into the limiter: 49 dB of
// reduction, a square wave at −14.66 LUFS.) The same session at −23 LUFS
// is reachable and met.
func TestTargetBeyondTheMaterial(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 6
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "sine.wav", audiotest.Sine(rate, 2, seconds*rate, 20, 0, 0), rate)
	for _, c := range []struct {
		lufs    float64
		reached bool
	}{{-14, false}, {-23, true}} {
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "sine.wav"}},
			Master:  stemmaster.Master{Target: &stemmaster.Target{IntegratedLUFS: c.lufs, TruePeakDBTP: -1}, Limiter: &stemmaster.LimiterParams{}},
			Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		m := rep.Master
		t.Logf("target %g: gain %+.2f dB, %d passes, GR %.2f dB, I %.2f LUFS; warnings %q", c.lufs, float64(m.GainDB), m.Iterations,
			float64(m.Limiter.MaxDB), float64(m.Main.IntegratedLUFS), rep.Warnings)
		beyond := false
		for _, w := range rep.Warnings {
			beyond = beyond || strings.Contains(w, "is beyond what the material holds")
		}
		if c.reached {
			if beyond || math.Abs(float64(m.Main.IntegratedLUFS)-c.lufs) > ourTolLU {
				t.Errorf("target %g: I %.2f LUFS, warnings %q; want the target met without a warning", c.lufs, float64(m.Main.IntegratedLUFS), rep.Warnings)
			}
			continue
		}
		if !beyond {
			t.Errorf("target %g: no warning that it is beyond the material: %q", c.lufs, rep.Warnings)
		}
		if gr := float64(m.Limiter.MaxDB); gr > 1 {
			t.Errorf("target %g: %.2f dB of gain reduction on a sine that cannot get louder, want ≤ 1 dB", c.lufs, gr)
		}
		if l := float64(m.Main.IntegratedLUFS); math.Abs(l-(-15.05)) > 0.1 {
			t.Errorf("target %g: master reads %.2f LUFS, want the sine at the ceiling, −15.05 ± 0.1", c.lufs, l)
		}
		y, _ := readAll(t, filepath.Join(out, rep.Outputs[0].File))
		from := y.Frames() / 3
		to := from + (y.Frames()/2)/(rate/20)*(rate/20) // whole periods
		amp, _, resid := audiotest.FitSine(y.Data[0], 2*math.Pi*20/rate, from, to)
		if thdn := audio.DB(resid / (amp / math.Sqrt2)); thdn > -50 {
			t.Errorf("target %g: THD+N of the master %.1f dB, want under −50 dB (a sine, not a squared-off wave)", c.lufs, thdn)
		}
	}
}

// TestTargetBeyondClippedNoise: clipped noise (Gaussian at −3 dBFS RMS,
// clipped at ±1, +1.9 LUFS as delivered) reads at most about −4.7 LUFS
// through the limiter under −1 dBTP however hard it is driven: louder
// peaks are only taken away again. Asked for −4 and −2 LUFS, the master
// stops where a dB more gain adds under squashLUPerDB, under 0 dB of
// gain (it went to +44 dB and 52 dB of reduction), says the target is beyond the material and by
// how much it misses, and reads within 0.35 LU of the loudest the material
// holds (−4.75 LUFS at +48 dB of gain; the −6 LUFS master is reached
// without a warning).
func TestTargetBeyondClippedNoise(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 6
	dir := t.TempDir()
	x := audiotest.GaussianNoise(3, 2, seconds*rate, -3)
	for _, ch := range x.Data {
		for i, v := range ch {
			ch[i] = max(-1, min(1, v))
		}
	}
	audiotest.WriteFloatWAV(t, dir, "noise.wav", x, rate)
	for _, lufs := range []float64{-6, -4, -2} {
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "noise.wav"}},
			Master:  stemmaster.Master{Target: &stemmaster.Target{IntegratedLUFS: lufs, TruePeakDBTP: -1}, Limiter: &stemmaster.LimiterParams{}},
			Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}}
		rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		m := rep.Master
		got := float64(m.Main.IntegratedLUFS)
		t.Logf("target %g: gain %+.2f dB, %d passes, GR %.2f dB, I %.2f LUFS; warnings %q", lufs, float64(m.GainDB), m.Iterations,
			float64(m.Limiter.MaxDB), got, rep.Warnings)
		beyond, short := false, false
		for _, w := range rep.Warnings {
			beyond = beyond || strings.Contains(w, "is beyond what the material holds")
			short = short || strings.Contains(w, fmt.Sprintf("%+.2f LU off the %g LUFS target", got-lufs, lufs))
		}
		if lufs == -6 {
			if beyond || math.Abs(got-lufs) > ourTolLU {
				t.Errorf("target %g: I %.2f LUFS, warnings %q; want the target met without a warning", lufs, got, rep.Warnings)
			}
			continue
		}
		if !beyond || !short {
			t.Errorf("target %g: warnings %q; want one that it is beyond the material and one that says by how much", lufs, rep.Warnings)
		}
		if g := float64(m.GainDB); g > 0 {
			t.Errorf("target %g: master gain %+.1f dB; want it stopped where more gain stops adding loudness", lufs, g)
		}
		if got < -5.1 || got > lufs {
			t.Errorf("target %g: master reads %.2f LUFS, want within 0.35 LU of the most the material holds (−4.75)", lufs, got)
		}
	}
}

// TestUnmeasurableSumSaysWhy: a sum whose loudness BS.1770 cannot give is
// mastered at 0 dB with a warning that says which of the two causes it is:
// a song of 0.3 s is shorter than the 400 ms block (its length named), a
// silent one has no block over the −70 LUFS gate. Both read "silent or too
// short", which leaves the engineer to guess which to fix.
func TestUnmeasurableSumSaysWhy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		stem *audio.Buffer
		want string
	}{
		{"0.3 s", audiotest.Sine(48000, 2, 14400, 997, -12, 0), "the sum is 0.30 s long, shorter than the 0.4 s block"},
		{"silent", audiotest.Silence(2, 96000), "the sum is silent: nothing in it reaches BS.1770's −70 LUFS gate"},
	} {
		dir := t.TempDir()
		audiotest.WriteWAV(t, dir, "a.wav", c.stem, 48000, 24)
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "a.wav"}}}
		rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.HasPrefix(w, c.want) }) || rep.Master.GainDB != 0 {
			t.Errorf("%s: gain %v dB, warnings %q: want 0 dB and one beginning %q", c.name, rep.Master.GainDB, rep.Warnings, c.want)
		}
	}
}
