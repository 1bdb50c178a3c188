// Command listen masters music and generated material at several
// loudness targets with stemmaster and with the two peers an engineer
// would reach for (x42-dpl, true-peak mode, after a measured gain; ffmpeg's
// loudnorm, two passes, linear), and prints what a listener would hear and
// an outside meter would show, beside the input's figures:
//
//   - loudness, loudness range and true peak by ffmpeg's ebur128
//     (peak=true), sample peak by sox stats, and PLR (true peak − loudness);
//   - the stereo image: L/R correlation and side level against mid;
//   - spectral tilt the chain adds: octave-band levels (63 Hz … 16 kHz)
//     after minus before, the mean removed, and their slope in dB/octave;
//   - pumping: the level modulation of the material above 600 Hz (a pad,
//     the kick below 150 Hz filtered out), its 90th minus 10th percentile
//     in 20 ms windows: a limiter whose gain follows the kick shows it.
//
// The generated material (48 kHz, 24-bit, 20 s): drums (a 120 BPM loop of
// kick, snare and hats with sharp attacks), padkick (a sustained pad over
// 700 Hz with a kick under 150 Hz on every beat, the kick 14 dB over the
// pad), basspad (a mono bass and a wide stereo pad) and piano (struck,
// decaying inharmonic tones).
//
//	go run ./bench/cmd/listen [-targets -16,-14,-11,-9] [-francium DIR] [-bin stemmaster] [-work DIR]
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
	"regexp"
	"slices"
	"strconv"
	"strings"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

const rate = 48000

var (
	targets  = flag.String("targets", "-16,-14,-11,-9", "loudness targets, LUFS, comma-separated")
	ceiling  = flag.Float64("ceiling", -1, "true-peak ceiling, dBTP, every tool")
	francium = flag.String("francium", os.Getenv("STEMMASTER_FRANCIUM"), "directory with the francium stems and mix.wav; empty skips them")
	bin      = flag.String("bin", "", "stemmaster binary; empty builds one")
	work     = flag.String("work", "", "work directory (kept); empty uses a temporary one")
	only     = flag.String("only", "", "comma-separated material names to run (drums, padkick, basspad, piano, francium-mix, francium-stems); empty runs all")
)

func main() {
	flag.Parse()
	dir := *work
	if dir == "" {
		d, err := os.MkdirTemp("", "listen")
		check(err)
		defer os.RemoveAll(d)
		dir = d
	}
	check(os.MkdirAll(dir, 0o755))
	sm := *bin
	if sm == "" {
		sm = filepath.Join(dir, "stemmaster")
		cmd := exec.Command("go", "build", "-o", sm, "./cmd/stemmaster")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stderr = os.Stderr
		check(cmd.Run())
	}
	var tg []float64
	for _, s := range strings.Split(*targets, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		check(err)
		tg = append(tg, v)
	}

	type material struct {
		name  string
		input string   // the stereo file the peers get
		stems []string // stemmaster's inputs; nil: input with --stereo
	}
	var mats []material
	for _, g := range generators {
		p := filepath.Join(dir, g.name+".wav")
		writeWAV(p, g.make())
		mats = append(mats, material{name: g.name, input: p})
	}
	if *francium != "" {
		mix := filepath.Join(*francium, "mix.wav")
		if _, err := os.Stat(mix); err == nil {
			mats = append(mats, material{name: "francium-mix", input: mix})
			stems, _ := filepath.Glob(filepath.Join(*francium, "*.wav"))
			stems = slices.DeleteFunc(stems, func(s string) bool { return s == mix })
			mats = append(mats, material{name: "francium-stems", input: mix, stems: stems})
		}
	}
	if *only != "" {
		keep := strings.Split(*only, ",")
		mats = slices.DeleteFunc(mats, func(m material) bool { return !slices.Contains(keep, m.name) })
	}

	fmt.Printf("%-15s %6s %-9s %7s %5s %6s %6s %5s %6s %6s %6s %6s %6s  %s\n",
		"material", "target", "tool", "I", "LRA", "TP", "SP", "PLR", "corr", "S/M", "tilt", "pump", "gain", "octave bands after−before, mean removed (63 Hz … 16 kHz)")
	for _, m := range mats {
		in := decode(m.input)
		fin := figures(m.input, in, nil)
		fin.print(m.name, "—", "input", 0)
		for _, t := range tg {
			out := filepath.Join(dir, fmt.Sprintf("%s_%g", m.name, -t))
			// stemmaster, as an engineer runs it: the default chain to
			// the target and ceiling.
			args := []string{"master", "--no-check", "--target", fmt.Sprint(t), "--ceiling", fmt.Sprint(*ceiling), "-o", out + "-sm"}
			if m.stems == nil {
				args = append(args, "--stereo", m.input)
			} else {
				args = append(args, m.stems...)
			}
			cmd := exec.Command(sm, args...)
			cmd.Stderr = os.Stderr
			check(cmd.Run()) // its summary on stdout is not wanted here
			p := filepath.Join(out+"-sm", "main.wav")
			figures(p, decode(p), fin).print(m.name, fmt.Sprint(t), "stemmaster", 0)
			if m.stems != nil {
				continue // the peers take the mix (the francium-mix lines)
			}
			g, p := x42(m.input, out+"-x42.wav", fin.i, t)
			figures(p, decode(p), fin).print(m.name, fmt.Sprint(t), "x42-dpl", g)
			p, mode := loudnorm(m.input, out+"-ln.wav", t)
			figures(p, decode(p), fin).print(m.name, fmt.Sprint(t), "loudnorm"+mode, 0)
		}
	}
}

