// This file holds the units session fields carry in their names, and the
// hint an error gives when a figure is written with its unit.

package sessionfile

import (
	"fmt"
	"strconv"
	"strings"

	"stemmaster"
)

// fieldUnits are the units session fields carry in their names' endings
// (docs/session.md), longest ending first.
var fieldUnits = []struct{ ending, unit string }{
	{"_dbtp", "dBTP"}, {"_lufs", "LUFS"}, {"_lu", "LU"}, {"_db", "dB"}, {"_hz", "Hz"}, {"_ms", "ms"}, {"_samples", "samples"},
}

// unitHint says how to write a figure given with its unit ("0.5dB",
// "3 kHz", "-14 LUFS") in a numeric field: the number alone, in the unit
// the field's name carries (kHz turned into Hz); "" for any other value.
func unitHint(path, value string) string {
	x, written, ok := withUnit(value)
	if !ok {
		return ""
	}
	field := path[strings.LastIndexAny(path, ".]")+1:]
	for _, u := range fieldUnits {
		if !strings.HasSuffix(field, u.ending) {
			continue
		}
		if u.unit == "Hz" && (strings.EqualFold(written, "k") || strings.EqualFold(written, "khz")) {
			x *= 1000
		}
		return fmt.Sprintf(" (write the number alone, %s: the field's unit, %s, is in its name)", stemmaster.FormatNumber(x), u.unit)
	}
	return ""
}

// withUnit splits a figure written with its unit ("0.5dB", "3 kHz",
// "-14 LUFS") into the number and the unit; ok is false for any other
// value.
func withUnit(value string) (x float64, unit string, ok bool) {
	i := strings.IndexFunc(value, func(r rune) bool { return r == ' ' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '%' })
	if i <= 0 {
		return 0, "", false
	}
	x, err := strconv.ParseFloat(value[:i], 64)
	if err != nil {
		return 0, "", false
	}
	return x, strings.TrimSpace(value[i:]), true
}

// targetHint says how to write a target given as a loudness with its unit
// (`target: -11 LUFS`): the number alone, which the target reads in LUFS;
// "" for any other value.
func targetHint(value string) string {
	x, unit, ok := withUnit(value)
	if !ok || !strings.EqualFold(unit, "LUFS") && !strings.EqualFold(unit, "LKFS") {
		return ""
	}
	return fmt.Sprintf(" (write the number alone, %s: a target written as a number is a loudness in LUFS)", stemmaster.FormatNumber(x))
}

// didYouMean names the known field a misspelt key most likely meant:
// the one field the key is the name of without its unit (`gain`:
// gain_db), or the one field a letter off (two in a key of six or more),
// counting two neighbours exchanged as one (`gian_db`: gain_db). It
// returns ": did you mean gain_db?", or "" when no field, or more than
// one, is that near.
func didYouMean(key string, known []string) string {
	key = strings.ToLower(key)
	var near []string
	for _, k := range known {
		if strings.HasPrefix(k, key+"_") {
			near = append(near, k)
		}
	}
	if len(near) == 0 {
		most := 1
		if len([]rune(key)) >= 6 {
			most = 2
		}
		for _, k := range known {
			if typoDistance(key, k) <= most {
				near = append(near, k)
			}
		}
	}
	if len(near) != 1 {
		return ""
	}
	return ": did you mean " + near[0] + "?"
}

// typoDistance is the optimal string alignment distance of a and b: the
// letters inserted, removed, replaced, and neighbours exchanged.
func typoDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
