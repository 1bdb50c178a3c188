package stemmaster

import (
	"slices"
	"sort"
	"testing"

	"stemmaster/internal/doccheck"
)

// TestChecklistRules holds the table both faces read: every finding code
// has a line (a code on none would fall to "Other findings" on both faces
// with no rule of its own), and no code is listed twice on one line.
func TestChecklistRules(t *testing.T) {
	t.Parallel()
	on := map[string]bool{}
	for _, r := range ChecklistRules {
		if r.Line == "" || len(r.Codes) == 0 {
			t.Errorf("rule %+v: want a line and codes", r)
		}
		for i, c := range r.Codes {
			if _, ok := CodeSeverity[c]; !ok {
				t.Errorf("rule %q: code %q has no severity in CodeSeverity", r.Line, c)
			}
			if slices.Contains(r.Codes[:i], c) {
				t.Errorf("rule %q lists %q twice", r.Line, c)
			}
			on[c] = true
		}
	}
	var missing []string
	for c := range CodeSeverity {
		if !on[c] {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("finding codes on no checklist line: %v", missing)
	}
}

// TestChecklistDoc holds the checklist table of docs/checks.md to
// ChecklistRules: each line in order, its one-file wording, its codes, and
// when it is skipped (no mix, one file).
func TestChecklistDoc(t *testing.T) {
	t.Parallel()
	var rows [][]string
	for _, tb := range readTables(t, "checks.md") {
		if len(tb.Header) == 4 && tb.Header[0] == "line" {
			rows = append(rows, tb.Rows...)
		}
	}
	if len(rows) != len(ChecklistRules) {
		t.Fatalf("docs/checks.md lists %d checklist lines, ChecklistRules %d", len(rows), len(ChecklistRules))
	}
	for i, r := range ChecklistRules {
		skip := ""
		switch {
		case r.NeedsMix:
			skip = "no mix, or one file"
		case r.Between:
			skip = "one file"
		}
		row := rows[i]
		if row[0] != r.Line || row[1] != r.OneFile || !slices.Equal(doccheck.CodeSpans(row[2]), r.Codes) || row[3] != skip {
			t.Errorf("docs/checks.md's checklist line %d reads %q; the table's is %q, one file %q, codes %v, skipped %q",
				i+1, row, r.Line, r.OneFile, r.Codes, skip)
		}
	}
}
