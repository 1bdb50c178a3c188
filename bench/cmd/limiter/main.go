// Command limiter compares stemmaster's true-peak limiter with x42-dpl
// (Debian x42-plugins, hosted through ffmpeg's lv2 filter) on the same
// signals in one run, and prints both sides' figures: SMPTE intermodulation
// (60 Hz + 7 kHz, 4:1) driven +3/+6/+12 dB into the limiter, the THD+N of
// sines (20, 40, 100 Hz and 1 kHz driven 0, +6 and +12 dB), the true peak
// and the number of overs by an ideal 16× reference on pink noise driven
// +12 dB, and, when the francium mix is present, the drive each needs for
// −9 LUFS with the loudness range and true peak it leaves. Both run with
// ceiling −1 dBTP, 5 ms look-ahead (x42-dpl's is fixed), 80 ms release,
// x42-dpl with its true-peak mode on. Signals are 32-bit float end to end.
//
//	go run ./bench/cmd/limiter [-character transparent|punchy|dense] [-release 80] [-francium DIR]
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

const (
	rate    = 48000
	ceiling = -1.0
)

var (
	character = flag.String("character", "", "stemmaster limiter character (transparent, punchy, dense; empty = default)")
	releaseMS = flag.Float64("release", 80, "release time, ms, both limiters")
	francium  = flag.String("francium", "", "directory with the francium stems (mix.wav); empty = look in ../shared/testdata")
	noX42     = flag.Bool("no-x42", false, "skip x42-dpl")
	bassHz    = flag.Float64("bass", 60, "low tone of the IMD test, Hz (SMPTE: 60; must divide 48000 into whole periods)")
)

func main() {
	flag.Parse()
	tmp, err := os.MkdirTemp("", "limiterbench")
	check(err)
	defer os.RemoveAll(tmp)
	haveX42 := !*noX42 && x42Available()
	if !haveX42 && !*noX42 {
		fmt.Fprintln(os.Stderr, "limiter: ffmpeg with the lv2 filter and x42-dpl (Debian x42-plugins) not found; printing stemmaster only")
	}
	run := func(x *audio.Buffer) (ours, x42 *audio.Buffer) {
		ours = ourLimit(x)
		if haveX42 {
			x42 = x42Limit(tmp, x)
		}
		return ours, x42
	}
	fmt.Printf("limiter bench: ceiling %.1f dBTP, release %g ms, stemmaster character %q, 48 kHz float\n\n", ceiling, *releaseMS, *character)
	fmt.Printf("%-38s %-26s %-26s\n", "test", "stemmaster", "x42-dpl (true peak on)")

	// SMPTE RP120 IMD: 60 Hz and 7 kHz, 4:1 in amplitude, the sum peaking
	// at the ceiling before the drive.
	for _, drive := range []float64{3, 6, 12} {
		x := smpte(4*rate, ceiling+drive)
		o, k := run(x)
		fmt.Printf("%-38s %-26s %-26s\n", fmt.Sprintf("IMD %g Hz + 7 kHz 4:1, drive +%g dB", *bassHz, drive), imdText(o), imdText(k))
	}
	// THD+N of steady sines driven into the limiter: a constant envelope
	// asks for a constant gain, so what is left past the fitted tone is
	// the limiter's own modulation of it (a release that follows the
	// waveform, a gain that steps). Low tones are the hard case: their
	// period nears the release.
	for _, hz := range []float64{20, 40, 100, 1000} {
		for _, drive := range []float64{0, 6, 12} {
			x := audiotest.Sine(rate, 2, 4*rate, hz, ceiling+drive, 0)
			o, k := run(x)
			fmt.Printf("%-38s %-26s %-26s\n", fmt.Sprintf("THD+N %g Hz sine, drive +%g dB", hz, drive), thdnText(o, hz), thdnText(k, hz))
		}
	}
	ref := audiotest.NewTruePeak16x()
	tpText := func(b *audio.Buffer) string {
		if b == nil {
			return "-"
		}
		p, overs := ref.TruePeakDB(b, ceiling)
		return fmt.Sprintf("%.3f dBTP, %d overs", p, overs)
	}
	// Pink noise peaking at the ceiling, driven +12 dB.
	x := audiotest.PinkNoise(7, 2, 10*rate, ceiling+12)
	o, k := run(x)
	fmt.Printf("%-38s %-26s %-26s\n", "pink noise +12 dB, 16× TP", tpText(o), tpText(k))

	dir := *francium
	if dir == "" {
		if root, err := moduleRoot(); err == nil {
			dir = filepath.Join(root, "..", "shared", "testdata", "francium")
			if _, err := os.Stat(dir); err != nil {
				dir = "/work/shared/testdata/francium"
			}
		}
	}
	mix, err := readWAV(filepath.Join(dir, "mix.wav"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "limiter: francium mix not found, skipping the −9 LUFS test:", err)
		return
	}
	const target = -9.0
	od, oy := driveFor(mix, target, ourLimit)
	st := lastStats
	fmt.Printf("%-38s %-26s", "francium mix to −9 LUFS: drive", fmt.Sprintf("+%.2f dB", od))
	var kd float64
	var ky *audio.Buffer
	if haveX42 {
		kd, ky = driveFor(mix, target, func(b *audio.Buffer) *audio.Buffer { return x42Limit(tmp, b) })
		fmt.Printf(" %-26s", fmt.Sprintf("+%.2f dB", kd))
	}
	fmt.Println()
	lt := func(b *audio.Buffer) string {
		if b == nil {
			return "-"
		}
		r := loudness.Measure(b, rate, loudness.Options{})
		return fmt.Sprintf("%.2f LUFS, LRA %.2f LU", r.IntegratedLUFS, r.LoudnessRangeLU)
	}
	in := loudness.Measure(mix, rate, loudness.Options{})
	fmt.Printf("%-38s %-26s %-26s   (mix as delivered: LRA %.2f LU)\n", "  loudness, loudness range", lt(oy), lt(ky), in.LoudnessRangeLU)
	fmt.Printf("%-38s %-26s %-26s\n", "  16× TP", tpText(oy), tpText(ky))
	fmt.Printf("%-38s %-26s %-26s\n", "  gain reduction mean / max", fmt.Sprintf("%.2f / %.2f dB", st.MeanGRDB, st.MaxGRDB), "(not reported by x42-dpl)")
}

