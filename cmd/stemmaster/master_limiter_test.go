package main

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"stemmaster"
)

// limitedReport is a report whose plain limiter reduced the gain (up to
// 1.234 dB, mean 0.056 dB), attributed as said, with the master's
// correlation and the stems (path: caused share), in path order.
func limitedReport(attribution string, corr stemmaster.CorrelationReport, caused map[string]float64) *stemmaster.Report {
	gr := stemmaster.GainReduction{MaxDB: 1.234, MeanDB: 0.056, ActiveShare: 0.1}
	rep := &stemmaster.Report{Master: stemmaster.MasterReport{
		Limiter:     &stemmaster.LimiterReport{GainReduction: gr, Attribution: attribution},
		Correlation: &corr,
	}}
	for _, file := range slices.Sorted(maps.Keys(caused)) {
		rep.Stems = append(rep.Stems, stemmaster.StemLoudness{File: file, Limiter: &stemmaster.StemLimiterReport{CausedShare: stemmaster.Level(caused[file]), GainReduction: gr}})
	}
	return rep
}

// TestPrintLimiterStemsPlain: with the plain limiter too, the summary
// names the stems that caused the reduction, gives each stem's share and
// the reduction it took (the master's), then the mono compatibility, at
// the precision the page's results show them.
func TestPrintLimiterStemsPlain(t *testing.T) {
	t.Parallel()
	rep := limitedReport("drums caused 71 % of the limiter's gain reduction, bass 29 %",
		stemmaster.CorrelationReport{Overall: 0.482, MinWindow: -0.705}, map[string]float64{"in/drums.wav": 0.714, "in/bass.wav": 0.286})
	var b strings.Builder
	printLimiterStems(&b, rep)
	got := b.String()
	for _, want := range []string{
		"limiter: drums caused 71 % of the limiter's gain reduction, bass 29 %\n",
		"drums.wav  71 %    0.06        1.23",
		"bass.wav   29 %    0.06        1.23",
		"mono compatibility: correlation 0.48 overall, -0.70 lowest over 100 ms\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

// TestPrintLimiterStemsOneInput: a stereo master (one input) gets no
// attribution line and no table by stem, as the page's results and
// report.html show none; its mono compatibility still prints.
func TestPrintLimiterStemsOneInput(t *testing.T) {
	t.Parallel()
	rep := limitedReport("mix.wav caused 100 % of the limiter's gain reduction",
		stemmaster.CorrelationReport{Overall: 0.5, MinWindow: 0.1}, map[string]float64{"in/mix.wav": 1})
	var b strings.Builder
	printLimiterStems(&b, rep)
	if got := b.String(); strings.Contains(got, "caused") || strings.Contains(got, "mix.wav") || !strings.Contains(got, "mono compatibility: correlation 0.50") {
		t.Errorf("one input's summary: %q, want the correlation alone", got)
	}
}

// TestPrintCorrelationNoSignal: a silent master's correlation prints as
// no signal, as the page and report.html say it.
func TestPrintCorrelationNoSignal(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	nan := stemmaster.Level(math.NaN())
	printCorrelation(&b, &stemmaster.CorrelationReport{Overall: nan, MinWindow: nan})
	if got := b.String(); got != "mono compatibility: no signal (a channel of the master is silent)\n" {
		t.Errorf("got %q", got)
	}
}
