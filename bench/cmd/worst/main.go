// Command worst masters synthetic worst cases for a true-peak limiter and a
// loudness target with the stemmaster binary and reads every deliverable
// with outside meters: a 20 Hz sine at 0 dBFS, naive square waves at
// 0 dBFS, clipped Gaussian noise, inter-sample-peak bursts (fs/4 sines at
// 45°, whose true peak is 3 dB over their samples) on a quiet bed, a fade
// from silence, and a 1-sample click on a quiet bed. Each is one stereo
// stem mastered to −14, −9 and −23 LUFS at −1 dBTP, at 44.1, 48 and
// 96 kHz, into 24-bit and TPDF-dithered 16-bit WAV at the stem's rate.
//
// Per file it prints the report's integrated loudness and true peak beside
// ffmpeg's ebur128 (true peak at 192 kHz whatever the rate), the peak of
// the file upsampled 4× and 8× by ffmpeg's own resampler (aresample,
// astats), stemmaster's meter at 4× and 8× and an ideal 16× reference
// (internal/audiotest) on the file as ffmpeg decodes it, and, not held, the
// peak after soxr's 8× upsampling: soxr low-passes under Nyquist (it reads
// a limited click 0.4 dB under its sample peak) and its steep band edge
// rings over broadband peaks (0.3 dB over the 16× reference), so it reads
// what a steep reconstruction filter makes of the file, not its true peak.
//
// It exits 1 when a true-peak reading is over the ceiling by more than
// tolOver (0.05 dB: the file's rounding and dither are far under it; a
// limiter that lets an inter-sample peak through reads 0.3 dB and more over
// on these signals), or when the report does not warn that the target is
// missed and its figure is more than ToleranceLU (0.1 LU) off the target,
// or ebur128's more than ToleranceLU plus the EBU Tech 3341 meter tolerance
// (0.1 LU).
//
//	go run ./bench/cmd/worst [-stemmaster PATH] [-seconds 20] [-rates 44100,48000,96000] [-targets -14,-9,-23] [-keep DIR]
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

const (
	ceiling     = -1.0
	tolOver     = 0.05 // dB over the ceiling any reading may show
	toleranceLU = 0.1  // engine.ToleranceLU: the report's figure
	meterLU     = 0.1  // EBU Tech 3341: an outside meter's reading
)

var (
	binary  = flag.String("stemmaster", "", "stemmaster binary (empty: go build ./cmd/stemmaster)")
	seconds = flag.Float64("seconds", 20, "length of each signal, s")
	rates   = flag.String("rates", "44100,48000,96000", "sample rates, Hz")
	targets = flag.String("targets", "-14,-9,-23", "integrated loudness targets, LUFS")
	only    = flag.String("only", "", "run only the signals whose name contains this")
	keep    = flag.String("keep", "", "keep the stems, sessions and outputs in this directory")
)

// signal is one worst case: its name and its samples at a rate.
type signal struct {
	name string
	make func(rate float64, frames int) *audio.Buffer
}

var signals = []signal{
	{"sine20-0dBFS", func(r float64, n int) *audio.Buffer { return audiotest.Sine(r, 2, n, 20, 0, 0) }},
	{"square-0dBFS", func(r float64, n int) *audio.Buffer {
		// Naive (aliased) squares, 441 Hz left and 1 kHz right: every
		// edge rings past full scale once band-limited.
		b := audio.NewBuffer(2, n)
		for c, f := range []float64{441, 1000} {
			for i := range n {
				if math.Mod(float64(i)*f/r, 1) < 0.5 {
					b.Data[c][i] = 1
				} else {
					b.Data[c][i] = -1
				}
			}
		}
		return b
	}},
	{"clipped-noise", func(r float64, n int) *audio.Buffer {
		b := audiotest.GaussianNoise(3, 2, n, -3) // about a third of the samples past ±1
		for _, ch := range b.Data {
			for i, v := range ch {
				ch[i] = max(-1, min(1, v))
			}
		}
		return b
	}},
	{"isp-bursts", func(r float64, n int) *audio.Buffer {
		// 50 ms of fs/4 at 45° (samples ±0.99·√½·√2 = ±0.99, the
		// waveform between them 3 dB higher) every 500 ms on pink noise
		// at −30 dBFS.
		b := audiotest.PinkNoise(5, 2, n, -30)
		burst, every := int(0.05*r), int(0.5*r)
		a := 0.99 * math.Sqrt2
		for at := every / 2; at+burst < n; at += every {
			for i := range burst {
				v := float32(a * math.Sin(math.Pi/2*float64(i)+math.Pi/4))
				b.Data[0][at+i] = v
				b.Data[1][at+i] = -v
			}
		}
		return b
	}},
	{"fade-in", func(r float64, n int) *audio.Buffer {
		// A quarter of silence, then pink noise peaking at 0 dBFS faded
		// in linearly over half the signal.
		b := audiotest.PinkNoise(7, 2, n, 0)
		start, ramp := n/4, n/2
		for _, ch := range b.Data {
			for i := range ch {
				ch[i] *= float32(min(1, max(0, float64(i-start)/float64(ramp))))
			}
		}
		return b
	}},
	{"click", func(r float64, n int) *audio.Buffer {
		// Pink noise at −40 dBFS with one full-scale sample in the middle.
		b := audiotest.PinkNoise(9, 2, n, -40)
		b.Data[0][n/2], b.Data[1][n/2] = 1, 1
		return b
	}},
}

