package check

import (
	"fmt"
	"math"
	"strings"

	"stemmaster/analysis"
)

// stemsWhy words the stems' diagnosis (analysis.DiagnoseStems): the
// sum_mismatch's reason and its fix, given the bus-gain track's explained
// fraction.
func stemsWhy(sum []*input, facts residualFacts, busExplained float64) (why, fix string) {
	if math.IsNaN(busExplained) {
		busExplained = 0
	}
	var names []string
	for _, k := range facts.stems {
		names = append(names, sum[k].Name)
	}
	block := analysis.BusGainBlockSeconds * 1000
	if facts.diag.Cause == analysis.CauseStemExtra {
		k := facts.stems[0]
		t := facts.tracks.Stems[k]
		n := sum[k].Name
		why = fmt.Sprintf("the residual is %s itself where it should be silent or match the mix (leaving it out there removes %.0f %% of the residual, while where it plays its level matches the mix): %s holds something that the mix does not — noise, hum, a click or a count-in, or a part the mix mutes or gates",
			n, 100*t.Removed, n)
		fix = fmt.Sprintf("listen to %s where it should be silent, remove what the mix does not have (or gate it as in the mix), and export it again", n)
		return why, fix
	}
	if len(names) == 1 {
		n := names[0]
		t := facts.tracks.Stems[facts.stems[0]]
		why = fmt.Sprintf("the residual is %s's level moving against its part of the mix (one gain per %.0f ms on %s alone explains %.0f %% of it, one gain on the whole sum %.0f %%; it runs from %s to %s dB, 10th to 90th percentile): a compressor, limiter or volume automation on %s that the mix does not have — printed on the stem, bypassed on its track when the mix was bounced, or the stem exported pre-fader, without its fader automation",
			n, block, n, 100*t.Explained, 100*busExplained, signedDB(t.LowDB), signedDB(t.HighDB), n)
		fix = fmt.Sprintf("export %s again as it plays in the mix: post-fader, with its automation, through exactly the plug-ins its track has in the mix (none added on the export, none bypassed); or bounce the mix again with the same chain", n)
		return why, fix
	}
	why = fmt.Sprintf("the residual is the levels of %s moving against their parts of the mix (one gain per %.0f ms on each stem explains %.0f %% of it, one gain on the whole sum only %.0f %%): each carries a compressor or limiter that the mix does not have — the master bus's chain printed on every stem, for instance",
		joinNames(names), block, 100*facts.tracks.Explained, 100*busExplained)
	fix = "export the stems with the master-bus processing off and nothing added on their tracks (as they play into the master bus in the mix), or bounce the mix through the same chains"
	return why, fix
}

// movingWhy words the stems whose own level moves against the mix beside
// a missing stem (analysis.StemTracksResult.MovingStems), to follow the
// missing stem's reason and fix; "" for none.
func movingWhy(sum []*input, t analysis.StemTracksResult) (why, fix string) {
	moving := t.MovingStems()
	if len(moving) == 0 {
		return "", ""
	}
	var names, spans []string
	for _, k := range moving {
		names = append(names, sum[k].Name)
		spans = append(spans, fmt.Sprintf("%s from %s to %s dB", sum[k].Name, signedDB(t.Stems[k].LowDB), signedDB(t.Stems[k].HighDB)))
	}
	n, its, verb := joinNames(names), "its", "moves"
	if len(names) > 1 {
		its, verb = "their", "move"
	}
	why = fmt.Sprintf("; besides, the level of %s %s against %s part of the mix (one gain per %.0f ms runs %s, 10th to 90th percentile, where a stem at its fader level stays within a few tenths of a dB whatever is missing): a compressor, limiter or volume automation on %s that the mix does not have",
		n, verb, its, analysis.BusGainBlockSeconds*1000, joinNames(spans), n)
	fix = fmt.Sprintf("; and export %s again as %s in the mix (post-fader, with %s automation, through exactly the plug-ins of %s track)", n, map[bool]string{true: "it plays", false: "they play"}[len(names) == 1], its, its)
	return why, fix
}

// joinNames lists names as "a, b and c".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// eqWhy words an equaliser on the mix (analysis.SpectralFit).
func eqWhy(r analysis.SpectralFitResult) string {
	var bands []string
	for _, b := range r.Moved() {
		bands = append(bands, fmt.Sprintf("%s dB at %s", signedDB(b.GainDB), hzText(b.CentreHz)))
	}
	return fmt.Sprintf("the mix is the stems' sum through an equaliser (one gain per frequency explains %.0f %% of the residual, one gain per moment does not; against the stems' sum the mix has %s): master-bus processing — an EQ — was left on the mix",
		100*r.Explained, joinNames(bands))
}

// hzText formats an octave band's centre by its nominal name: "31.5 Hz",
// "63 Hz", "125 Hz", "8 kHz".
func hzText(hz float64) string {
	switch {
	case hz >= 1000:
		return fmt.Sprintf("%.0f kHz", hz/1000)
	case hz < 40:
		return "31.5 Hz"
	case hz < 100:
		return "63 Hz"
	}
	return fmt.Sprintf("%.0f Hz", hz)
}
