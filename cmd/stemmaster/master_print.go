package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/engine"
	"stemmaster/report"
)

// What master prints: the findings, the summary, the JSON and the progress bars.

// printFindings prints on stderr every error- or warning-severity finding
// of the stem check, with its fix: a master made from a delivery with an
// offset or a flipped polarity does not match the client's mix, and the
// engineer must hear of it, not find it in report.json. A finding the
// session corrects says so instead of its fix ("corrected by the
// session"). Errors the session does not correct also make the exit
// status 1 (deliveryErrors).
func printFindings(w io.Writer, rs []analysis.Resolution) {
	for _, r := range rs {
		fd := r.Finding
		prefix := "stemmaster: warning:"
		switch fd.Severity {
		case stemmaster.SeverityError:
			prefix = "stemmaster: error:"
		case stemmaster.SeverityWarning:
		default:
			continue
		}
		if r.Corrected {
			prefix = "stemmaster:"
		}
		line := fmt.Sprintf("%s check %s (%s): %s", prefix, fd.Severity, fd.Code, fd.Message)
		switch {
		case r.Corrected:
			line += "; corrected by the session (" + r.Correction.Label + ")"
		case fd.Fix != "":
			line += "; fix: " + fd.Fix
		}
		fmt.Fprintln(w, line)
	}
}

// printSummary writes the human summary of a render.
func printSummary(w io.Writer, rep *stemmaster.Report, dir string) {
	// One input is no "1 stems": the page and the quote call it stereo
	// mastering.
	inputs := fmt.Sprintf("%d stems", len(rep.Stems))
	if report.OneInput(rep) {
		inputs = "one file (stereo mastering)"
	}
	fmt.Fprintf(w, "target %s; %s, %.1f s at %d Hz; rendered in %.1f s (%.0f× real time)\n",
		rep.Target, inputs, float64(rep.DurationS), rep.SampleRate, float64(rep.WallTimeS), float64(rep.XRealTime))
	// Named as report.html and the pictures name it: a stereo master's
	// "before" is the mix, no sum.
	fmt.Fprintf(w, "before mastering (%s): %s\n", report.Before(rep), fmtMeasurement(rep.Sum))
	m := rep.Master
	passes := "passes"
	if m.Iterations == 1 {
		passes = "pass"
	}
	line := fmt.Sprintf("master: gain %+.2f dB (%d %s)", float64(m.GainDB), m.Iterations, passes)
	if m.Glue != nil {
		line += fmt.Sprintf(", glue compressor up to %.1f dB", m.Glue.MaxDB.Round(1))
	}
	if m.Limiter != nil {
		line += fmt.Sprintf(", limiter at %.1f dBTP: up to %.1f dB, active %.0f %% of the time",
			m.Limiter.CeilingDBTP.Round(1), m.Limiter.MaxDB.Round(1), 100*m.Limiter.ActiveShare.Round(2))
	}
	fmt.Fprintln(w, line)
	printLimiterStems(w, rep)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "file\tformat\tLUFS\tLRA\tdBTP\tpeak dBFS")
	for _, o := range rep.Outputs {
		format := fmt.Sprintf("%s %d-bit %s %d Hz", o.Format, o.BitDepth, o.SampleFormat, o.SampleRate)
		if o.Dither != stemmaster.DitherNone {
			format += " " + o.Dither
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", filepath.Join(dir, o.File), format,
			fmtLevel(o.IntegratedLUFS), fmtLevel(o.LoudnessRangeLU), fmtLevel(o.TruePeakDBTP), fmtLevel(o.SamplePeakDBFS))
	}
	tw.Flush()
	fmt.Fprintf(w, "report: %s\n", filepath.Join(dir, engine.ReportFile))
}

func fmtMeasurement(m stemmaster.Measurement) string {
	return fmt.Sprintf("%s LUFS, LRA %s LU, true peak %s dBTP", fmtLevel(m.IntegratedLUFS), fmtLevel(m.LoudnessRangeLU), fmtLevel(m.TruePeakDBTP))
}

// renderCLI renders s as the CLI does: warnings as lines on stderr and, on
// a terminal when stdout is not taken by --json, a progress bar per stage.
func renderCLI(ctx context.Context, stderr io.Writer, s *stemmaster.Session, opt engine.Options, asJSON bool) (*stemmaster.Report, error) {
	opt.Warn = func(msg string) { fmt.Fprintln(stderr, "stemmaster: warning:", msg) }
	var bars *progressBars
	if !asJSON && isTerminal(stderr) {
		bars = newProgressBars(ctx, stderr)
		opt.Progress = bars.update
	}
	rep, err := engine.Render(ctx, s, opt)
	if bars != nil {
		bars.finish(err == nil)
	}
	return rep, err
}

// printJSON writes v to w as indented JSON (report.json's layout).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBars shows one mpb bar per stage the engine reports.
type progressBars struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*mpb.Bar
}

const barTotal = 1000

func newProgressBars(ctx context.Context, w io.Writer) *progressBars {
	return &progressBars{p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(40)), bars: map[string]*mpb.Bar{}}
}

func (b *progressBars) update(stage string, f float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bar, ok := b.bars[stage]
	if !ok {
		name := strings.TrimPrefix(stage, "stem ")
		bar = b.p.New(barTotal, mpb.BarStyle(),
			mpb.PrependDecorators(decor.Name(name, decor.WC{W: 24, C: decor.DindentRight})),
			mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5})))
		b.bars[stage] = bar
	}
	bar.SetCurrent(int64(f * barTotal))
}

// finish completes the bars of a render that succeeded (the engine has
// taken every deliverable to 1, published); a failed render's bars stop
// where they were, so no file it did not publish reads as done.
func (b *progressBars) finish(ok bool) {
	b.mu.Lock()
	for _, bar := range b.bars {
		if ok {
			bar.SetTotal(-1, true)
		} else {
			bar.Abort(false)
		}
	}
	b.mu.Unlock()
	b.p.Wait()
}
