package stemmaster

import (
	"slices"
	"sort"
	"testing"
)

// TestChecklistRules holds the table both faces read: every finding code
// has a line (a code on none would fall to "Other findings" on both faces
// with no rule of its own), and no code is listed twice on one line.
func TestChecklistRules(t *testing.T) {
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