// driveFor finds by bisection the drive (dB) that brings limit(x·drive) to
// the target integrated loudness, and returns it with that output.
func driveFor(x *audio.Buffer, target float64, limit func(*audio.Buffer) *audio.Buffer) (float64, *audio.Buffer) {
	lo, hi := 0.0, 24.0
	var y *audio.Buffer
	var d float64
	for range 9 {
		d = (lo + hi) / 2
		y = limit(gained(x, d))
		l := loudness.Measure(y, rate, loudness.Options{}).IntegratedLUFS
		if math.Abs(l-target) < 0.02 {
			break
		}
		if l < target {
			lo = d
		} else {
			hi = d
		}
	}
	return d, y
}

func gained(x *audio.Buffer, db float64) *audio.Buffer {
	y := x.Clone()
	audiotest.Scale(y, audio.Amplitude(db))
	return y
}

func smpte(frames int, peakDB float64) *audio.Buffer {
	b := audio.NewBuffer(2, frames)
	a := audio.Amplitude(peakDB)
	for i := range frames {
		t := float64(i) / rate
		v := a * (0.8*math.Sin(2*math.Pi**bassHz*t) + 0.2*math.Sin(2*math.Pi*7000*t))
		b.Data[0][i], b.Data[1][i] = float32(v), float32(v)
	}
	return b
}

// imd is the SMPTE intermodulation of y's left channel: the RMS sum of the
// sidebands 7 kHz ± k·60 Hz (k = 1 … 4) relative to the 7 kHz carrier, fitted
// over whole 60 Hz periods of the middle of the signal (after the limiter
// has settled).
func imd(y *audio.Buffer) float64 {
	ch := y.Data[0]
	from := len(ch) / 4
	period := int(math.Round(rate / *bassHz))
	to := from + (len(ch)/2)/period*period // whole periods of the low tone
	w := func(f float64) float64 { return 2 * math.Pi * f / rate }
	carrier, _, _ := audiotest.FitSine(ch, w(7000), from, to)
	var ss float64
	for k := 1.0; k <= 4; k++ {
		for _, f := range []float64{7000 - *bassHz*k, 7000 + *bassHz*k} {
			a, _, _ := audiotest.FitSine(ch, w(f), from, to)
			ss += a * a
		}
	}
	return math.Sqrt(ss) / carrier
}

