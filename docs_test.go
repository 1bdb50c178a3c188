package stemmaster

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// mdTable is one Markdown table: its header cells and its rows' cells.
type mdTable struct {
	header []string
	rows   [][]string
}

// readTables returns the tables of a Markdown file under docs/.
func readTables(t *testing.T, name string) []mdTable {
	t.Helper()
	data, err := os.ReadFile("docs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var tables []mdTable
	var cur *mdTable
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cur == nil:
			tables = append(tables, mdTable{header: cells})
			cur = &tables[len(tables)-1]
		case strings.Trim(cells[0], "-: ") == "":
			// the separator row
		default:
			cur.rows = append(cur.rows, cells)
		}
	}
	return tables
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// codeSpans returns the `quoted` words of a table cell.
func codeSpans(cell string) []string {
	var out []string
	for _, m := range codeSpan.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
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
	documented := map[string]bool{}
	for _, tb := range readTables(t, "session.md") {
		if len(tb.header) == 0 || tb.header[0] != "field" {
			continue
		}
		for _, row := range tb.rows {
			for _, p := range codeSpans(row[0]) {
				documented[p] = true
			}
		}
	}
	for _, p := range want {
		if !documented[p] {
			t.Errorf("session field %s is not documented: add a row for it to docs/session.md (unit, default, bounds, meaning)", p)
		}
	}
	for p := range documented {
		if !slices.Contains(want, p) {
			t.Errorf("docs/session.md documents %s, which the session types do not have", p)
		}
	}
}

// TestChecksDoc keeps docs/checks.md and the finding codes in step: every
// code has a row with its severity, and every row names a code.
func TestChecksDoc(t *testing.T) {
	t.Parallel()
	rows := map[string]string{}
	for _, tb := range readTables(t, "checks.md") {
		if len(tb.header) < 2 || tb.header[0] != "code" || tb.header[1] != "severity" {
			continue
		}
		for _, row := range tb.rows {
			for _, c := range codeSpans(row[0]) {
				rows[c] = row[1]
			}
		}
	}
	if len(rows) == 0 {
		t.Fatal("docs/checks.md has no table with the columns code | severity")
	}
	for code, sev := range CodeSeverity {
		got, ok := rows[code]
		switch {
		case !ok:
			t.Errorf("finding code %s is not documented: add a row to docs/checks.md (severity, how it is measured, value, fix)", code)
		case got != string(sev):
			t.Errorf("docs/checks.md gives %s severity %q; the code gives %q", code, got, sev)
		}
	}
	for code := range rows {
		if _, ok := CodeSeverity[code]; !ok {
			t.Errorf("docs/checks.md documents %s, which is not in CodeSeverity", code)
		}
	}
}