// x42 is x42-dpl as its users master with it: a measured gain in front
// (ffmpeg's volume, in float: on the WAV's integers it would clip before
// the limiter sees the peaks) and the limiter at the ceiling, true-peak mode, 80 ms
// release; the gain is corrected from the output's loudness until it reads
// within 0.1 LU of the target (at most five runs). It returns the gain.
func x42(in, out string, inI, target float64) (float64, string) {
	g := target - inI
	for range 5 {
		filter := fmt.Sprintf(`aformat=sample_fmts=flt,volume=%.3fdB,lv2=p=http\\://gareus.org/oss/lv2/dpl#stereo:c=enable=1|gain=0|threshold=%g|release=0.08|truepeak=1`, g, *ceiling)
		run("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-max_size", "65536", "-i", in, "-af", filter, "-c:a", "pcm_s24le", out)
		i, _, _ := ebur128(out)
		if math.Abs(i-target) < 0.1 {
			break
		}
		g += target - i
	}
	return g, out
}

// loudnorm is ffmpeg's loudnorm in two passes, linear when it can be (it
// falls back to its dynamic mode by itself); the output back at 48 kHz.
// The mode it took is returned for the table.
func loudnorm(in, out string, target float64) (string, string) {
	base := fmt.Sprintf("loudnorm=I=%g:TP=%g:LRA=11", target, *ceiling)
	res, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-max_size", "65536", "-i", in, "-af", base+":print_format=json", "-f", "null", "-").CombinedOutput()
	check(err)
	field := func(s, k string) string {
		m := regexp.MustCompile(`"` + k + `" : "([^"]*)"`).FindStringSubmatch(s)
		if m == nil {
			check(fmt.Errorf("loudnorm: no %s in %s", k, s))
		}
		return m[1]
	}
	f := fmt.Sprintf("%s:measured_I=%s:measured_LRA=%s:measured_TP=%s:measured_thresh=%s:offset=%s:linear=true:print_format=json",
		base, field(string(res), "input_i"), field(string(res), "input_lra"), field(string(res), "input_tp"), field(string(res), "input_thresh"), field(string(res), "target_offset"))
	res, err = exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-y", "-max_size", "65536", "-i", in, "-af", f, "-ar", "48000", "-c:a", "pcm_s24le", out).CombinedOutput()
	check(err)
	mode := "(" + strings.ToLower(field(string(res), "normalization_type"))[:3] + ")"
	return out, mode
}

// fig is one file's figures.
type fig struct {
	i, lra, tp, sp float64
	corr, sm       float64
	bands          []float64 // octave-band levels, dB
	tilt, pump     float64
	diff           []float64 // bands after − before, mean removed
	hasIn          bool
}

func figures(path string, b *audio.Buffer, in *fig) *fig {
	f := &fig{}
	f.i, f.lra, f.tp = ebur128(path)
	f.sp = soxPeak(path)
	f.corr, f.sm = image(b)
	f.bands = octaves(b)
	f.pump = pump(b)
	if in != nil {
		f.hasIn = true
		var mean float64
		for k := range f.bands {
			f.diff = append(f.diff, f.bands[k]-in.bands[k])
			mean += f.diff[k]
		}
		mean /= float64(len(f.diff))
		for k := range f.diff {
			f.diff[k] -= mean
		}
		f.tilt = slope(f.diff)
	}
	return f
}

func (f *fig) print(name, target, tool string, gain float64) {
	bands := ""
	if f.hasIn {
		for _, d := range f.diff {
			bands += fmt.Sprintf(" %+5.1f", d)
		}
	}
	gs := ""
	if gain != 0 {
		gs = fmt.Sprintf("%+.1f", gain)
	}
	fmt.Printf("%-15s %6s %-9s %7.2f %5.1f %6.2f %6.2f %5.1f %6.3f %6.1f %6.2f %6.2f %6s %s\n",
		name, target, tool, f.i, f.lra, f.tp, f.sp, f.tp-f.i, f.corr, f.sm, f.tilt, f.pump, gs, bands)
}

