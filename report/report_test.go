package report

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"stemmaster"
	"stemmaster/internal/testkit"
)

// testReport builds a 30 s report with plausible curves: a master at about
// -14 LUFS short-term, a sum 6 LU quieter, 1/6-octave bands from 20 Hz.
func testReport(withLimiter bool) *stemmaster.Report {
	const step, n = 0.1, 300
	c := &stemmaster.Curves{StepS: step}
	for k := 0; k < n; k++ {
		a := float32(0.5 + 0.4*math.Sin(float64(k)/20))
		c.WaveformMin = append(c.WaveformMin, -a)
		c.WaveformMax = append(c.WaveformMax, a)
		st := stemmaster.Level(-14 + 2*math.Sin(float64(k)/30))
		if k < 30 {
			st = stemmaster.Level(math.NaN()) // first 3 s undefined, as a real meter gives
		}
		c.ShortTermAfterLUFS = append(c.ShortTermAfterLUFS, st)
		c.ShortTermBeforeLUFS = append(c.ShortTermBeforeLUFS, st-6)
		if withLimiter {
			c.LimiterGRDB = append(c.LimiterGRDB, stemmaster.Level(math.Max(0, 3*math.Sin(float64(k)/10))))
		}
	}
	for f := 20.0; f <= 20000; f *= math.Pow(2, 1.0/6) {
		c.Spectrum.FreqsHz = append(c.Spectrum.FreqsHz, f)
		db := -20 - 10*math.Log10(f/100)
		c.Spectrum.BeforeDB = append(c.Spectrum.BeforeDB, stemmaster.Level(db-6))
		c.Spectrum.AfterDB = append(c.Spectrum.AfterDB, stemmaster.Level(db))
	}
	target, _ := stemmaster.TargetPreset("streaming")
	return &stemmaster.Report{
		Target: target, SampleRate: 48000, DurationS: 30, SessionHash: "0123456789abcdef0123",
		Sum: stemmaster.Measurement{IntegratedLUFS: -20.04, TruePeakDBTP: -2.8, LoudnessRangeLU: 4.3, SamplePeakDBFS: -2.95},
		Outputs: []stemmaster.OutputReport{{File: "main.wav", Version: "main", Format: "wav", BitDepth: 24,
			Measurement: stemmaster.Measurement{IntegratedLUFS: -14.02, TruePeakDBTP: -1.03, LoudnessRangeLU: 3.9, SamplePeakDBFS: -1.2}}},
		Warnings: []string{"the limiter works hard"},
		Curves:   c,
	}
}

// withDeEsser gives rep one stem with a de-esser series as long as the
// limiter's curve.
func withDeEsser(rep *stemmaster.Report) *stemmaster.Report {
	gr := make([]stemmaster.Level, len(rep.Curves.LimiterGRDB))
	for i := range gr {
		gr[i] = stemmaster.Level(float64(i%20) / 4)
	}
	rep.Stems = []stemmaster.StemLoudness{{File: "vox.wav", Processors: &stemmaster.ProcessorReport{DeEsserGRDB: gr}}}
	return rep
}

// TestWritePictures: each report gets the pictures its curves call for (the
// limiter's when a limiter ran, the de-esser's when a stem has a de-esser
// series), each drawn, and nothing else is left in the directory.
func TestWritePictures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  *stemmaster.Report
		want []string
	}{
		{"with limiter", testReport(true), []string{WaveformPNG, LoudnessPNG, SpectrumPNG, LimiterPNG}},
		{"no limiter ran", testReport(false), []string{WaveformPNG, LoudnessPNG, SpectrumPNG}},
		{"stem de-esser", withDeEsser(testReport(true)), []string{WaveformPNG, LoudnessPNG, SpectrumPNG, LimiterPNG, DeEsserPNG}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			names, err := WritePictures(dir, tc.rep)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("wrote %v, want %v", names, tc.want)
			}
			for _, name := range names {
				img := decodePNG(t, filepath.Join(dir, name))
				// 16 × 7 cm at gonum's default 96 dpi.
				if b := img.Bounds(); b.Dx() < 604 || b.Dx() > 605 || b.Dy() < 264 || b.Dy() > 265 {
					t.Errorf("%s is %v, want 605×265 (604.7×264.6 rounded either way)", name, b)
				}
				if n := countColor(img, colorAfter.R, colorAfter.G, colorAfter.B) + countColor(img, colorTarget.R, colorTarget.G, colorTarget.B) +
					countColor(img, colorWave.R, colorWave.G, colorWave.B); n < 100 {
					t.Errorf("%s: only %d pixels of the curve colours; the curve is not drawn", name, n)
				}
				// The de-esser's reduction is drawn in the curve colour alone.
				if n := countColor(img, colorAfter.R, colorAfter.G, colorAfter.B); name == DeEsserPNG && n < 100 {
					t.Errorf("%s: only %d pixels of the curve colour", name, n)
				}
			}
			testkit.DirHolds(t, dir, tc.want...) // no temporary file left
		})
	}
}

func TestWritePicturesWithoutCurves(t *testing.T) {
	t.Parallel()
	if _, err := WritePictures(t.TempDir(), &stemmaster.Report{}); err != ErrNoCurves {
		t.Errorf("err = %v, want ErrNoCurves", err)
	}
	if _, err := DeEsserPlot(testReport(true)); err != ErrNoCurves {
		t.Errorf("without a de-esser: %v, want ErrNoCurves", err)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(testkit.ReadFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// countColor counts pixels within a small distance of an RGB colour.
func countColor(img image.Image, r, g, b uint8) int {
	const tol = 40
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if absDiff(uint8(pr>>8), r) < tol && absDiff(uint8(pg>>8), g) < tol && absDiff(uint8(pb>>8), b) < tol {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// withStems gives rep n stems: one is a stereo master (the mix alone), more
// a stem master.
func withStems(rep *stemmaster.Report, n int) *stemmaster.Report {
	for i := range n {
		rep.Stems = append(rep.Stems, stemmaster.StemLoudness{File: fmt.Sprintf("stem%d.wav", i)})
	}
	return rep
}

// inputCase is a stereo master (one input) or a stem master: the name of
// its "before" and the one it must not carry.
type inputCase struct {
	stems     int
	name, not string
}

func inputCases() []inputCase {
	return []inputCase{{1, "the mix", "stem sum"}, {4, "stem sum", "the mix"}}
}

// TestPicturesNameBefore: the loudness and spectrum pictures name their
// grey curve as what it is: the mix on a stereo master (one input, no sum
// made), the stem sum on a stem master.
func TestPicturesNameBefore(t *testing.T) {
	t.Parallel()
	for _, tc := range inputCases() {
		want := "before (" + tc.name + ")"
		rep := withStems(testReport(true), tc.stems)
		for name, draw := range map[string]func(*stemmaster.Report) (*plot.Plot, error){"loudness": LoudnessPlot, "spectrum": SpectrumPlot} {
			p, err := draw(rep)
			if err != nil {
				t.Fatal(err)
			}
			wt, err := p.WriterTo(width, height, "svg")
			if err != nil {
				t.Fatal(err)
			}
			var svg bytes.Buffer
			if _, err := wt.WriteTo(&svg); err != nil {
				t.Fatal(err)
			}
			if s := svg.String(); !strings.Contains(s, want) || strings.Contains(s, tc.not) {
				t.Errorf("%d stem(s): the %s picture's legend lacks %q or names %q", tc.stems, name, want, tc.not)
			}
		}
	}
}
