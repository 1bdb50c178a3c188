package analysis

import (
	"fmt"
	"slices"
	"testing"

	"stemmaster"
)

// TestMarkOf: a line's mark is its worst finding as the session leaves
// it: ✗ for one that blocks (the render gate's rule), ! for a warning or
// an error that blocks nothing (a stem's, the mix mastered alone), i for
// a note or a corrected error, ✓ for none.
func TestMarkOf(t *testing.T) {
	t.Parallel()
	e, w, i := stemmaster.SeverityError, stemmaster.SeverityWarning, stemmaster.SeverityInfo
	r := func(s stemmaster.Severity, corrected, blocking bool) Resolution {
		return Resolution{Finding: stemmaster.Finding{Severity: s}, Corrected: corrected, Blocking: blocking}
	}
	err, warn, note := r(e, false, true), r(w, false, false), r(i, false, false)
	corrected, unblocking := r(e, true, false), r(e, false, false)
	for _, c := range []struct {
		rs   []Resolution
		want Mark
	}{
		{nil, MarkOK}, {[]Resolution{note}, MarkInfo}, {[]Resolution{note, note}, MarkInfo},
		{[]Resolution{warn}, MarkWarning}, {[]Resolution{note, warn, note}, MarkWarning},
		{[]Resolution{err}, MarkError}, {[]Resolution{warn, err}, MarkError}, {[]Resolution{note, warn, err, warn}, MarkError},
		{[]Resolution{corrected}, MarkInfo}, {[]Resolution{corrected, warn}, MarkWarning}, {[]Resolution{corrected, err}, MarkError},
		{[]Resolution{unblocking}, MarkWarning}, {[]Resolution{note, unblocking}, MarkWarning}, {[]Resolution{unblocking, err}, MarkError},
	} {
		if got := MarkOf(c.rs); got != c.want {
			t.Errorf("MarkOf(%+v) = %q, want %q", c.rs, got, c.want)
		}
	}
	for m, want := range map[Mark][2]string{MarkError: {"✗", "error"}, MarkWarning: {"!", "warning"}, MarkInfo: {"i", "note"},
		MarkOK: {"✓", "passed"}, MarkSkipped: {"–", "skipped"}} {
		if m.Glyph() != want[0] || m.Label() != want[1] {
			t.Errorf("%s: glyph %q label %q, want %q %q", m, m.Glyph(), m.Label(), want[0], want[1])
		}
	}
}

