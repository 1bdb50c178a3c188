// Package report draws a render's report.json (stemmaster.Report) for people:
// PNG pictures made with gonum.org/v1/plot — the master's waveform, short-term
// loudness over time before and after (EBU R128 3 s window), the long-term
// spectrum before and after at 1/6-octave resolution, and the limiter's gain
// reduction — and a self-contained HTML page that shows them beside the
// loudness figures (ITU-R BS.1770-4 integrated loudness, EBU Tech 3342
// loudness range, true peak).
//
// The web service shows the same pictures; `stemmaster master --report DIR`
// writes them for CLI users. Every file is written to a temporary name and
// renamed, so a reader never sees half a picture.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package report

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"stemmaster/internal/atomicfile"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"stemmaster"
)

// Picture file names, in the order the page shows them.
const (
	WaveformPNG = "waveform.png"
	LoudnessPNG = "loudness.png"
	SpectrumPNG = "spectrum.png"
	LimiterPNG  = "limiter.png"
	DeEsserPNG  = "deesser.png"
)

// PictureNames lists every picture WritePictures may write, in the order
// the page and report.html show them; a new picture is added here once.
func PictureNames() []string {
	return []string{WaveformPNG, LoudnessPNG, SpectrumPNG, LimiterPNG, DeEsserPNG}
}

// Size of every picture.
const (
	width  = 16 * vg.Centimeter
	height = 7 * vg.Centimeter
)

// floorLUFS is where undefined or very low loudness is drawn.
const floorLUFS = -60.0

var (
	colorBefore = color.RGBA{R: 150, G: 150, B: 160, A: 255}
	colorAfter  = color.RGBA{R: 47, G: 91, B: 211, A: 255}
	colorTarget = color.RGBA{R: 197, G: 48, B: 48, A: 255}
	colorWave   = color.RGBA{R: 90, G: 120, B: 220, A: 255}
)

// ErrNoCurves is returned when the report carries no curves to draw.
var ErrNoCurves = errors.New("report: the report has no curves")

// WritePictures writes the pictures of rep into dir and returns the names
// written. A picture whose data is absent (no limiter ran) is skipped.
func WritePictures(dir string, rep *stemmaster.Report) ([]string, error) {
	if rep == nil || rep.Curves == nil {
		return nil, ErrNoCurves
	}
	c := rep.Curves
	var names []string
	type picture struct {
		name string
		make func() (*plot.Plot, error)
	}
	pics := []picture{
		{WaveformPNG, func() (*plot.Plot, error) { return WaveformPlot(c) }},
		{LoudnessPNG, func() (*plot.Plot, error) { return LoudnessPlot(rep) }},
		{SpectrumPNG, func() (*plot.Plot, error) { return SpectrumPlot(rep) }},
	}
	if len(c.LimiterGRDB) > 0 {
		pics = append(pics, picture{LimiterPNG, func() (*plot.Plot, error) { return LimiterPlot(c) }})
	}
	if hasDeEsser(rep) {
		pics = append(pics, picture{DeEsserPNG, func() (*plot.Plot, error) { return DeEsserPlot(rep) }})
	}
	for _, pic := range pics {
		p, err := pic.make()
		if err != nil {
			return names, fmt.Errorf("report: %s: %w", pic.name, err)
		}
		if err := savePNG(p, filepath.Join(dir, pic.name)); err != nil {
			return names, err
		}
		names = append(names, pic.name)
	}
	return names, nil
}

func savePNG(p *plot.Plot, path string) error {
	wt, err := p.WriterTo(width, height, "png")
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic writes data through atomicfile.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = false
	return p
}

