package stemmaster

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster/internal/doccheck"
)

// readTables returns the tables of a Markdown file under docs/.
func readTables(t *testing.T, name string) []doccheck.Table {
	t.Helper()
	return doccheck.Tables(doccheck.Read(t, "docs/"+name))
}

// schemaPaths lists the field paths of a session as a session file spells
// them ("stems[].eq[].freq_hz"), from the types' json tags.
func schemaPaths(typ reflect.Type, prefix string, out *[]string) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := prefix + name
		*out = append(*out, path)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			schemaPaths(ft.Elem(), path+"[].", out)
		case ft.Kind() == reflect.Slice:
			*out = append(*out, path+"[]")
		case ft.Kind() == reflect.Struct:
			schemaPaths(ft, path+".", out)
		}
	}
}

// TestSessionDoc keeps docs/session.md and the session types in step: every
// field the JSON/YAML schema has is a row of a "field" table there, and
// every row names a field that exists.
func TestSessionDoc(t *testing.T) {
	t.Parallel()
	var want []string
	schemaPaths(reflect.TypeFor[Session](), "", &want)
	doccheck.InStep(t, want, doccheck.FirstColumn(readTables(t, "session.md"), "field"),
		"session field %s is not documented: add a row for it to docs/session.md (unit, default, bounds, meaning)",
		"docs/session.md documents %s, which the session types do not have")
}

// TestChecksDoc keeps docs/checks.md and the finding codes in step: every
// code has a row with its severity, and every row names a code.
func TestChecksDoc(t *testing.T) {
	t.Parallel()
	rows := map[string]string{}
	for _, tb := range readTables(t, "checks.md") {
		if len(tb.Header) < 2 || tb.Header[0] != "code" || tb.Header[1] != "severity" {
			continue
		}
		for _, row := range tb.Rows {
			for _, c := range doccheck.CodeSpans(row[0]) {
				rows[c] = row[1]
			}
		}
	}
	if len(rows) == 0 {
		t.Fatal("docs/checks.md has no table with the columns code | severity")
	}
	for code, sev := range CodeSeverity {
		got, ok := rows[code]
		// "warning (error from …)": the code's severity comes first
		first, _, _ := strings.Cut(got, " ")
		switch {
		case !ok:
			t.Errorf("finding code %s is not documented: add a row to docs/checks.md (severity, how it is measured, value, fix)", code)
		case first != string(sev):
			t.Errorf("docs/checks.md gives %s severity %q; the code gives %q", code, got, sev)
		}
	}
	for code := range rows {
		if _, ok := CodeSeverity[code]; !ok {
			t.Errorf("docs/checks.md documents %s, which is not in CodeSeverity", code)
		}
	}
}

