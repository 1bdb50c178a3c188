package main

import (
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// TestMixLineSaysWhatItMeasured: the Mix line's verdict is the
// checklist's "stems sum to the mix": both residuals it states at or under
// the threshold. A delivery the findings explain still does not sum, and a
// reversed mix (the whole mix left as residual) never does.
func TestMixLineSaysWhatItMeasured(t *testing.T) {
	t.Parallel()
	nan := stemmaster.Level(math.NaN())
	for _, c := range []struct {
		null, fitted stemmaster.Level
		want, not    string
	}{
		{-140, -140, "null against it (residual at the -140 dB floor: nothing left): at or under the -50 dB threshold, they sum to the mix", "do not"},
		{-2.9, -140, "; corrected for the findings above they null against it (residual at the -140 dB floor: nothing left): as delivered over the -50 dB threshold, they do not sum to the mix; the findings above explain all of the difference", "at or under"},
		{-60, -140, "; corrected for the findings above they null against it (residual at the -140 dB floor: nothing left): at or under the -50 dB threshold, they sum to the mix", "do not"},
		{3, -0.01, "; corrected for the findings above they leave a residual of -0.0 dB against it: over the -50 dB threshold, they do not sum to the mix", "at or under"},
		{-6, -41.4, "leave a residual of -41.4 dB against it: over the -50 dB threshold, they do not sum to the mix", "at or under"},
		{nan, nan, "cannot be compared with it", "threshold"},
	} {
		got := mixLine(&stemmaster.MixReport{File: "mix.wav", NullResidualDB: c.null, FittedResidualDB: c.fitted, ThresholdDB: -50})
		if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("residuals %v, %v: %q, want it to say %q and not %q", c.null, c.fitted, got, c.want, c.not)
		}
	}
}

// TestCheckMixAmongStems: `check --mix M … M …` refuses at once, naming
// both, instead of comparing the stems with a mix they hold.
func TestCheckMixAmongStems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	mix := audiotest.WriteWAV(t, dir, "mix.wav", audiotest.Sine(48000, 2, 4800, 440, -6, 0), 48000, 24)
	code, stdout, stderr := runCLI("check", "--json", "--mix", mix, a, mix)
	if code != exitInputError || stdout != "" || !strings.Contains(stderr, "the mix "+mix+" is also given as the stem "+mix) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming the mix among the stems", code, stdout, stderr, exitInputError)
	}
	if code, _, stderr := runCLI("check", "--mix", mix, a); code == exitInputError && strings.Contains(stderr, "also given") {
		t.Errorf("a delivery with its own mix refused: %s", stderr)
	}
}
