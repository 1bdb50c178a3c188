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
		why = fmt.Sprintf("the residual is %s's level moving against its part of the mix (one gain per %.0f ms on %s alone explains %.0f %% of it, one gain on the whole sum %.0f %%; it runs from %s to %s dB, 10th to 90th percentile): a compressor or limiter on %s that the mix does not have — printed on the stem, or bypassed on its track when the mix was bounced",
			n, block, n, 100*t.Explained, 100*busExplained, signedDB(t.LowDB), signedDB(t.HighDB), n)
		fix = fmt.Sprintf("export %s again through exactly the plug-ins its track has in the mix (no compressor or limiter added on the export, none bypassed), or bounce the mix again with the same chain", n)
		return why, fix
	}
	why = fmt.Sprintf("the residual is the levels of %s moving against their parts of the mix (one gain per %.0f ms on each stem explains %.0f %% of it, one gain on the whole sum only %.0f %%): each carries a compressor or limiter that the mix does not have — the master bus's chain printed on every stem, for instance",
		joinNames(names), block, 100*facts.tracks.Explained, 100*busExplained)
	fix = "export the stems with the master-bus processing off and nothing added on their tracks (as they play into the master bus in the mix), or bounce the mix through the same chains"
	return why, fix
}

// joinNames lists names as "a, b and c".
func joinNames(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
