package stemmaster

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
// Session.Validate and ValidateRate, every cell that states a bound: for a
// number (boundProbes), a session with the field at either end passes and
// one just outside names the field; a bound below the Nyquist frequency or
// 0.45 × the rate is held to ValidateRate at docRate; a list's length
// (listProbes) is held at its ends the same way; every name a name's cell
// lists passes and another is refused (nameRefused). A cell "as above" or
// "as `field`" reads that row's bounds. The default column is held to the
// code by engine's TestSessionDocDefaults, where the processors are.
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
		"outputs": [{"format": "wav", "bit_depth": 16}]
	}`
	fresh := func() *Session {
		var s Session
		if err := json.Unmarshal([]byte(base), &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	if err := errors.Join(fresh().Validate(), fresh().ValidateRate(docRate)); err != nil {
		t.Fatalf("the base session does not validate: %v", err)
	}
	bounds := map[string]string{} // every field's bounds cell, for "as `field`"
	tables := readTables(t, "session.md")
	for _, tb := range tables {
		if bnd := slices.Index(tb.Header, "bounds"); len(tb.Header) > 0 && tb.Header[0] == "field" && bnd >= 0 {
			for _, row := range tb.Rows {
				for _, f := range doccheck.CodeSpans(row[0]) {
					bounds[f] = row[bnd]
				}
			}
		}
	}
	checked := map[string]int{}
	for _, tb := range tables {
		typ, bnd := slices.Index(tb.Header, "type"), slices.Index(tb.Header, "bounds")
		if len(tb.Header) == 0 || tb.Header[0] != "field" || typ < 0 || bnd < 0 {
			continue
		}
		prev := ""
		for _, row := range tb.Rows {
			cell := row[bnd]
			if cell == "as above" {
				cell = prev
			} else if as := doccheck.CodeSpans(cell); strings.HasPrefix(cell, "as `") && len(as) == 1 {
				cell = bounds[as[0]]
			}
			prev = cell
			for _, field := range doccheck.CodeSpans(row[0]) {
				path := strings.ReplaceAll(field, "[]", "[0]")
				keys := strings.Split(strings.ReplaceAll(field, "[]", ""), ".")
				switch {
				case row[typ] == "number" || row[typ] == "integer":
					step := 1e-3
					if row[typ] == "integer" {
						step = 1
					}
					for _, p := range boundProbes(cell, step) {
						s := fresh()
						if !setField(reflect.ValueOf(s).Elem(), keys, p.x) {
							t.Fatalf("docs/session.md: %s cannot be set", field)
						}
						err := s.Validate()
						if p.rate {
							err = s.ValidateRate(docRate)
						}
						if got := namesField(err, path); got != p.refused {
							t.Errorf("docs/session.md gives %s the bounds %q; at %g (%s) refused %v", field, cell, p.x, p.by(), got)
						}
						checked["number"]++
					}
				case row[typ] == "name":
					// The names the cell lists (before any "; " that
					// adds conditions) pass, one it does not is refused.
					names, _, _ := strings.Cut(cell, "; ")
					for _, n := range append(doccheck.CodeSpans(names), "bogus") {
						if got := nameRefused(t, base, field, n); got != (n == "bogus") {
							t.Errorf("docs/session.md gives %s the names %q; %q refused %v", field, cell, n, got)
						}
						checked["name"]++
					}
				case strings.HasPrefix(row[typ], "list"):
					for _, p := range listProbes(cell, fresh(), keys) {
						s := fresh()
						if !setLen(s, keys, p.n) {
							t.Fatalf("docs/session.md: %s cannot be set to %d items", field, p.n)
						}
						if got := namesField(s.Validate(), path); got != p.refused {
							t.Errorf("docs/session.md gives %s the bounds %q; with %d items refused %v", field, cell, p.n, got)
						}
						checked["list"]++
					}
				}
			}
		}
	}
	// Every number, list and name row with a bound is read: 323 number
	// probes, 33 list probes and 85 name probes today; a cell the
	// patterns stop reading drops two or more.
	if checked["number"] < 322 || checked["list"] < 32 || checked["name"] < 84 {
		t.Errorf("probes of docs/session.md's bounds: %v; its tables have more", checked)
	}
}

