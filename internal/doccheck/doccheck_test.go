package doccheck

import (
	"fmt"
	"reflect"
	"testing"
)

const doc = "# Title\n\n" +
	"### `info --json`\n\n" +
	"| key | meaning |\n|---|---|\n| `file` | the path |\n| `frames`, `rate` | counts |\n\n" +
	"### other\n\n" +
	"| field | x |\n| :-- | --: |\n| `a` | 1 |\n"

func TestTables(t *testing.T) {
	t.Parallel()
	tables := Tables(doc)
	if len(tables) != 2 {
		t.Fatalf("%d tables, want 2", len(tables))
	}
	want := Table{Header: []string{"field", "x"}, Rows: [][]string{{"`a`", "1"}}}
	if !reflect.DeepEqual(tables[1], want) {
		t.Errorf("second table %+v, want %+v", tables[1], want)
	}
	if got := FirstColumn(tables, ""); !reflect.DeepEqual(got, []string{"file", "frames", "rate", "a"}) {
		t.Errorf("first column of every table: %q", got)
	}
	if got := FirstColumn(tables, "field"); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("first column of the field tables: %q", got)
	}
}

func TestSection(t *testing.T) {
	t.Parallel()
	s, ok := Section(doc, "### `info --json`")
	if !ok || len(Tables(s)) != 1 || FirstColumn(Tables(s), "")[0] != "file" {
		t.Errorf("section %q, ok %v", s, ok)
	}
	if _, ok := Section(doc, "### missing"); ok {
		t.Error("a missing heading was found")
	}
}

func TestInStep(t *testing.T) {
	t.Parallel()
	var rec recorder
	InStep(&rec, []string{"a", "b"}, []string{"b", "c"}, "missing %s", "extra %s")
	if !reflect.DeepEqual(rec.errs, []string{"missing a", "extra c"}) {
		t.Errorf("errors %q", rec.errs)
	}
}

// recorder is a testing.TB that keeps its errors.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
