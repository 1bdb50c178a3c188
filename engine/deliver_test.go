package engine

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

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