// TestChecklist: a line per rule in the table's order, its findings
// indexing the resolutions; for one file the rules between files or
// against the mix are "not needed" and the one-file wording is used, and
// being one file is on no line; without the mix the rules against it are
// "not checked"; a code on no rule is under "Other findings".
func TestChecklist(t *testing.T) {
	t.Parallel()
	find := func(code, file string) stemmaster.Finding {
		return stemmaster.Finding{Code: code, Severity: stemmaster.CodeSeverity[code], File: file}
	}
	byLine := func(ls []ChecklistLine) map[string]ChecklistLine {
		m := map[string]ChecklistLine{}
		for _, l := range ls {
			m[l.Line] = l
		}
		return m
	}

	one := &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "song.wav"}},
		Findings: []stemmaster.Finding{find(stemmaster.CodeSingleStem, "song.wav"), find(stemmaster.CodeClipping, "song.wav")}}
	ls := Checklist(one, Resolve(one.Findings, nil, false), false)
	// The rules one file skips are one line, where the first of them
	// stood, holding their codes; the others keep their order.
	var kept []stemmaster.ChecklistRule
	var skippedCodes []string
	folded := -1
	for _, rule := range stemmaster.ChecklistRules {
		if rule.NeedsMix || rule.Between {
			if folded < 0 {
				folded = len(kept)
				kept = append(kept, stemmaster.ChecklistRule{})
			}
			skippedCodes = append(skippedCodes, rule.Codes...)
			continue
		}
		kept = append(kept, rule)
	}
	if len(ls) != len(kept) {
		t.Fatalf("one file: %d lines, want %d", len(ls), len(kept))
	}
	for i, rule := range kept {
		l := ls[i]
		if l.Glyph != l.Mark.Glyph() || l.Label != l.Mark.Label() {
			t.Errorf("one file, line %d: %+v, its glyph or label not its mark's", i, l)
		}
		if i == folded {
			n := len(stemmaster.ChecklistRules) - len(kept) + 1
			if want := fmt.Sprintf("%d checks between files or against a mix — not needed: one file", n); l.Mark != MarkSkipped || l.Text != want ||
				l.Note != NoteOneFile || !slices.Equal(l.Codes, skippedCodes) || len(l.Findings) != 0 {
				t.Errorf("one file, the folded line: %+v; want %q holding %q", l, want, skippedCodes)
			}
			continue
		}
		if l.Line != rule.LineFor(true) || !slices.Equal(l.Codes, rule.Codes) || l.Mark == MarkSkipped {
			t.Errorf("one file, line %d: %+v; want the rule %q, not skipped", i, l, rule.LineFor(true))
		}
	}
	if folded < 0 {
		t.Fatal("fixture: no rule is skipped for one file")
	}
	m := byLine(ls)
	if l := m["No clipping"]; l.Mark != MarkWarning || !slices.Equal(l.Findings, []int{1}) || l.Text != "No clipping" {
		t.Errorf("one file: the clipping line %+v, want ! with finding 1", l)
	}
	if l := m["Number of stems"]; len(l.Findings) != 0 {
		t.Errorf("one file: being one file is marked as a finding: %+v", l)
	}
	if l := m["Headroom"]; l.Mark != MarkOK {
		t.Errorf("one file: the headroom line reads %+v, want ✓ in the one-file wording", l)
	}

	two := &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "a.wav"}, {File: "b.wav"}},
		Findings: []stemmaster.Finding{find(stemmaster.CodeOffset, "b.wav"), {Code: "new_code", Severity: stemmaster.SeverityWarning, File: "a.wav"}}}
	m = byLine(Checklist(two, Resolve(two.Findings, nil, false), false))
	for line, want := range map[string]string{
		"Same start (time-zero)": "✗", "Same length": "✓", "Number of stems": "✓", "Other findings": "!",
		"Polarity as in the mix — not checked: no reference mix": "–", "Stems sum to the mix — not checked: no reference mix": "–",
	} {
		var got string
		for _, l := range m {
			if l.Text == line {
				got = l.Glyph
			}
		}
		if got != want {
			t.Errorf("two stems, no mix: %q marked %q, want %q", line, got, want)
		}
	}
	if l := m["Other findings"]; !slices.Equal(l.Codes, []string{"new_code"}) || !slices.Equal(l.Findings, []int{1}) {
		t.Errorf("two stems: other findings %+v", l)
	}
	// A clean delivery has no other-findings line.
	if _, ok := byLine(Checklist(&stemmaster.CheckReport{Stems: two.Stems}, nil, false))["Other findings"]; ok {
		t.Error("a clean delivery's checklist has an other-findings line")
	}

	// The mix mastered alone, beside two stems: a stem's offset blocks
	// nothing (!), the mix cut short does (✗); being one file is no
	// finding here either.
	withMix := &stemmaster.CheckReport{Stems: two.Stems, Mix: &stemmaster.MixReport{File: "mix.wav"},
		Findings: []stemmaster.Finding{find(stemmaster.CodeOffset, "b.wav"), find(stemmaster.CodeTruncated, "mix.wav"), find(stemmaster.CodeSingleStem, "")}}
	stereo := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "mix.wav"}}}
	m = byLine(Checklist(withMix, Resolve(withMix.Findings, stereo, true), true))
	if m["Same start (time-zero)"].Mark != MarkWarning || m["Every file whole (as long as its header says)"].Mark != MarkError ||
		m["Polarity as in the mix"].Mark != MarkOK || len(m["Number of stems"].Findings) != 0 {
		t.Errorf("the mix alone: %+v", m)
	}
}
