package main

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"stemmaster"
)

// printLimiterStems prints which stems caused the limiter's reduction and,
// with stem-aware limiting, the reduction each stem took, from the report.
func printLimiterStems(w io.Writer, rep *stemmaster.Report) {
	lim := rep.Master.Limiter
	if lim == nil || lim.Attribution == "" {
		return
	}
	fmt.Fprintf(w, "limiter: %s\n", lim.Attribution)
	if !lim.StemAware {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  stem\tcaused\tGR mean dB\tGR max dB")
	for _, sl := range rep.Stems {
		if sl.Limiter == nil {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%.0f %%\t%.2f\t%.2f\n", filepath.Base(sl.File), 100*float64(sl.Limiter.CausedShare), float64(sl.Limiter.MeanDB), float64(sl.Limiter.MaxDB))
	}
	tw.Flush()
}