type output struct {
	File       string  `json:"file"`
	SampleRate int     `json:"sample_rate"`
	BitDepth   int     `json:"bit_depth"`
	Integrated float64 `json:"integrated_lufs"`
	TruePeak   float64 `json:"true_peak_dbtp"`
}

type report struct {
	Outputs  []output `json:"outputs"`
	Warnings []string `json:"warnings"`
	Master   struct {
		GainDB float64 `json:"gain_db"`
	} `json:"master"`
}

func main() {
	flag.Parse()
	for _, tool := range []string{"ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			fail(fmt.Errorf("%s not found", tool))
		}
	}
	work := *keep
	if work == "" {
		var err error
		work, err = os.MkdirTemp("", "worst")
		check(err)
		defer os.RemoveAll(work)
	}
	sm := *binary
	if sm == "" {
		sm = filepath.Join(work, "stemmaster")
		cmd := exec.Command("go", "build", "-o", sm, "./cmd/stemmaster")
		cmd.Stderr = os.Stderr
		check(cmd.Run())
	}
	fmt.Printf("ceiling %.1f dBTP; over = a reading above it by more than %.2f dB\n", ceiling, tolOver)
	fmt.Printf("%-36s %7s %7s | %6s %6s %6s %6s %6s %6s %6s | %6s | %s\n", "file", "I ours", "ebur128",
		"TP rep", "ebu", "ff 4×", "ff 8×", "our 4×", "our 8×", "16×", "soxr8×", "")
	bad := 0
	for _, rs := range strings.Split(*rates, ",") {
		rate, err := strconv.Atoi(rs)
		check(err)
		for _, sg := range signals {
			if !strings.Contains(sg.name, *only) {
				continue
			}
			dir := filepath.Join(work, fmt.Sprintf("%s-%d", sg.name, rate))
			check(os.MkdirAll(dir, 0o755))
			stem := filepath.Join(dir, "stem.wav")
			b := sg.make(float64(rate), int(*seconds*float64(rate)))
			check(audiotest.Write(stem, "wav", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, b))
			for _, ts := range strings.Split(*targets, ",") {
				tgt, err := strconv.ParseFloat(ts, 64)
				check(err)
				bad += master(sm, dir, stem, tgt)
			}
		}
	}
	if bad > 0 {
		fmt.Printf("%d problems\n", bad)
		os.Exit(1)
	}
	fmt.Println("no true-peak over; every target met or its miss explained")
}

