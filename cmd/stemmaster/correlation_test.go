package main

import (
	"math"
	"strings"
	"testing"

	"stemmaster"
)

// TestPrintCorrelationNoSignal: a silent master's correlation prints as
// no signal, as the page and report.html say it.
func TestPrintCorrelationNoSignal(t *testing.T) {
	var b strings.Builder
	nan := stemmaster.Level(math.NaN())
	printCorrelation(&b, &stemmaster.CorrelationReport{Overall: nan, MinWindow: nan})
	if got := b.String(); got != "mono compatibility: no signal (a channel of the master is silent)\n" {
		t.Errorf("got %q", got)
	}
}