// TestChecksDocMixFields keeps the table of the comparison with the mix in
// docs/checks.md in step with MixReport's JSON fields, and the doc with
// report.json's name for it (check_mix).
func TestChecksDocMixFields(t *testing.T) {
	t.Parallel()
	var want []string
	rt := reflect.TypeFor[MixReport]()
	for i := range rt.NumField() {
		want = append(want, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
	}
	doccheck.InStep(t, want, doccheck.FirstColumn(readTables(t, "checks.md"), "field"),
		"mix field %s is not documented: add a row to the field table of docs/checks.md",
		"docs/checks.md documents mix field %s, which MixReport does not have")
	f, ok := reflect.TypeFor[Report]().FieldByName("CheckMix")
	doc := doccheck.Read(t, "docs/checks.md")
	if !ok || !strings.Contains(doc, "`"+strings.Split(f.Tag.Get("json"), ",")[0]+"`") {
		t.Errorf("docs/checks.md does not name report.json's comparison with the mix (Report.CheckMix)")
	}
}

// TestSessionDocBounds holds the bounds column of docs/session.md to
// Session.Validate: for every number whose bounds are figures
// (boundProbes), a session with the field at either end passes and one
// just outside names the field. A bound that depends on the sample rate
// (below Nyquist) is ValidateRate's and is not read here.
func TestSessionDocBounds(t *testing.T) {
	t.Parallel()
	base := `{
		"stems": [{"file": "a.wav", "eq": [{"type": "peak", "freq_hz": 1000}],
			"compressor": {"threshold_db": -20, "ratio": 2},
			"de_esser": {"freq_hz": 6000, "threshold_db": -30, "range_db": 6},
			"dynamic_eq": [{"freq_hz": 3000, "threshold_db": -30, "ratio": 2, "range_db": 6}],
			"multiband": {"crossovers_hz": [200], "bands": [{}, {}]}, "width": 1}],
		"master": {"eq": [{"type": "peak", "freq_hz": 1000}], "match_eq": [{"freq_hz": 100, "gain_db": 1}],
			"compressor": {"threshold_db": -20, "ratio": 2},
			"limiter": {"stem_aware": {}}, "target": {"integrated_lufs": -14, "true_peak_dbtp": -1},
			"multiband": {"crossovers_hz": [200], "bands": [{}, {}]}, "width": 1, "saturation": {"drive_db": 6}},
		"outputs": [{"format": "wav", "bit_depth": 24}]
	}`
	fresh := func() *Session {
		var s Session
		if err := json.Unmarshal([]byte(base), &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	if err := fresh().Validate(); err != nil {
		t.Fatalf("the base session does not validate: %v", err)
	}
	checked := 0
	for _, tb := range readTables(t, "session.md") {
		typ, bnd := slices.Index(tb.Header, "type"), slices.Index(tb.Header, "bounds")
		if len(tb.Header) == 0 || tb.Header[0] != "field" || typ < 0 || bnd < 0 {
			continue
		}
		for _, row := range tb.Rows {
			if row[typ] != "number" && row[typ] != "integer" {
				continue
			}
			step := 1e-3
			if row[typ] == "integer" {
				step = 1
			}
			ps := boundProbes(row[bnd], step)
			if len(ps) == 0 {
				continue
			}
			for _, field := range doccheck.CodeSpans(row[0]) {
				path := strings.ReplaceAll(field, "[]", "[0]")
				for _, p := range ps {
					s := fresh()
					if !setField(reflect.ValueOf(s).Elem(), strings.Split(strings.ReplaceAll(field, "[]", ""), "."), p.x) {
						t.Errorf("docs/session.md: %s cannot be set", field)
						break
					}
					if got := namesField(s.Validate(), path); got != p.refused {
						t.Errorf("docs/session.md gives %s the bounds %q; Validate at %g: refused %v", field, row[bnd], p.x, got)
					}
				}
				checked++
			}
		}
	}
	if checked < 40 {
		t.Errorf("%d fields' bounds checked; the tables of docs/session.md have more", checked)
	}
}

// A boundProbe is a value to set and whether Validate must refuse it.
type boundProbe struct {
	x       float64
	refused bool
}

var (
	// "−48 … +48", "0.5 … 20 (0 means the default)", "−60 … 0 (exclusive)",
	// "0, or 1 … 100", "0 (none), or 10 … 40"
	boundRange = regexp.MustCompile(`^(0(?: \(none\))?, or )?([−-]?[0-9.]+) … \+?([−-]?[0-9.]+)( \(exclusive\))?`)
	// "over 0, up to 24"
	boundOver = regexp.MustCompile(`^over ([0-9.]+), up to ([0-9.]+)`)
	// "≥ 10 and below the Nyquist frequency", "0, or ≥ 10 and below Nyquist"
	boundAtLeast = regexp.MustCompile(`^(0, or )?≥ ([0-9.]+)`)
)

// boundProbes reads a bounds cell of docs/session.md as the values at and
// just past (by step) each bound it states; none for a cell it cannot
// read (a list of values, a bound in powers of two).
func boundProbes(cell string, step float64) []boundProbe {
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, "−", "-"), 64)
		if err != nil {
			panic(fmt.Sprintf("bounds %q: %v", cell, err))
		}
		return x
	}
	var ps []boundProbe
	if m := boundRange.FindStringSubmatch(cell); m != nil {
		lo, hi := num(m[2]), num(m[3])
		if m[1] != "" {
			ps = append(ps, boundProbe{0, false})
		}
		if m[4] == "" {
			ps = append(ps, boundProbe{lo, false}, boundProbe{hi, false})
		}
		return append(ps, boundProbe{lo - step, true}, boundProbe{hi + step, true})
	}
	if m := boundOver.FindStringSubmatch(cell); m != nil {
		lo, hi := num(m[1]), num(m[2])
		return []boundProbe{{lo, true}, {lo + step, false}, {hi, false}, {hi + step, true}}
	}
	if m := boundAtLeast.FindStringSubmatch(cell); m != nil {
		lo := num(m[2])
		if m[1] != "" {
			ps = append(ps, boundProbe{0, false})
		}
		return append(ps, boundProbe{lo, false}, boundProbe{lo - step, true})
	}
	return nil
}

// setField sets the number at the json path (list fields' first element)
// under v to x, reporting whether the path leads to a number.
func setField(v reflect.Value, path []string, x float64) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if len(path) == 0 {
		switch v.Kind() {
		case reflect.Float64:
			v.SetFloat(x)
		case reflect.Int, reflect.Int64:
			v.SetInt(int64(x))
		default:
			return false
		}
		return true
	}
	if v.Kind() == reflect.Slice {
		if v.Len() == 0 {
			return false
		}
		v = v.Index(0)
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	for i := range v.NumField() {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name == path[0] {
			return setField(v.Field(i), path[1:], x)
		}
	}
	return false
}

// namesField reports whether one of the errors is about the field at path.
func namesField(err error, path string) bool {
	return slices.ContainsFunc(SessionErrors(err), func(se *SessionError) bool { return se.Field == path })
}