// thdn is the THD+N of y's left channel, a sine of hz Hz: the RMS of what
// is left after fitting the tone (and any DC) over whole periods of the
// middle half of the signal, after the limiter has settled, relative to
// the tone's RMS.
func thdn(y *audio.Buffer, hz float64) float64 {
	ch := y.Data[0]
	from := len(ch) / 4
	period := rate / hz
	to := from + int(math.Floor(float64(len(ch)/2)/period)*period)
	amp, _, resid := audiotest.FitSine(ch, 2*math.Pi*hz/rate, from, to)
	return resid / (amp / math.Sqrt2)
}

func thdnText(b *audio.Buffer, hz float64) string {
	if b == nil {
		return "-"
	}
	v := thdn(b, hz)
	return fmt.Sprintf("%.1f dB (%.3f %%)", audio.DB(v), 100*v)
}

func imdText(b *audio.Buffer) string {
	if b == nil {
		return "-"
	}
	v := imd(b)
	return fmt.Sprintf("%.1f dB (%.3f %%)", audio.DB(v), 100*v)
}

func ourLimit(x *audio.Buffer) *audio.Buffer {
	p := limiter.Params{CeilingDBTP: ceiling, LookaheadMS: 5, ReleaseMS: *releaseMS, Character: *character}
	if err := p.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "limiter:", err)
		os.Exit(2)
	}
	l := limiter.New(p)
	l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: x.Channels()})
	n := x.Frames() + l.Latency()
	y := audio.NewBuffer(x.Channels(), n)
	for c := range x.Data {
		copy(y.Data[c], x.Data[c])
	}
	for at := 0; at < n; at += 4096 {
		end := min(at+4096, n)
		b := &audio.Buffer{Data: make([][]float32, y.Channels())}
		for c := range b.Data {
			b.Data[c] = y.Data[c][at:end]
		}
		l.Process(b)
	}
	lastStats = l.Stats()
	// Drop the latency so both sides' outputs line up with the input.
	for c := range y.Data {
		y.Data[c] = y.Data[c][l.Latency():]
	}
	return y
}

// lastStats are the statistics of the last ourLimit call.
var lastStats limiter.Stats

func x42Available() bool {
	out, err := exec.Command("ffmpeg", "-hide_banner", "-filters").Output()
	if err != nil || !strings.Contains(string(out), " lv2 ") {
		return false
	}
	_, err = os.Stat("/usr/lib/lv2/dpl.lv2/dpl.so")
	return err == nil
}

// x42Limit runs x through x42-dpl (stereo) in ffmpeg, raw 32-bit float in
// and out; ffmpeg's lv2 host does not compensate the plug-in's latency, so
// the output is padded by a second of silence and the plug-in's reported
// latency is not needed: the figures are taken on the whole output.
func x42Limit(tmp string, x *audio.Buffer) *audio.Buffer {
	in, out := filepath.Join(tmp, "in.f32"), filepath.Join(tmp, "out.f32")
	pad := audio.NewBuffer(x.Channels(), rate/2)
	writeRaw(in, audiotest.Concat(x, pad))
	filter := fmt.Sprintf(`lv2=p=http\\://gareus.org/oss/lv2/dpl#stereo:c=enable=1|gain=0|threshold=%g|release=%g|truepeak=1`, ceiling, *releaseMS/1000)
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "f32le", "-ar", fmt.Sprint(rate), "-ac", "2", "-i", in,
		"-af", filter, "-f", "f32le", "-ar", fmt.Sprint(rate), "-ac", "2", out)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
	return readRaw(out, x.Channels())
}

func writeRaw(path string, b *audio.Buffer) {
	check(os.WriteFile(path, audiotest.F32LE(b), 0o600))
}

func readRaw(path string, channels int) *audio.Buffer {
	raw, err := os.ReadFile(path)
	check(err)
	return audiotest.FromF32LE(raw, channels)
}

func readWAV(path string) (*audio.Buffer, error) {
	f, err := audio.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info := f.Info()
	if info.Format.SampleRate != rate {
		return nil, fmt.Errorf("%s: %d Hz, want %d", path, info.Format.SampleRate, rate)
	}
	var parts []*audio.Buffer
	for {
		b := audio.NewBuffer(info.Format.Channels, 65536)
		n, err := f.Read(b)
		if n > 0 {
			b.SetFrames(n)
			parts = append(parts, b)
		}
		if err != nil || n == 0 {
			break
		}
	}
	return audiotest.Concat(parts...), nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "limiter:", err)
		os.Exit(1)
	}
}
