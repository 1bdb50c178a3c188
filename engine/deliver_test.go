package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/fft"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// deliverMain delivers master (at rate) as output o of version main into
// dir under the ceiling with the default limiter, commits the file and
// returns its report and the deliverable.
func deliverMain(t *testing.T, dir string, master *audio.Buffer, rate int, o stemmaster.Output, ceiling float64) (stemmaster.OutputReport, deliverable) {
	t.Helper()
	d := deliverable{out: o, version: "main", name: o.FileName("main"), seed: 1, rate: rate, ceiling: ceiling, limiterOn: true}
	if o.SampleRate != 0 {
		d.rate = o.SampleRate
	}
	d.path = filepath.Join(dir, d.name)
	rep, w, err := deliver(context.Background(), bufferSource{master}, rate, d, limiter.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return rep, d
}

// TestRelimit feeds a deliverable a master that is over the ceiling (as a
// conversion can push it): the file must be limited again so that its true
// peak meets the ceiling, and the report must say by how much.
func TestRelimit(t *testing.T) {
	t.Parallel()
	const ceiling = -1.0
	// relimitTolDB covers the meters' true-peak estimates (4× oversampling
	// reads a 997 Hz sine within a few thousandths of a dB), dither and
	// the limiter's release ripple on a steady sine.
	const relimitTolDB = 0.02
	// A 997 Hz sine peaking at 0 dBFS: 1 dB over the ceiling everywhere.
	master := audiotest.Sine(rate, 2, rate, 997, 0, 0)
	m := loudness.NewMeter(rate, 2, loudness.Options{TruePeak: true})
	m.Process(master)
	inputTP := m.Result().TruePeakDBTP
	for _, o := range []stemmaster.Output{
		{Format: "wav", BitDepth: 24},
		{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
		{Format: "flac", BitDepth: 16},
	} {
		t.Run(o.FileName("main"), func(t *testing.T) {
			dir := t.TempDir()
			rep, d := deliverMain(t, dir, master, rate, o, ceiling)
			t.Logf("input %.3f dBTP, output %.3f dBTP, extra limiting %.3f dB", inputTP, float64(rep.TruePeakDBTP), float64(rep.ExtraLimitingDB))
			if tp := float64(rep.TruePeakDBTP); !(tp <= ceiling) {
				t.Errorf("true peak %.3f dBTP over the %.1f ceiling", tp, ceiling)
			}
			// The extra limiter takes the sine from its true peak down to
			// the ceiling less the limiter's safety margin, and no further:
			// a steady sine needs exactly that much gain reduction, so the
			// file's true peak sits just under the ceiling.
			wantGR := inputTP - ceiling + limiter.DefaultSafetyMarginDB
			if gr := float64(rep.ExtraLimitingDB); math.Abs(gr-wantGR) > relimitTolDB {
				t.Errorf("extra limiting %.3f dB, want %.3f ± %.2f", gr, wantGR, relimitTolDB)
			}
			if tp := float64(rep.TruePeakDBTP); tp < ceiling-limiter.DefaultSafetyMarginDB-relimitTolDB {
				t.Errorf("true peak %.3f dBTP: limited more than the ceiling (%.1f) and margin ask", tp, ceiling)
			}
			got, info := readAll(t, d.path)
			// Exact length after conversion: round(n·out/in) frames.
			want := int(math.Round(float64(rate) * float64(d.rate) / rate))
			if got.Frames() != want || info.Format.SampleRate != d.rate || info.Format.BitDepth != o.BitDepth {
				t.Errorf("file: %d frames at %d Hz, %d-bit; want %d at %d, %d-bit", got.Frames(), info.Format.SampleRate, info.Format.BitDepth, want, d.rate, o.BitDepth)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("%d files in the output directory, want only %s", len(ents), d.name)
			}
		})
	}
}

// TestRelimitBetweenOversampledPoints delivers a 44.1 kHz master whose
// peaks fall between BS.1770's 4× points (band-limited pulses up to 19 kHz,
// 0.375 of a sample off the grid): 4× reads them about 0.2 dB low, under
// the ceiling, though they are over it. The deliverable's meter must see
// them (within 0.05 dB of an ideal 16× reference) and limit the file
// again, so that it meets the ceiling by the reference too.
func TestRelimitBetweenOversampledPoints(t *testing.T) {
	t.Parallel()
	const (
		cdRate  = 44100
		ceiling = -1.0
		peakDB  = -0.9 // the pulses' true peak, over the ceiling
	)
	master := audiotest.OffGridPulses(cdRate, 2, cdRate)
	ref := audiotest.NewTruePeak16x()
	tp, _ := ref.TruePeakDB(master, 0)
	audiotest.Scale(master, audio.Amplitude(peakDB-tp))
	m4 := loudness.NewMeter(cdRate, 2, loudness.Options{TruePeak: true})
	m4.Process(master)
	tp16, _ := ref.TruePeakDB(master, 0)
	t.Logf("pulses: %.3f dBTP at 4×, %.3f by the 16× reference", m4.Result().TruePeakDBTP, tp16)
	rep, d := deliverMain(t, t.TempDir(), master, cdRate, stemmaster.Output{Format: "wav", BitDepth: 24}, ceiling)
	got, _ := readAll(t, d.path)
	fileTP, overs := ref.TruePeakDB(got, ceiling)
	t.Logf("file: report %.3f dBTP, 16× %.3f, extra limiting %.2f dB", float64(rep.TruePeakDBTP), fileTP, float64(rep.ExtraLimitingDB))
	if overs > 0 {
		t.Errorf("file: %d frames over the %.1f dBTP ceiling by the 16× reference (peak %.3f)", overs, ceiling, fileTP)
	}
	if r := float64(rep.TruePeakDBTP); r < fileTP-0.05-0.005 {
		t.Errorf("report: true peak %.2f dBTP, the 16× reference reads %.3f", r, fileTP)
	}
}

// TestDeliverableFormats renders every output format of docs/session.md and checks
// each file's format, length and ceiling.
func TestDeliverableFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	outs := []stemmaster.Output{
		{Format: "wav", BitDepth: 16},
		{Format: "wav", BitDepth: 24, Suffix: "24"},
		{Format: "wav", BitDepth: 32, SampleFormat: "float", Suffix: "float"},
		{Format: "wav", BitDepth: 24, SampleRate: 96000, Suffix: "96k"},
		{Format: "wav", BitDepth: 16, SampleRate: 44100, Dither: "none", Suffix: "cd-nodither"},
		{Format: "flac", BitDepth: 16},
		{Format: "flac", BitDepth: 24, SampleRate: 44100, Suffix: "24"},
	}
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "vox.wav"}, {File: "keys.wav"}}, Outputs: outs}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range rep.Outputs {
		got, info := readAll(t, filepath.Join(out, o.File))
		r := outs[i].SampleRate
		if r == 0 {
			r = rate
		}
		want := int(math.Round(float64(rep.Frames) * float64(r) / rate))
		f := info.Format
		if got.Frames() != want || f.SampleRate != r || f.BitDepth != outs[i].BitDepth || f.Channels != 2 {
			t.Errorf("%s: %d frames, %v; want %d frames at %d Hz, %d-bit", o.File, got.Frames(), f, want, r, outs[i].BitDepth)
		}
		if float64(o.TruePeakDBTP) > -1 {
			t.Errorf("%s: true peak %.2f dBTP over -1", o.File, float64(o.TruePeakDBTP))
		}
		// The report's peak is the file's: decode and compare (to the
		// report's two decimals).
		if p := audio.DB(float64(got.Peak())); math.Abs(p-float64(o.SamplePeakDBFS)) > 0.01 {
			t.Errorf("%s: file peaks at %.3f dBFS, report says %.3f", o.File, p, float64(o.SamplePeakDBFS))
		}
		wantDither := "tpdf"
		if outs[i].IsFloat() || outs[i].Dither == "none" {
			wantDither = "none"
		}
		if o.Dither != wantDither {
			t.Errorf("%s: dither %q, want %q", o.File, o.Dither, wantDither)
		}
	}
}

