package sessionfile

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// everyProcessor is a session with every processor and every optional
// figure set, so that every number of the schema has a value.
const everyProcessor = `stems:
  - file: vox.wav
    role: lead_vocal
    gain_db: 1
    pan: 0.1
    offset_samples: 3
    eq: [{type: peak, freq_hz: 3000, gain_db: 1, q: 1, channel: mid}]
    compressor: {threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6, makeup_db: 1}
    de_esser: {freq_hz: 6000, threshold_db: -30, range_db: 6}
    dynamic_eq: [{freq_hz: 400, threshold_db: -30, ratio: 3, range_db: 4, channel: side}]
    multiband: {crossovers_hz: [120, 1000], bands: [{threshold_db: -24, ratio: 2}, {threshold_db: -24, ratio: 2, width: 1.1}, {}]}
    width: 1.2
  - {file: drums.wav, role: drums}
master:
  eq: [{type: low_shelf, freq_hz: 100, gain_db: 1, q: 0.707}]
  compressor: {threshold_db: -12, ratio: 1.5, attack_ms: 30, release_ms: 200, knee_db: 6, makeup_db: 0.5, channel: mid}
  multiband: {crossovers_hz: [150, 3000], bands: [{}, {threshold_db: -20, ratio: 2}, {width: 1.2}]}
  width: 1.1
  saturation: {drive_db: 3, character: warm}
  limiter: {ceiling_dbtp: -1, lookahead_ms: 5, release_ms: 80, stem_aware: {lead_vocal: 0.2}}
  target: {integrated_lufs: -14, true_peak_dbtp: -1}
outputs:
  - {format: wav, bit_depth: 24}
`

// floatFields lists the paths (Go field names and indices) of every
// float64 in v that holds a value.
func floatFields(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			floatFields(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				floatFields(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			floatFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if v.MapIndex(k).Kind() == reflect.Float64 {
				*out = append(*out, fmt.Sprintf("%s{%v}", path, k))
			}
		}
	case reflect.Float64:
		*out = append(*out, path)
	}
}

// setFloat sets the float64 at path (as floatFields names it) in v.
func setFloat(v reflect.Value, path string, x float64) {
	for path != "" {
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		switch path[0] {
		case '.':
			end := strings.IndexAny(path[1:], ".[{")
			if end < 0 {
				end = len(path) - 1
			}
			v, path = v.FieldByName(path[1:1+end]), path[1+end:]
		case '[':
			end := strings.IndexByte(path, ']')
			var i int
			fmt.Sscan(path[1:end], &i)
			v, path = v.Index(i), path[end+1:]
		case '{':
			end := strings.IndexByte(path, '}')
			for _, k := range v.MapKeys() {
				if fmt.Sprint(k) == path[1:end] {
					v.SetMapIndex(k, reflect.ValueOf(x).Convert(v.Type().Elem()))
				}
			}
			return
		}
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	v.SetFloat(x)
}

// TestEveryNumberRejectsNonFinite: NaN and ±Inf in any number of a session
// (YAML writes them .nan, .inf) are errors of Validate and ValidateRate,
// whatever the field:
// a range check written as "x > max" lets NaN through to the filters.
func TestEveryNumberRejectsNonFinite(t *testing.T) {
	t.Parallel()
	base, err := Parse([]byte(everyProcessor), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := base.Validate(); err != nil {
		t.Fatalf("the full session is invalid: %v", err)
	}
	var paths []string
	floatFields(reflect.ValueOf(base).Elem(), "", &paths)
	if len(paths) < 40 {
		t.Fatalf("only %d numbers found in the full session: %v", len(paths), paths)
	}
	t.Logf("%d numbers", len(paths))
	for _, p := range paths {
		for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			s, _ := Parse([]byte(everyProcessor), "s.yaml")
			setFloat(reflect.ValueOf(s).Elem(), p, x)
			// Frequencies are bounded by Nyquist, so the rate's check
			// completes the one without audio.
			if err := errors.Join(s.Validate(), s.ValidateRate(48000)); err == nil {
				t.Errorf("%s = %g passes Validate and ValidateRate", p, x)
			}
		}
	}
}