// WaveformPlot draws the master's per-step minimum and maximum as a filled
// envelope, in linear full scale.
func WaveformPlot(c *stemmaster.Curves) (*plot.Plot, error) {
	n := min(len(c.WaveformMin), len(c.WaveformMax))
	if n == 0 {
		return nil, ErrNoCurves
	}
	ring := make(plotter.XYs, 0, 2*n)
	for k := 0; k < n; k++ {
		ring = append(ring, plotter.XY{X: float64(k) * c.StepS, Y: float64(c.WaveformMax[k])})
	}
	for k := n - 1; k >= 0; k-- {
		ring = append(ring, plotter.XY{X: float64(k) * c.StepS, Y: float64(c.WaveformMin[k])})
	}
	p := newPlot("Master waveform", "time (s)", "amplitude (full scale)")
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, err
	}
	poly.Color = colorWave
	poly.LineStyle.Width = 0
	p.Add(poly)
	p.Y.Min, p.Y.Max = -1, 1
	return p, nil
}

// series turns a Level series into points. Undefined values (the first
// window of a meter, silence) are left out; defined values below the floor
// are drawn at the floor.
func series(levels []stemmaster.Level, step, floor float64) plotter.XYs {
	xys := make(plotter.XYs, 0, len(levels))
	for k, l := range levels {
		if !l.Defined() {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(k) * step, Y: math.Max(float64(l), floor)})
	}
	return xys
}

// addLine draws xys on p; a label names the line in the legend.
func addLine(p *plot.Plot, label string, xys plotter.XYs, c color.Color, w vg.Length, dashed bool) error {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.Color = c
	l.Width = w
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
	return nil
}

// reduction is a gain reduction series (dB, positive; undefined steps read
// as none) drawn downwards from 0 dB, with its largest reduction, at least
// 1 dB so the axis never collapses.
func reduction(grDB []stemmaster.Level, step float64) (xys plotter.XYs, worst float64) {
	xys = make(plotter.XYs, len(grDB))
	worst = 1.0
	for k, l := range grDB {
		v := float64(l)
		if !l.Defined() {
			v = 0
		}
		xys[k] = plotter.XY{X: float64(k) * step, Y: -v}
		worst = math.Max(worst, v)
	}
	return xys, worst
}

// OneInput reports whether the render had one input (a stereo master):
// its "before" is the mix, and it has no stems to attribute the limiter's
// reduction to. The CLI, report.html and the pictures ask this alone.
func OneInput(rep *stemmaster.Report) bool { return len(rep.Stems) == 1 }

// Before names what a render's "before" is (report.json's sum, the
// loudness and spectrum pictures' grey curve): the plain sum of the stems
// after their strips, or, when the render had one input, that input after
// its strip — the mix, which no sum made.
func Before(rep *stemmaster.Report) string {
	if OneInput(rep) {
		return "the mix"
	}
	return "stem sum"
}

// LoudnessPlot draws short-term loudness (3 s window) over time before
// (see Before) and after (the main master), with the target.
func LoudnessPlot(rep *stemmaster.Report) (*plot.Plot, error) {
	if rep.Curves == nil {
		return nil, ErrNoCurves
	}
	c, target := rep.Curves, rep.Target
	if len(c.ShortTermAfterLUFS) == 0 && len(c.ShortTermBeforeLUFS) == 0 {
		return nil, ErrNoCurves
	}
	p := newPlot("Short-term loudness (EBU R128, 3 s)", "time (s)", "LUFS")
	if xys := series(c.ShortTermBeforeLUFS, c.StepS, floorLUFS); len(xys) > 0 {
		if err := addLine(p, "before ("+Before(rep)+")", xys, colorBefore, vg.Points(1.2), false); err != nil {
			return nil, err
		}
	}
	if xys := series(c.ShortTermAfterLUFS, c.StepS, floorLUFS); len(xys) > 0 {
		if err := addLine(p, "after (master)", xys, colorAfter, vg.Points(1.5), false); err != nil {
			return nil, err
		}
	}
	if !target.None && !math.IsNaN(target.IntegratedLUFS) {
		n := max(len(c.ShortTermAfterLUFS), len(c.ShortTermBeforeLUFS))
		xys := plotter.XYs{{X: 0, Y: target.IntegratedLUFS}, {X: float64(n) * c.StepS, Y: target.IntegratedLUFS}}
		if err := addLine(p, fmt.Sprintf("target %g LUFS integrated", target.IntegratedLUFS), xys, colorTarget, vg.Points(1), true); err != nil {
			return nil, err
		}
	}
	p.Y.Min = floorLUFS
	p.Y.Max = 0
	return p, nil
}

