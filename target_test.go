package stemmaster

import (
	"math"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	// Figures from the preset table of docs/session.md; a bare number keeps -1 dBTP.
	tests := []struct{ in, want string }{
		{"loud", "loud (-9 LUFS, -1 dBTP)"},
		{"-11", "-11 LUFS, -1 dBTP"},
		{"-11LUFS", "-11 LUFS, -1 dBTP"},
		{"none", "none"},
	}
	for _, tc := range tests {
		got, err := ParseTarget(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"loudest", "3", "-90"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}

// TestTargetBoundsSaid: a refused target's message states the bound it
// broke, never a range that holds the value (0 LUFS "outside -70 … 0
// LUFS") or a bound a NaN does not break (a NaN true peak "above 0 dBTP").
// Targets stop at -60 LUFS, where the -70 LUFS absolute gate of BS.1770
// starts to leave music out.
func TestTargetBoundsSaid(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		t    Target
		want string
	}{
		{Target{IntegratedLUFS: 0, TruePeakDBTP: -1}, "integrated_lufs: 0 is not below 0 LUFS"},
		{Target{IntegratedLUFS: 3, TruePeakDBTP: -1}, "integrated_lufs: 3 is not below 0 LUFS"},
		{Target{IntegratedLUFS: -60.5, TruePeakDBTP: -1}, "integrated_lufs: -60.5 is below -60 LUFS: quieter, BS.1770's absolute gate"},
		{Target{IntegratedLUFS: -70, TruePeakDBTP: -1}, "integrated_lufs: -70 is below -60 LUFS"},
		{Target{IntegratedLUFS: math.NaN(), TruePeakDBTP: -1}, "integrated_lufs: NaN is not a number"},
		{Target{IntegratedLUFS: -14, TruePeakDBTP: math.NaN()}, "true_peak_dbtp: NaN is not a number"},
		{Target{IntegratedLUFS: -14, TruePeakDBTP: 0.5}, "true_peak_dbtp: 0.5 is above 0 dBTP"},
	} {
		err := c.t.check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.t, err, c.want)
		}
	}
	if _, err := ParseTarget("0"); err == nil || strings.Contains(err.Error(), "outside -70 … 0") {
		t.Errorf("ParseTarget(\"0\"): %v", err)
	}
	if tg, err := ParseTarget("-60"); err != nil || tg.IntegratedLUFS != -60 {
		t.Errorf("ParseTarget(\"-60\") = %+v, %v", tg, err)
	}
}
