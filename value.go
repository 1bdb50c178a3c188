package stemmaster

import (
	"encoding/json"
	"math"
	"strconv"
)

// Level is a measured figure of a report that may be minus infinity
// (silence) or undefined (too short, gated away): mostly levels in dB, LUFS,
// LU or dBTP, and also the durations, times and ratios reported beside them
// (duration_s, wall_time_s, x_real_time). It marshals to JSON as a number
// rounded to two decimals, and as null when it is not finite, so JSON output
// never carries NaN or Inf; every figure of a report goes through it, so the
// same value prints the same everywhere.
type Level float64

// MarshalJSON implements json.Marshaler.
func (l Level) MarshalJSON() ([]byte, error) {
	f := float64(l)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	r := math.Round(f*100) / 100
	if r == 0 {
		r = 0 // -0 (a peak a hair under full scale, -0.001 dBFS) prints as 0, not "-0"
	}
	return strconv.AppendFloat(nil, r, 'f', -1, 64), nil
}

// Round is the level to decimals places as every text shows it (the CLI,
// report.html, the web page): rounded from the two decimals JSON carries,
// half away from zero. A figure that JSON carries as 3.55 reads 3.6
// everywhere; rounded from the float it would read 3.5 in a text (from
// 3.546) beside 3.6 on the page, which has the JSON alone. Not finite, it
// is returned as it is.
func (l Level) Round(decimals int) float64 {
	f, p := float64(l), math.Pow(10, float64(decimals))
	if !l.Defined() || decimals >= 2 {
		return math.Round(f*p) / p
	}
	h := math.Round(f * 100)
	if h == 0 {
		h = 0 // as MarshalJSON: -0.004 is 0, not -0
	}
	return math.Round(h/(100/p)) / p
}

// UnmarshalJSON implements json.Unmarshaler; null reads as NaN.
func (l *Level) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = Level(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*l = Level(f)
	return nil
}

// Levels converts figures to Levels, for JSON that writes the undefined
// ones as null.
func Levels(x []float64) []Level {
	out := make([]Level, len(x))
	for i, v := range x {
		out[i] = Level(v)
	}
	return out
}

// Defined reports whether the level is a finite number.
func (l Level) Defined() bool { return !math.IsNaN(float64(l)) && !math.IsInf(float64(l), 0) }

// FormatNumber prints a figure the way a user writes it: 30000, -1.5, 0.707
// (the shortest decimal that reads back as the same float64, without
// exponent). Messages about session values and targets use it, so a value
// is echoed as it was given. Beyond 1e21 and under 1e-6 it takes an
// exponent (1e+308), as JSON does: plain digits would run to hundreds.
func FormatNumber(v float64) string {
	if a := math.Abs(v); a >= 1e21 || a != 0 && a < 1e-6 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