// SpectrumPlot draws the long-term average spectrum before (see Before)
// and after on a logarithmic frequency axis.
func SpectrumPlot(rep *stemmaster.Report) (*plot.Plot, error) {
	if rep.Curves == nil {
		return nil, ErrNoCurves
	}
	s := rep.Curves.Spectrum
	if len(s.FreqsHz) == 0 {
		return nil, ErrNoCurves
	}
	p := newPlot("Long-term spectrum (1/6 octave)", "frequency (Hz)", "dB (re full-scale sine)")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = freqTicks{}
	const floor = -120.0
	pts := func(db []stemmaster.Level) plotter.XYs {
		xys := make(plotter.XYs, 0, len(db))
		for i, l := range db {
			if i >= len(s.FreqsHz) || s.FreqsHz[i] <= 0 {
				continue
			}
			v := float64(l)
			if !l.Defined() || v < floor {
				v = floor
			}
			xys = append(xys, plotter.XY{X: s.FreqsHz[i], Y: v})
		}
		return xys
	}
	for _, curve := range []struct {
		label string
		db    []stemmaster.Level
		c     color.Color
	}{{"before (" + Before(rep) + ")", s.BeforeDB, colorBefore}, {"after (master)", s.AfterDB, colorAfter}} {
		xys := pts(curve.db)
		if len(xys) == 0 {
			continue
		}
		if err := addLine(p, curve.label, xys, curve.c, vg.Points(1.5), false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// LimiterPlot draws the limiter's gain reduction over time, downwards from 0 dB.
func LimiterPlot(c *stemmaster.Curves) (*plot.Plot, error) {
	if len(c.LimiterGRDB) == 0 {
		return nil, ErrNoCurves
	}
	xys, worst := reduction(c.LimiterGRDB, c.StepS)
	p := newPlot("Limiter gain reduction", "time (s)", "dB")
	if err := addLine(p, "", xys, colorTarget, vg.Points(1.2), false); err != nil {
		return nil, err
	}
	p.Y.Min = -math.Ceil(worst)
	p.Y.Max = 0.2
	return p, nil
}

func hasDeEsser(rep *stemmaster.Report) bool {
	for _, st := range rep.Stems {
		if st.Processors != nil && len(st.Processors.DeEsserGRDB) > 0 {
			return true
		}
	}
	return false
}

// DeEsserPlot draws each de-essed stem's gain reduction over time (what the
// de-esser took out of the band above its split), downwards from 0 dB.
func DeEsserPlot(rep *stemmaster.Report) (*plot.Plot, error) {
	if rep.Curves == nil || !hasDeEsser(rep) {
		return nil, ErrNoCurves
	}
	p := newPlot("De-esser gain reduction", "time (s)", "dB")
	palette := []color.Color{colorAfter, colorTarget, colorWave, colorBefore}
	worst, k := 1.0, 0
	for _, st := range rep.Stems {
		if st.Processors == nil || len(st.Processors.DeEsserGRDB) == 0 {
			continue
		}
		xys, w := reduction(st.Processors.DeEsserGRDB, rep.Curves.StepS)
		worst = math.Max(worst, w)
		if err := addLine(p, filepath.Base(st.File), xys, palette[k%len(palette)], vg.Points(1.2), false); err != nil {
			return nil, err
		}
		k++
	}
	p.Y.Min = -math.Ceil(worst)
	p.Y.Max = 0.2
	return p, nil
}

// freqTicks marks 20 Hz … 20 kHz at 1-2-5 steps.
type freqTicks struct{}

func (freqTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, f := range []float64{20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000} {
		if f < lo || f > hi {
			continue
		}
		label := fmt.Sprintf("%g", f)
		if f >= 1000 {
			label = fmt.Sprintf("%gk", f/1000)
		}
		ticks = append(ticks, plot.Tick{Value: f, Label: label})
	}
	return ticks
}