// nameRefused reports whether the session base (JSON), with the name at
// field (its lists' first item, made when the list is absent), is refused:
// by its decoding (a target's preset) or by Validate naming the field.
func nameRefused(t *testing.T, base, field, name string) bool {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(base), &doc); err != nil {
		t.Fatal(err)
	}
	var cur any = doc
	keys := strings.Split(field, ".")
	for i, k := range keys {
		list := strings.HasSuffix(k, "[]")
		k = strings.TrimSuffix(k, "[]")
		m := cur.(map[string]any)
		last := i == len(keys)-1
		switch {
		case last && !list:
			m[k] = name
		case last:
			m[k] = []any{name}
		case list:
			if m[k] == nil {
				m[k] = []any{map[string]any{}}
			}
			cur = m[k].([]any)[0]
		default:
			if m[k] == nil {
				m[k] = map[string]any{}
			}
			cur = m[k]
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return true
	}
	return namesField(s.Validate(), strings.ReplaceAll(field, "[]", "[0]"))
}

// docRate is the rate the bounds below Nyquist (8000 Hz) and 0.45 × the
// rate (7200 Hz) are probed at: both inside every such field's other
// bounds.
const docRate = 16000

// A boundProbe is a value to set and whether Validate (or, for a bound
// that depends on the rate, ValidateRate at docRate) must refuse it.
type boundProbe struct {
	x       float64
	refused bool
	rate    bool
}

func (p boundProbe) by() string {
	if p.rate {
		return fmt.Sprintf("ValidateRate at %d Hz", docRate)
	}
	return "Validate"
}

var (
	// "−48 … +48", "0.5 … 20 (0 means the default)", "−60 … 0, 0 excluded",
	// "−2³¹ … 2³¹, both excluded", "0, or 1 … 100", "0 (none), or 10 … 40"
	boundRange = regexp.MustCompile(`^(0(?: \(none\))?, or )?(` + docNum + `) … \+?(` + docNum + `)(?:, (both|` + docNum + `) excluded)?`)
	// "over 0, up to 24"
	boundOver = regexp.MustCompile(`^over (` + docNum + `), up to (` + docNum + `)`)
	// "≥ 10 and below the Nyquist frequency", "0, or ≥ 10 and below Nyquist"
	boundAtLeast = regexp.MustCompile(`^(0, or )?≥ (` + docNum + `)`)
	// "at most 8 (`MaxOutputs`)"
	boundAtMost = regexp.MustCompile(`^at most ([0-9]+)`)
)

// docNum is a number as docs/session.md writes it: "−60", "0.05", "2³¹".
const docNum = `[−-]?[0-9.]+[⁰¹²³⁴⁵⁶⁷⁸⁹]*`

// docNumber reads a docNum.
func docNumber(s string) float64 {
	s = strings.ReplaceAll(s, "−", "-")
	mant, exp := s, ""
	if i := strings.IndexFunc(s, func(r rune) bool { return strings.ContainsRune("⁰¹²³⁴⁵⁶⁷⁸⁹", r) }); i >= 0 {
		mant = s[:i]
		for _, r := range s[i:] {
			exp += strconv.Itoa(slices.Index([]rune("⁰¹²³⁴⁵⁶⁷⁸⁹"), r))
		}
	}
	x, err := strconv.ParseFloat(mant, 64)
	if err != nil {
		panic(fmt.Sprintf("bounds: %q: %v", s, err))
	}
	if exp != "" {
		e, _ := strconv.Atoi(exp)
		neg := x < 0
		x = math.Pow(math.Abs(x), float64(e))
		if neg {
			x = -x
		}
	}
	return x
}

// boundProbes reads a bounds cell of docs/session.md as the values at and
// just past (by step) each bound it states, and at and just under the
// Nyquist frequency or 0.45 × docRate where the cell puts the field below
// it; none for a cell that states no number (a list of names). A cell of
// clauses ("ascending, …, 20 … 20000 and below 0.45 × the rate") is read
// by the first clause that states a range.
func boundProbes(cell string, step float64) []boundProbe {
	var ps []boundProbe
	switch {
	case strings.Contains(cell, "Nyquist"):
		ps = append(ps, boundProbe{docRate / 2, true, true}, boundProbe{docRate/2 - step, false, true})
	case strings.Contains(cell, "0.45 × the rate"):
		ps = append(ps, boundProbe{0.45 * docRate, true, true}, boundProbe{0.45*docRate - step, false, true})
	}
	for _, clause := range append([]string{cell}, strings.Split(cell, ", ")...) {
		if m := boundRange.FindStringSubmatch(clause); m != nil {
			lo, hi := docNumber(m[2]), docNumber(m[3])
			if m[1] != "" {
				ps = append(ps, boundProbe{x: 0})
			}
			loOut, hiOut := m[4] == "both" || m[4] != "" && docNumber(m[4]) == lo, m[4] == "both" || m[4] != "" && docNumber(m[4]) == hi
			if loOut {
				ps = append(ps, boundProbe{x: lo, refused: true}, boundProbe{x: lo + step})
			} else {
				ps = append(ps, boundProbe{x: lo}, boundProbe{x: lo - step, refused: true})
			}
			if hiOut {
				ps = append(ps, boundProbe{x: hi, refused: true}, boundProbe{x: hi - step})
			} else {
				ps = append(ps, boundProbe{x: hi}, boundProbe{x: hi + step, refused: true})
			}
			return ps
		}
		if m := boundOver.FindStringSubmatch(clause); m != nil {
			lo, hi := docNumber(m[1]), docNumber(m[2])
			return append(ps, boundProbe{x: lo, refused: true}, boundProbe{x: lo + step}, boundProbe{x: hi}, boundProbe{x: hi + step, refused: true})
		}
		if m := boundAtLeast.FindStringSubmatch(clause); m != nil {
			lo := docNumber(m[2])
			if m[1] != "" {
				ps = append(ps, boundProbe{x: 0})
			}
			return append(ps, boundProbe{x: lo}, boundProbe{x: lo - step, refused: true})
		}
	}
	return ps
}