// master renders one session and checks its deliverables; it returns the
// number of problems found.
func master(sm, dir, stem string, tgt float64) int {
	out := filepath.Join(dir, fmt.Sprintf("out%g", tgt))
	check(os.MkdirAll(out, 0o755))
	session := filepath.Join(dir, fmt.Sprintf("session%g.yaml", tgt))
	check(os.WriteFile(session, fmt.Appendf(nil, `stems:
  - file: %s
master:
  limiter: {}
  target: {integrated_lufs: %g, true_peak_dbtp: %g}
outputs:
  - {format: wav, bit_depth: 24, suffix: w24}
  - {format: wav, bit_depth: 16, dither: tpdf, suffix: w16}
`, stem, tgt, ceiling), 0o644))
	cmd := exec.Command(sm, "master", "-s", session, "-o", out, "--no-check")
	if msg, err := cmd.CombinedOutput(); err != nil {
		// Exit status 1 may mean only that findings or warnings remain;
		// report.json tells.
		if _, serr := os.Stat(filepath.Join(out, "report.json")); serr != nil {
			fail(fmt.Errorf("%s: %v\n%s", session, err, msg))
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	check(err)
	var rep report
	check(json.Unmarshal(raw, &rep))
	missed := ""
	for _, w := range rep.Warnings {
		if strings.Contains(w, "LUFS target") || strings.Contains(w, "master gain stops") || strings.Contains(w, "silent") {
			missed = w
		}
	}
	bad := 0
	for _, o := range rep.Outputs {
		path := filepath.Join(out, o.File)
		i, _, ebuTP, err := audiotest.FFmpegR128(path)
		check(err)
		ff4, ff8 := ffPeak(path, o.SampleRate, 4, ""), ffPeak(path, o.SampleRate, 8, "")
		soxr := ffPeak(path, o.SampleRate, 8, ":resampler=soxr:precision=28")
		b, err := audiotest.DecodeStereoFFmpeg(path)
		check(err)
		our4, our8 := ourTP(b, o.SampleRate, 4), ourTP(b, o.SampleRate, 8)
		ref, _ := ref16.TruePeakDB(b, ceiling)
		var flags []string
		for _, tp := range []float64{o.TruePeak, ebuTP, ff4, ff8, our4, our8, ref} {
			if tp > ceiling+tolOver {
				flags = append(flags, "OVER")
				break
			}
		}
		switch {
		case missed == "" && (math.Abs(o.Integrated-tgt) > toleranceLU+0.005 || math.Abs(i-tgt) > toleranceLU+meterLU):
			flags = append(flags, "TARGET")
		case missed != "" && math.Abs(o.Integrated-tgt) > toleranceLU+0.005:
			flags = append(flags, "missed: "+missed)
		case missed != "":
			flags = append(flags, "warned, yet within the target: "+missed)
		}
		for _, f := range flags {
			if f == "OVER" || f == "TARGET" {
				bad++
			}
		}
		fmt.Printf("%-36s %7.2f %7.2f | %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f | %6.2f | %s\n",
			fmt.Sprintf("%s/%g/%s", filepath.Base(dir), tgt, o.File), o.Integrated, i,
			o.TruePeak, ebuTP, ff4, ff8, our4, our8, ref, soxr, strings.Join(flags, " "))
	}
	return bad
}

var astatsPeak = regexp.MustCompile(`Peak level dB:\s*(-?[\d.]+|-inf)`)

// ffPeak is the sample peak (dBFS) of the file upsampled factor× by
// ffmpeg's aresample with resampler options opts: a true peak read
// through another interpolator than ours.
func ffPeak(path string, rate, factor int, opts string) float64 {
	out, err := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-i", path, "-af",
		fmt.Sprintf("aresample=%d%s,astats=measure_perchannel=none", rate*factor, opts),
		"-f", "null", "-").CombinedOutput()
	if err != nil {
		fail(fmt.Errorf("ffmpeg astats on %s: %v\n%s", path, err, out))
	}
	m := astatsPeak.FindAllSubmatch(out, -1)
	if m == nil {
		fail(fmt.Errorf("ffmpeg astats on %s: no peak level in\n%s", path, out))
	}
	v, err := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	if err != nil {
		return math.Inf(-1)
	}
	return v
}

// ref16 is the ideal 16× true-peak reference, an interpolator neither
// ours nor ffmpeg's.
var ref16 = audiotest.NewTruePeak16x()

// ourTP is stemmaster's meter's true peak of b at factor× oversampling.
func ourTP(b *audio.Buffer, rate, factor int) float64 {
	m := loudness.NewMeter(float64(rate), b.Channels(), loudness.Options{TruePeak: true, TruePeakOversampling: factor})
	m.Process(b)
	return m.Result().TruePeakDBTP
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "worst:", err)
	os.Exit(1)
}
