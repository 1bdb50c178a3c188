package analysis

import (
	"slices"

	"stemmaster"
)

// The delivery checklist as both faces show it: the CLI's check prints
// these lines and the server sends them to the page in the project's JSON
// (checklist), so a mark and its wording are decided once, here, from the
// table of rules (stemmaster.ChecklistRules) and the findings as the
// session leaves them (Resolve).

// Mark is how the checklist marks a line: the worst of its findings.
type Mark string

// The marks, worst first.
const (
	MarkError   Mark = "error"   // ✗ a finding blocks a plain render
	MarkWarning Mark = "warning" // ! a warning, or an error that blocks nothing
	MarkInfo    Mark = "info"    // i a note, or an error the session corrects
	MarkOK      Mark = "ok"      // ✓ no finding
	MarkSkipped Mark = "skipped" // – the rule has nothing to hold for this delivery
)

// Glyph is the mark as the checklist prints it.
func (m Mark) Glyph() string {
	switch m {
	case MarkError:
		return "✗"
	case MarkWarning:
		return "!"
	case MarkInfo:
		return "i"
	case MarkSkipped:
		return "–"
	}
	return "✓"
}

// Label is the mark in a word, for a screen reader.
func (m Mark) Label() string {
	switch m {
	case MarkError:
		return "error"
	case MarkWarning:
		return "warning"
	case MarkInfo:
		return "note"
	case MarkSkipped:
		return "skipped"
	}
	return "passed"
}

// MarkOf is the worst of rs as the checklist marks it: ✗ for a finding
// that blocks a plain render (an error the session does not correct, the
// render gate's rule), ! for a warning or an error that blocks nothing (a
// stem's, while the mix is mastered alone), i for a note or an error the
// session corrects, ✓ for none.
func MarkOf(rs []Resolution) Mark {
	m := MarkOK
	for _, r := range rs {
		switch {
		case r.Blocking:
			return MarkError
		case r.Severity == stemmaster.SeverityWarning || (r.Severity == stemmaster.SeverityError && !r.Corrected):
			m = MarkWarning
		case m == MarkOK:
			m = MarkInfo
		}
	}
	return m
}

// Unrenderable reports whether a finding's code says the render cannot
// read its file as it is (unreadable, not a format it reads, cut short of
// its header's length): mastering anyway would fail on it, so the page
// offers only to export it again.
func Unrenderable(code string) bool {
	switch code {
	case stemmaster.CodeUnreadable, stemmaster.CodeUnsupportedFormat, stemmaster.CodeTruncated:
		return true
	}
	return false
}

// The reasons a rule with no finding is skipped.
const (
	NoteOneFile = "not needed: one file"
	NoteNoMix   = "not checked: no reference mix"
)

// ChecklistLine is one line of the checklist for a delivery.
type ChecklistLine struct {
	// Line is the rule as it reads for this delivery (for one file, its
	// one-file wording).
	Line  string   `json:"line"`
	Codes []string `json:"codes"`
	Mark  Mark     `json:"mark"`
	Glyph string   `json:"glyph"` // Mark.Glyph
	Label string   `json:"label"` // Mark.Label
	// Note says why a skipped line is skipped (NoteOneFile, NoteNoMix).
	Note string `json:"note,omitempty"`
	// Text is the line as both faces print it beside the glyph, its note
	// after a dash (a line may end in brackets of its own).
	Text string `json:"text"`
	// Findings are the line's findings, as indices into the resolutions
	// the checklist was made from (the project's fixes), in their order.
	Findings []int `json:"findings"`
}

// Checklist is the checklist of a check report whose findings rs resolves
// (Resolve, in the report's order), a line per rule of
// stemmaster.ChecklistRules and "Other findings" for codes no rule names.
// stereo is Resolve's: the mix mastered alone. One file, or the mix
// mastered alone, is a stereo master: being a single file is what it is,
// not a finding, so single_stem is on no line.
func Checklist(rep *stemmaster.CheckReport, rs []Resolution, stereo bool) []ChecklistLine {
	files := len(rep.Stems)
	if rep.Mix != nil {
		files++
	}
	single := files == 1
	rules := stemmaster.ChecklistRules
	if other := otherCodes(rs); len(other) > 0 {
		rules = append(slices.Clip(rules), stemmaster.ChecklistRule{Line: "Other findings", Codes: other})
	}
	out := make([]ChecklistLine, 0, len(rules))
	for _, rule := range rules {
		l := ChecklistLine{Line: rule.LineFor(single), Codes: rule.Codes, Findings: []int{}}
		var hits []Resolution
		for i, r := range rs {
			if slices.Contains(rule.Codes, r.Code) && !((single || stereo) && r.Code == stemmaster.CodeSingleStem) {
				hits = append(hits, r)
				l.Findings = append(l.Findings, i)
			}
		}
		l.Mark = MarkOf(hits)
		switch {
		case len(hits) > 0:
		case single && (rule.NeedsMix || rule.Between):
			l.Mark, l.Note = MarkSkipped, NoteOneFile
		case rule.NeedsMix && rep.Mix == nil:
			l.Mark, l.Note = MarkSkipped, NoteNoMix
		}
		l.Glyph, l.Label, l.Text = l.Mark.Glyph(), l.Mark.Label(), l.Line
		if l.Note != "" {
			l.Text += " — " + l.Note
		}
		out = append(out, l)
	}
	if single {
		out = foldOneFile(out)
	}
	return out
}

// foldOneFile folds the lines one file skips (NoteOneFile) into one, where
// the first of them stood: eight lines of "not needed: one file" buried
// the ones that speak of the file. The folded line holds their codes.
func foldOneFile(lines []ChecklistLine) []ChecklistLine {
	out := make([]ChecklistLine, 0, len(lines))
	at, n := -1, 0
	var codes []string
	for _, l := range lines {
		if l.Note != NoteOneFile {
			out = append(out, l)
			continue
		}
		if at < 0 {
			at = len(out)
			out = append(out, ChecklistLine{})
		}
		n++
		codes = append(codes, l.Codes...)
	}
	if at < 0 {
		return lines
	}
	f := ChecklistLine{Line: plural(n, "check") + " between files or against a mix", Codes: codes, Mark: MarkSkipped, Note: NoteOneFile, Findings: []int{}}
	f.Glyph, f.Label, f.Text = f.Mark.Glyph(), f.Mark.Label(), f.Line+" — "+f.Note
	out[at] = f
	return out
}

// otherCodes lists, once each in the order found, the codes of findings no
// rule of the checklist names: they go under "Other findings", so a code
// the checks gain is never left out of either face's list.
func otherCodes(rs []Resolution) []string {
	known := map[string]bool{}
	for _, r := range stemmaster.ChecklistRules {
		for _, c := range r.Codes {
			known[c] = true
		}
	}
	var other []string
	for _, r := range rs {
		if !known[r.Code] {
			known[r.Code] = true
			other = append(other, r.Code)
		}
	}
	return other
}