// A listProbe is a length to give a list and whether Validate must
// refuse it.
type listProbe struct {
	n       int
	refused bool
}

// listProbes reads a list's bounds cell as the lengths at and just past
// each end: "1 … 128", "at most 8", "one fewer than the bands" (the
// bands s has beside it), "—" (none: a thousand items pass); none for a
// cell that states no length (a list of names).
func listProbes(cell string, s *Session, keys []string) []listProbe {
	if m := boundRange.FindStringSubmatch(cell); m != nil {
		lo, hi := int(docNumber(m[2])), int(docNumber(m[3]))
		return []listProbe{{lo, false}, {lo - 1, true}, {hi, false}, {hi + 1, true}}
	}
	if m := boundAtMost.FindStringSubmatch(cell); m != nil {
		n, _ := strconv.Atoi(m[1])
		return []listProbe{{0, false}, {n, false}, {n + 1, true}}
	}
	if cell == "—" {
		return []listProbe{{0, false}, {1000, false}} // no bound: a thousand pass
	}
	if strings.HasPrefix(cell, "one fewer than the bands") {
		bands := slices.Clone(keys)
		bands[len(bands)-1] = "bands"
		n := fieldAt(reflect.ValueOf(s).Elem(), bands).Len()
		return []listProbe{{n - 1, false}, {n, true}, {n - 2, true}}
	}
	return nil
}

// fieldAt is the value at the json path under v (lists' first element on
// the way, pointers followed), invalid when there is none.
func fieldAt(v reflect.Value, path []string) reflect.Value {
	for {
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if len(path) == 0 {
			return v
		}
		if v.Kind() == reflect.Slice && v.Len() > 0 {
			v = v.Index(0)
			continue
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}
		}
		i := slices.IndexFunc(reflect.VisibleFields(v.Type()), func(f reflect.StructField) bool {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			return name == path[0]
		})
		if i < 0 {
			return reflect.Value{}
		}
		v, path = v.Field(i), path[1:]
	}
}

// setLen gives the list at the json path of s n items, copies of its
// first, made distinct where Validate wants them so (stems' files,
// outputs' names, ascending match EQ points) and with as many crossovers
// as a multiband's bands want beside them, so that only the length can be
// refused. It reports whether the path leads to a list with an item.
func setLen(s *Session, path []string, n int) bool {
	v := fieldAt(reflect.ValueOf(s).Elem(), path)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Len() == 0 {
		return false
	}
	l := reflect.MakeSlice(v.Type(), n, n)
	for i := range n {
		l.Index(i).Set(v.Index(0))
	}
	v.Set(l)
	switch strings.Join(path, ".") {
	case "stems":
		for i := range s.Stems {
			s.Stems[i].File = fmt.Sprintf("s%d.wav", i)
		}
	case "outputs":
		for i := range s.Outputs {
			s.Outputs[i].Suffix = fmt.Sprintf("o%d", i)
		}
	case "master.match_eq":
		for i := range s.Master.MatchEQ {
			s.Master.MatchEQ[i].FreqHz = 100 + 10*float64(i)
		}
	case "stems.multiband.bands", "master.multiband.bands":
		xo := fieldAt(reflect.ValueOf(s).Elem(), append(slices.Clone(path[:len(path)-1]), "crossovers_hz"))
		f := make([]float64, max(n-1, 0))
		for i := range f {
			f[i] = 100 * math.Pow(2, float64(i))
		}
		xo.Set(reflect.ValueOf(f))
	}
	return true
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
	if len(path) == 0 && v.Kind() == reflect.Slice && v.Len() > 0 {
		v = v.Index(0) // a list of numbers: its first
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
