package e2e

import (
	"math"
	"slices"
	"strings"
	"testing"

	"stemmaster"
)

// TestChainControls runs chain.mjs: the multiband, dynamic EQ and
// mid/side compressor controls on a 390 px page reach the server's
// session and the live player, a 422 shows next to the control it names, a render of the
// session succeeds with the plain limiter's figures (which stems caused
// its reduction, per-stem GR) on the results as report.json has them, and
// the tone match shows read-only and can be removed.
func TestChainControls(t *testing.T) {
	var s struct {
		Multiband *struct {
			CrossoversHz []float64        `json:"crossovers_hz"`
			Bands        []map[string]any `json:"bands"`
		} `json:"multiband"`
		DynamicEQ    []map[string]float64                `json:"dynamic_eq"`
		CompChannel  string                              `json:"comp_channel"`
		LiveChain    []string                            `json:"live_chain"`
		LiveFlatDB   map[string]float64                  `json:"live_flat_db"`
		FieldError   string                              `json:"field_error"`
		FieldErrorAt string                              `json:"field_error_next_to"`
		ErrorCleared bool                                `json:"error_cleared"`
		MasterBands  int                                 `json:"master_multiband_bands"`
		ScrollWidth  int                                 `json:"scroll_width"`
		StepRows     int                                 `json:"step_rows"`
		Render       string                              `json:"render"`
		MatchSummary string                              `json:"match_summary"`
		MatchRemoved bool                                `json:"match_removed"`
		Report       *stemmaster.Report                  `json:"report"`
		PageReport   pageChainFigures                    `json:"page_report"`
		ABLevels     *struct{ Text, Sum, Faders string } `json:"ab_levels"`
	}
	runScript(t, "chain.mjs", "chain", &s)
	if s.Multiband == nil || len(s.Multiband.Bands) != 3 || len(s.Multiband.CrossoversHz) != 2 {
		t.Errorf("stems[0].multiband in the session = %+v, want 3 bands and 2 crossovers", s.Multiband)
	}
	if len(s.DynamicEQ) != 1 || s.DynamicEQ[0]["freq_hz"] != 4000 {
		t.Errorf("stems[0].dynamic_eq = %v, want one band at 4000 Hz", s.DynamicEQ)
	}
	if s.CompChannel != "side" {
		t.Errorf("stems[0].compressor.channel = %q, want side", s.CompChannel)
	}
	if want := []string{"compressor:side", "dynamic_eq", "multiband"}; !slices.Equal(s.LiveChain, want) {
		t.Errorf("the live player's chain for stems[0] is %q, want %q", s.LiveChain, want)
	}
	for _, k := range []string{"multiband", "de_esser", "mid_side", "multiband_stand_in"} {
		if d, ok := s.LiveFlatDB[k]; !ok || math.Abs(d) > 0.1 {
			t.Errorf("the live %s changes white noise's level by %.3f dB (measured %v), want within 0.1 dB", k, d, ok)
		}
	}
	if s.FieldErrorAt != "stems[0].multiband.crossovers_hz[1]" || !strings.Contains(s.FieldError, "1.25") || !s.ErrorCleared {
		t.Errorf("422 shown at %q (%q), cleared %v; want it at the second crossover, gone once fixed", s.FieldErrorAt, s.FieldError, s.ErrorCleared)
	}
	if s.MasterBands != 3 {
		t.Errorf("master.multiband has %d bands, want 3", s.MasterBands)
	}
	if s.StepRows != 1 {
		t.Errorf("the five steps take %d rows on a 390 px screen, want one", s.StepRows)
	}
	if s.ScrollWidth > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", s.ScrollWidth)
	}
	if s.Render != "done" {
		t.Errorf("render ended %q, want done", s.Render)
	} else {
		checkChainFigures(t, s.Report, s.PageReport, false)
	}
	if a := s.ABLevels; a == nil || !strings.Contains(a.Text, "stems at your mix "+a.Sum+" LUFS") {
		t.Errorf("the A/B levels read %+v; want the stems at the render's stem sum (after the strips)", s.ABLevels)
	} else {
		t.Logf("A/B: %s (the sum at the faders, strips left out: %s LUFS)", a.Text, a.Faders)
	}
	if !strings.HasPrefix(s.MatchSummary, "3 points") || !s.MatchRemoved {
		t.Errorf("tone match shown as %q, removed %v", s.MatchSummary, s.MatchRemoved)
	}
}
