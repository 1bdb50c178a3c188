package main

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"stemmaster"
	"stemmaster/report"
)

// printLimiterStems prints which stems caused the limiter's reduction and
// the reduction each stem took (with the plain limiter, the master's), then
// the master's mono compatibility, from the report: the figures the page's
// results show, at the same precision (and, as there, nothing by stem for
// one input).
func printLimiterStems(w io.Writer, rep *stemmaster.Report) {
	defer printCorrelation(w, rep.Master.Correlation)
	lim := rep.Master.Limiter
	// One input has no stems to attribute to, as on the page and in
	// report.html: "mix.wav caused 100 %" says nothing.
	if lim == nil || lim.Attribution == "" || report.OneInput(rep) {
		return
	}
	fmt.Fprintf(w, "limiter: %s\n", lim.Attribution)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  stem\tcaused\tGR mean dB\tGR max dB")
	for _, sl := range rep.Stems {
		if sl.Limiter == nil {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%.0f %%\t%.2f\t%.2f\n", filepath.Base(sl.File), 100*sl.Limiter.CausedShare.Round(2), sl.Limiter.MeanDB.Round(2), sl.Limiter.MaxDB.Round(2))
	}
	tw.Flush()
}

// printCorrelation prints the main master's stereo correlation.
func printCorrelation(w io.Writer, c *stemmaster.CorrelationReport) {
	if c == nil {
		return
	}
	if !c.Overall.Defined() {
		fmt.Fprintln(w, "mono compatibility: no signal (a channel of the master is silent)")
		return
	}
	fmt.Fprintf(w, "mono compatibility: correlation %.2f overall, %.2f lowest over 100 ms\n", float64(c.Overall), float64(c.MinWindow))
}