// ebur128 reads ffmpeg's summary: integrated loudness, loudness range and
// true peak (the larger channel's).
func ebur128(path string) (i, lra, tp float64) {
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-max_size", "65536", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
	check(err)
	s := string(out)
	k := strings.LastIndex(s, "Summary:")
	if k < 0 {
		check(fmt.Errorf("ebur128: no summary for %s", path))
	}
	s = s[k:]
	num := func(re string) float64 {
		m := regexp.MustCompile(re).FindStringSubmatch(s)
		if m == nil {
			check(fmt.Errorf("ebur128: %s not found for %s", re, path))
		}
		v, err := strconv.ParseFloat(m[1], 64)
		check(err)
		return v
	}
	return num(`I:\s+(-?[0-9.]+) LUFS`), num(`LRA:\s+(-?[0-9.]+) LU`), num(`Peak:\s+(-?[0-9.]+) dBFS`)
}

// soxPeak is sox stats' sample peak, dBFS.
func soxPeak(path string) float64 {
	out, err := exec.Command("sox", "-D", path, "-n", "stats").CombinedOutput()
	check(err)
	m := regexp.MustCompile(`Pk lev dB\s+(-?[0-9.]+|-inf)`).FindStringSubmatch(string(out))
	if m == nil {
		check(fmt.Errorf("sox stats: no peak for %s", path))
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// image is the L/R correlation and the side level against mid, dB.
func image(b *audio.Buffer) (corr, sm float64) {
	l, r := b.Data[0], b.Data[1]
	var ll, rr, lr, mm, ss float64
	for n := range l {
		x, y := float64(l[n]), float64(r[n])
		ll += x * x
		rr += y * y
		lr += x * y
		m, s := (x+y)/2, (x-y)/2
		mm += m * m
		ss += s * s
	}
	return lr / math.Sqrt(ll*rr), 10 * math.Log10(ss/mm)
}

// centres are the octave bands' centres, Hz.
var centres = []float64{63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000}

// octaves is the level of each octave band (a biquad band-pass, Q √2,
// both channels summed in power), dB.
func octaves(b *audio.Buffer) []float64 {
	var out []float64
	for _, fc := range centres {
		var e float64
		for _, ch := range b.Data {
			bp := bandPass(fc, math.Sqrt2)
			for _, v := range ch {
				y := bp.step(float64(v))
				e += y * y
			}
		}
		out = append(out, 10*math.Log10(e/float64(b.Frames())+1e-30))
	}
	return out
}

// slope is the least-squares slope of d over octaves, dB per octave.
func slope(d []float64) float64 {
	n := float64(len(d))
	var sx, sy, sxx, sxy float64
	for k, v := range d {
		x := float64(k)
		sx += x
		sy += v
		sxx += x * x
		sxy += x * v
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// pump is the level modulation above 600 Hz: the 90th minus the 10th
// percentile of the 20 ms RMS levels (mid channel), dB, the first and last
// second left out.
func pump(b *audio.Buffer) float64 {
	h1, h2 := highPass(600, 0.5412), highPass(600, 1.3066) // 4th-order Butterworth
	const w = rate / 50
	var lv []float64
	var e float64
	for n := range b.Frames() {
		x := (float64(b.Data[0][n]) + float64(b.Data[1][n])) / 2
		y := h2.step(h1.step(x))
		e += y * y
		if (n+1)%w == 0 {
			if n > rate && n < b.Frames()-rate {
				lv = append(lv, 10*math.Log10(e/w+1e-30))
			}
			e = 0
		}
	}
	if len(lv) == 0 {
		return math.NaN()
	}
	slices.Sort(lv)
	return lv[len(lv)*9/10] - lv[len(lv)/10]
}

// biquad is a direct-form-I section (RBJ cookbook coefficients).
type biquad struct{ b0, b1, b2, a1, a2, x1, x2, y1, y2 float64 }

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1, f.y2, f.y1 = f.x1, x, f.y1, y
	return y
}

func bandPass(f0, q float64) *biquad {
	w := 2 * math.Pi * f0 / rate
	al := math.Sin(w) / (2 * q)
	a0 := 1 + al
	return &biquad{b0: al / a0, b2: -al / a0, a1: -2 * math.Cos(w) / a0, a2: (1 - al) / a0}
}

func highPass(f0, q float64) *biquad {
	w := 2 * math.Pi * f0 / rate
	al, c := math.Sin(w)/(2*q), math.Cos(w)
	a0 := 1 + al
	return &biquad{b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

// The generated material.

// writeWAV writes b as a 24-bit WAV through ffmpeg.
func writeWAV(path string, b *audio.Buffer) {
	raw := path + ".f32"
	check(os.WriteFile(raw, audiotest.F32LE(b), 0o600))
	defer os.Remove(raw)
	run("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "f32le", "-ar", fmt.Sprint(rate), "-ac", "2", "-i", raw, "-c:a", "pcm_s24le", path)
}

func decode(path string) *audio.Buffer {
	b, err := audiotest.DecodeStereoFFmpeg(path)
	check(err)
	return b
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
}