// TestQuantiseMatchesDefinition pins quantise to its definition (round
// half away from zero on the bits-bit grid, clamped to [−1, 1 − 1 LSB],
// NaN kept) bit for bit, on random samples of every magnitude and the
// special values.
func TestQuantiseMatchesDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 9))
	src := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, -2, 0.5 / 32768, -0.5 / 32768,
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	for range 100000 {
		src = append(src, math.Float32frombits(rng.Uint32()), float32(2*rng.Float64()-1))
	}
	for _, bits := range []int{16, 20, 24} {
		b := &audio.Buffer{Data: [][]float32{append([]float32(nil), src...)}}
		quantise(b, bits)
		scale := math.Ldexp(1, bits-1)
		for i, v := range src {
			want := float32(math.Max(-1, math.Min((scale-1)/scale, math.Round(float64(v)*scale)/scale)))
			if got := b.Data[0][i]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("%d bits: quantise(%v) = %v, want %v", bits, v, got, want)
			}
		}
	}
}

// TestDeliverablesAgreeWithOutsideMeters masters 8 s of the francium
// stems (plain at −14 and −23 LUFS, stem-aware at −9) to WAV and FLAC,
// 16 and 24 bits, 44.1 and 48 kHz, and reads every file with ffmpeg's
// ebur128 filter and sox's stats: each report figure must agree with
// theirs within the standards' tolerances. Integrated loudness: ±0.1 LU
// (the EBU Tech 3341 meter tolerance, which ffmpeg meets too). True peak:
// ±0.2 dB of ffmpeg's (Tech 3341 allows a meter +0.2/−0.4 dB on its true-
// peak signals; ffmpeg oversamples every rate to 192 kHz, so at 44.1 kHz
// it sees 4.35× where BS.1770's 4× is asked; a reading lower than ffmpeg's
// by more than 0.2 dB would pass overs). Loudness range: ±1 LU (Tech 3342;
// ffmpeg bins the short-term loudness in a histogram). Sample peak: the
// file's, as sox reads it, to the report's 0.01 dB. Skips without ffmpeg;
// the sample peak check skips without sox.
func TestDeliverablesAgreeWithOutsideMeters(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("skipping: ffmpeg not installed")
	}
	const (
		tolI, tolTP, tolLRA = 0.1, 0.2, 1.0
		seconds             = 8
	)
	fr := audiotest.FranciumDir(t)
	dir := t.TempDir()
	var stems []stemmaster.StemSpec
	for _, f := range audiotest.FranciumStems {
		b, info := audiotest.ReadFile(t, filepath.Join(fr, f))
		for c := range b.Data { // from 15 s, where every stem plays
			b.Data[c] = b.Data[c][15*info.Format.SampleRate : (15+seconds)*info.Format.SampleRate]
		}
		audiotest.WriteWAV(t, dir, f, b, info.Format.SampleRate, 24)
		stems = append(stems, stemmaster.StemSpec{File: f, Role: stemmaster.InferRole(f)})
	}
	outs := []stemmaster.Output{
		{Format: "wav", BitDepth: 24},
		{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
		{Format: "flac", BitDepth: 24, SampleRate: 44100, Suffix: "44k"},
		{Format: "flac", BitDepth: 16},
	}
	for _, c := range []struct {
		target string
		aware  bool
	}{{"-14", false}, {"-9", true}, {"-23", false}} {
		t.Run(c.target, func(t *testing.T) {
			t.Parallel()
			tg, err := stemmaster.ParseTarget(c.target)
			if err != nil {
				t.Fatal(err)
			}
			s := &stemmaster.Session{Dir: dir, Stems: stems, Outputs: outs,
				Master: stemmaster.Master{Target: &tg, Limiter: &stemmaster.LimiterParams{}}}
			if c.aware {
				s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			_, noSox := exec.LookPath("sox") // the sample peak check skips without sox
			for _, o := range rep.Outputs {
				path := filepath.Join(out, o.File)
				i, lra, tp, err := audiotest.FFmpegR128(path)
				if err != nil {
					t.Fatal(err)
				}
				ourI, ourLRA, ourTP := float64(o.IntegratedLUFS), float64(o.LoudnessRangeLU), float64(o.TruePeakDBTP)
				t.Logf("%-16s I %.2f (ffmpeg %.3f)  LRA %.2f (%.3f)  TP %.2f (%.3f) dBTP", o.File, ourI, i, ourLRA, lra, ourTP, tp)
				// The report rounds to 0.01: allow its half step on top.
				if math.Abs(ourI-i) > tolI+0.005 {
					t.Errorf("%s: integrated %.2f LUFS, ffmpeg %.3f", o.File, ourI, i)
				}
				if math.Abs(ourTP-tp) > tolTP+0.005 {
					t.Errorf("%s: true peak %.2f dBTP, ffmpeg %.3f", o.File, ourTP, tp)
				}
				if math.Abs(ourLRA-lra) > tolLRA+0.005 {
					t.Errorf("%s: loudness range %.2f LU, ffmpeg %.3f", o.File, ourLRA, lra)
				}
				if noSox != nil {
					continue
				}
				p, err := audiotest.SoxPeakDB(path)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(p-float64(o.SamplePeakDBFS)) > 0.01+0.005 {
					t.Errorf("%s: sample peak %.2f dBFS, sox %.2f", o.File, float64(o.SamplePeakDBFS), p)
				}
			}
		})
	}
}

// A session's `dither: shaped` reaches the 16-bit file: one render writes
// the master as float, with flat TPDF and with shaped dither, and each
// 16-bit file less the float one is its dither and rounding error. Flat,
// that error is white; shaped, it is 15 dB or more lower from 2 to 5 kHz,
// where hearing is most sensitive, and higher above 15 kHz (dsp/dither's
// TestNoiseShapingMovesNoiseOut1to5kHz holds the curve itself). The
// report says which each file got.
func TestShapedDitherOutput(t *testing.T) {
	t.Parallel()
	const rate = 44100
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "in.wav", audiotest.PinkNoise(5, 2, 3*rate, -30), rate)
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "in.wav"}},
		Master: stemmaster.Master{Target: &stemmaster.NoTarget},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"},
			{Format: "wav", BitDepth: 16, Dither: stemmaster.DitherTPDF, Suffix: "flat"},
			{Format: "wav", BitDepth: 16, Dither: stemmaster.DitherShaped, Suffix: "shaped"}}}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{stemmaster.DitherNone, stemmaster.DitherTPDF, stemmaster.DitherShaped} {
		if got := rep.Outputs[i].Dither; got != want {
			t.Errorf("%s: the report says dither %q, want %q", rep.Outputs[i].File, got, want)
		}
	}
	ref, _ := readAll(t, filepath.Join(out, "main.wav"))
	// errorBand is the mean power of a file's error in [lo, hi) Hz, by
	// Hann-windowed periodograms of 2048 frames averaged over the file.
	errorBand := func(name string, bands ...[2]float64) []float64 {
		got, _ := readAll(t, filepath.Join(out, name))
		const n = 2048
		tr := fft.NewReal(n)
		seq := make([]float64, n)
		var spec []complex128
		power := make([]float64, n/2+1)
		for c := range got.Data {
			for at := 0; at+n <= got.Frames(); at += n {
				for i := range seq {
					w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/n)
					seq[i] = w * (float64(got.Data[c][at+i]) - float64(ref.Data[c][at+i]))
				}
				spec = tr.Coefficients(spec, seq)
				for k, z := range spec {
					power[k] += real(z)*real(z) + imag(z)*imag(z)
				}
			}
		}
		var res []float64
		for _, b := range bands {
			var sum float64
			var k0 int
			for k := range power {
				if f := float64(k) * rate / n; f >= b[0] && f < b[1] {
					sum += power[k]
					k0++
				}
			}
			res = append(res, sum/float64(k0))
		}
		return res
	}
	mid, top := [2]float64{2000, 5000}, [2]float64{15000, 20000}
	flat, shaped := errorBand("main-flat.wav", mid, top), errorBand("main-shaped.wav", mid, top)
	db := func(x float64) float64 { return 10 * math.Log10(x) }
	drop, rise := db(flat[0]/shaped[0]), db(shaped[1]/flat[1])
	t.Logf("shaped against flat: %.1f dB less from 2 to 5 kHz, %.1f dB more from 15 to 20 kHz", drop, rise)
	if drop < 15 {
		t.Errorf("shaped dither's error from 2 to 5 kHz is only %.1f dB below flat dither's", drop)
	}
	if rise < 15 {
		t.Errorf("shaped dither's error from 15 to 20 kHz is only %.1f dB above flat dither's", rise)
	}
	// Flat dither's error is white: the two bands within 1 dB.
	if d := db(flat[1] / flat[0]); math.Abs(d) > 1 {
		t.Errorf("flat dither's error is %.1f dB higher from 15 to 20 kHz than from 2 to 5 kHz; want white", d)
	}
}

