package stemmaster

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// Messages about a value state the value readably and the bound it broke.

// TestFormatNumberExtremes: a number is echoed as written for every value
// a user types, and in exponent form only where plain digits would run to
// hundreds of characters (a session PUT with freq_hz 1e308 answered a 330-
// character figure).
func TestFormatNumberExtremes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    float64
		want string
	}{
		{30000, "30000"}, {-1.5, "-1.5"}, {0.707, "0.707"}, {0, "0"}, {2147483648, "2147483648"},
		{0.000001, "0.000001"}, {1e20, "100000000000000000000"},
		{1e308, "1e+308"}, {-1e300, "-1e+300"}, {1e-300, "1e-300"}, {1.5e-7, "1.5e-07"},
	} {
		got := FormatNumber(c.v)
		if got != c.want {
			t.Errorf("FormatNumber(%g) = %q, want %q", c.v, got, c.want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != c.v {
			t.Errorf("FormatNumber(%g) = %q reads back as %g, %v", c.v, got, back, err)
		}
	}
	s := &Session{Stems: []StemSpec{{File: "a.wav", GainDB: 1e308}}}
	if err := s.Validate(); err == nil || len(err.Error()) > 120 || !strings.Contains(err.Error(), "1e+308") {
		t.Errorf("Validate: %v", err)
	}
}

// TestTargetBoundsSaid: a refused target's message states the bound it
// broke: 0 LUFS was refused as "outside -70 … 0 LUFS", a range that holds
// it, and a NaN true peak as "above 0 dBTP".
func TestTargetBoundsSaid(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		t    Target
		want string
	}{
		{Target{IntegratedLUFS: 0, TruePeakDBTP: -1}, "integrated_lufs: 0 is not below 0 LUFS"},
		{Target{IntegratedLUFS: 3, TruePeakDBTP: -1}, "integrated_lufs: 3 is not below 0 LUFS"},
		{Target{IntegratedLUFS: -71, TruePeakDBTP: -1}, "integrated_lufs: -71 is below -70 LUFS"},
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
	if tg, err := ParseTarget("-70"); err != nil || tg.IntegratedLUFS != -70 {
		t.Errorf("ParseTarget(\"-70\") = %+v, %v", tg, err)
	}
}

// TestSuffixLength: a suffix too long for a file name is refused when the
// session is validated; 300 characters passed and the render failed at
// its end with "file name too long".
func TestSuffixLength(t *testing.T) {
	t.Parallel()
	for n, ok := range map[int]bool{MaxSuffixLen: true, MaxSuffixLen + 1: false, 300: false} {
		s := &Session{Stems: []StemSpec{{File: "a.wav"}}, Outputs: []Output{{Format: "wav", BitDepth: 24, Suffix: strings.Repeat("a", n)}}}
		err := s.Validate()
		if ok != (err == nil) || !ok && !strings.Contains(err.Error(), "outputs[0].suffix") {
			t.Errorf("a suffix of %d characters: %v", n, err)
		}
	}
}
