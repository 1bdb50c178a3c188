package stemmaster

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

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

// TestLevelNegativeZero: a level that rounds to zero from below (a peak
// of -0.001 dBFS) is 0 in JSON, never "-0".
func TestLevelNegativeZero(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{-0.001, math.Copysign(0, -1), 0.004} {
		b, err := json.Marshal(Level(v))
		if err != nil || string(b) != "0" {
			t.Errorf("Level(%g) marshals as %s (%v), want 0", v, b, err)
		}
	}
}

// TestLevelRoundAsJSON: a level shown to one decimal is the two decimals
// of its JSON rounded half away from zero, so a text and the page (which
// has the JSON alone) agree: the float 3.5547 and 3.546 both carry 3.55
// and read 3.6, where %.1f of the float read 3.6 and 3.5 and the page's
// toFixed(1) of 3.55 read 3.5.
func TestLevelRoundAsJSON(t *testing.T) {
	for _, c := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{3.5547, 1, "3.6"}, {3.546, 1, "3.6"}, {3.544, 1, "3.5"}, {-12.546, 1, "-12.6"}, {-12.544, 1, "-12.5"},
		{1.45, 1, "1.5"}, {2.675, 2, "2.68"}, {-0.04, 1, "-0.0"}, {-0.004, 1, "0.0"}, {2.5, 0, "3"}, {-2.45, 0, "-2"},
		{math.Inf(-1), 1, "-Inf"},
	} {
		got := strconv.FormatFloat(Level(c.v).Round(c.decimals), 'f', c.decimals, 64)
		if got != c.want {
			t.Errorf("Level(%g).Round(%d) prints %s, want %s", c.v, c.decimals, got, c.want)
		}
		if b, _ := json.Marshal(Level(c.v)); c.decimals == 1 && c.v > -1e9 {
			var back float64
			json.Unmarshal(b, &back)
			if again := strconv.FormatFloat(Level(back).Round(1), 'f', 1, 64); again != got {
				t.Errorf("Level(%g): %s from the float, %s from its JSON %s", c.v, got, again, b)
			}
		}
	}
}