// TestConvertedOutputOffTheMasterIsNamed: a main deliverable converted to
// a lower rate reads quieter than the master when the master holds
// loudness above the new Nyquist frequency; the report's figure was right,
// but no warning said why that file missed the target the master met (a
// master of white noise lost 0.7 LU from 48 to 44.1 kHz, one of fs/4
// sines at 96 kHz all of it). A 96 kHz master of a 1 kHz sine and a
// 30 kHz one is delivered at 96 and 48 kHz: the 48 kHz file loses the
// 30 kHz sine, by the figure BS.1770 gives the 1 kHz sine alone against
// the pair (within 0.1 LU: the linear gain the master applies to both
// cancels), and the warning names it with its figure; the 96 kHz file,
// and a master of the 1 kHz sine alone, give none.
func TestConvertedOutputOffTheMasterIsNamed(t *testing.T) {
	t.Parallel()
	const hi, frames = 96000, 3 * 96000
	low := audiotest.Sine(hi, 2, frames, 1000, -30, 0)
	pair := audiotest.Add(audiotest.Sine(hi, 2, frames, 1000, -30, 0), audiotest.Sine(hi, 2, frames, 30000, -20, 0))
	lufs := func(b *audio.Buffer) float64 {
		m := loudness.NewMeter(hi, 2, loudness.Options{})
		m.Process(b)
		return m.Result().IntegratedLUFS
	}
	wantLoss := lufs(pair) - lufs(low)
	for _, c := range []struct {
		name string
		stem *audio.Buffer
		warn bool
	}{{"pair", pair, true}, {"1 kHz alone", low, false}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			audiotest.WriteWAV(t, dir, "synth.wav", c.stem, hi, 24)
			tg, err := stemmaster.ParseTarget("-23")
			if err != nil {
				t.Fatal(err)
			}
			s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "synth.wav"}},
				Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}, {Format: "wav", BitDepth: 24, SampleRate: 48000, Suffix: "48k"}},
				Master:  stemmaster.Master{Target: &tg, Limiter: &stemmaster.LimiterParams{}}}
			rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			master, conv := float64(rep.Outputs[0].IntegratedLUFS), float64(rep.Outputs[1].IntegratedLUFS)
			t.Logf("master %.2f LUFS, 48 kHz file %.2f LUFS (want %.2f LU lost); warnings %q", master, conv, wantLoss, rep.Warnings)
			var named []string
			for _, w := range rep.Warnings {
				if strings.HasPrefix(w, "main-48k.wav reads") {
					named = append(named, w)
				}
				if strings.HasPrefix(w, "main.wav reads") {
					t.Errorf("the master's own rate warned: %q", w)
				}
			}
			if !c.warn {
				if len(named) != 0 || math.Abs(conv-master) > ToleranceLU {
					t.Errorf("48 kHz file %.2f LUFS against %.2f, warnings %q: want within %.1f LU and no warning", conv, master, named, ToleranceLU)
				}
				return
			}
			if math.Abs((master-conv)-wantLoss) > 0.1 {
				t.Errorf("48 kHz file %.2f LU under the master, want %.2f ± 0.1", master-conv, wantLoss)
			}
			if want := fmt.Sprintf("main-48k.wav reads %.2f LUFS", conv); len(named) != 1 || !strings.HasPrefix(named[0], want) || !strings.Contains(named[0], "above 24 kHz") {
				t.Errorf("warnings %q: want one beginning %q and naming what lay above 24 kHz", named, want)
			}
		})
	}
}
