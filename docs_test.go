package stemmaster

import (
	"reflect"
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
