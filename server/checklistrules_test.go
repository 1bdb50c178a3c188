package server

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"stemmaster"
)

// TestWordsScript: the page's advice headlines are the ones the CLI and
// report.html print, as served: /static/words.js holds SERVICE written
// from stemmaster.Service.Headline (as a sentence), index.html loads it
// before the scripts that read it, and no script of the page keeps a table
// of its own (a second const SERVICE is a SyntaxError that stops the whole
// script).
func TestWordsScript(t *testing.T) {
	t.Parallel()
	b := setup(t)
	get := func(path string) (string, *http.Response) {
		t.Helper()
		res, err := http.Get(b.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return string(data), res
	}
	js, res := get("/static/words.js")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /static/words.js: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	m := regexp.MustCompile(`(?m)^const SERVICE = (.*);$`).FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("words.js does not declare SERVICE:\n%s", js)
	}
	var service map[string]string
	if err := json.Unmarshal([]byte(m[1]), &service); err != nil {
		t.Fatal(err)
	}
	for s, want := range map[stemmaster.Service]string{
		stemmaster.ServiceStemMastering:   "Stem mastering",
		stemmaster.ServiceStereoMastering: "Stereo mastering is enough",
		stemmaster.ServiceMixing:          "This needs mixing first",
	} {
		if got := service[string(s)]; got != want || !strings.EqualFold(got, s.Headline()) {
			t.Errorf("SERVICE[%s] = %q; want %q, the headline %q the CLI prints", s, got, want, s.Headline())
		}
	}
	page, _ := get("/")
	words := strings.Index(page, `src="/static/words.js?`)
	for _, reader := range []string{"checklist.js", "jobs.js"} {
		if at := strings.Index(page, `src="/static/`+reader+`?`); words < 0 || at < 0 || words > at {
			t.Errorf("index.html loads words.js at %d, %s at %d: want it first", words, reader, at)
		}
	}
	for name := range staticFiles {
		if src, _ := get("/static/" + name); strings.HasSuffix(name, ".js") && regexp.MustCompile(`(?m)^\s*(const|let|var) SERVICE\b`).MatchString(src) {
			t.Errorf("%s declares its own SERVICE", name)
		}
	}
}

// checklistProject is what the page reads of GET …/{id} to draw the
// checklist.
type checklistProject struct {
	Fixes     []FixView `json:"fixes"`
	Checklist []struct {
		Line, Mark, Glyph, Label, Note, Text string
		Codes                                []string
		Findings                             []int
	} `json:"checklist"`
	Stereo bool `json:"stereo"`
}

// TestChecklistMarksTheMixMasteredAlone: the project's checklist is sent
// with its marks, each line's findings indexing fixes. Mastering the
// stems, a stem's offset and the mix cut short are errors that block
// (✗); the mix mastered alone, the stem's offset names nothing rendered
// (! and not blocking) while the mix cut short is still read by the
// render (✗, blocking, and the render gate asks for it): the marks, the
// fixes' blocking and the gate say one thing.
func TestChecklistMarksTheMixMasteredAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newTwoStemProject(t)
	late := offsetAndPolarity()[0]
	cut := stemmaster.Finding{Code: stemmaster.CodeTruncated, Severity: stemmaster.SeverityError, File: "mix.wav",
		Message: "mix.wav ends after 0.05 s; its header says 0.10 s", Fix: "export the mix again"}
	storeCheck(t, b, c, stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "drums.wav"}, {File: "bass.wav"}},
		Mix: &stemmaster.MixReport{File: "mix.wav"}, Findings: []stemmaster.Finding{late, cut}})
	read := func() (map[string]string, checklistProject) {
		t.Helper()
		var p checklistProject
		c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
		marks := map[string]string{}
		for _, l := range p.Checklist {
			marks[l.Line] = l.Glyph + " " + l.Mark + " " + l.Label
			for _, i := range l.Findings {
				if i < 0 || i >= len(p.Fixes) || !strings.Contains(strings.Join(l.Codes, " "), p.Fixes[i].Code) {
					t.Errorf("line %q (codes %v) lists finding %d of %d fixes", l.Line, l.Codes, i, len(p.Fixes))
				}
			}
			if l.Text != l.Line && l.Text != l.Line+" — "+l.Note {
				t.Errorf("line %q with note %q reads %q", l.Line, l.Note, l.Text)
			}
		}
		return marks, p
	}
	marks, p := read()
	if len(p.Checklist) != len(stemmaster.ChecklistRules) {
		t.Fatalf("%d checklist lines, want one per rule (%d): %+v", len(p.Checklist), len(stemmaster.ChecklistRules), p.Checklist)
	}
	for line, want := range map[string]string{
		"Same start (time-zero)": "✗ error error", "Every file whole (as long as its header says)": "✗ error error",
		"No clipping": "✓ ok passed", "Polarity as in the mix": "✓ ok passed",
	} {
		if marks[line] != want {
			t.Errorf("stems: %q marked %q, want %q", line, marks[line], want)
		}
	}

	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stereo"}`), "application/json", http.StatusOK, nil)
	marks, p = read()
	if !p.Stereo {
		t.Fatal("mode stereo did not stick")
	}
	for line, want := range map[string]string{
		"Same start (time-zero)": "! warning warning", "Every file whole (as long as its header says)": "✗ error error",
	} {
		if marks[line] != want {
			t.Errorf("the mix alone: %q marked %q, want %q", line, marks[line], want)
		}
	}
	for _, f := range p.Fixes {
		// The mix cut short cannot be rendered as it is: the page offers
		// no "master anyway" for it.
		if f.Blocking != (f.Code == stemmaster.CodeTruncated) || f.CannotRender != (f.Code == stemmaster.CodeTruncated) {
			t.Errorf("the mix alone: %s on %s blocking %v, cannot render %v", f.Code, f.File, f.Blocking, f.CannotRender)
		}
	}
	var gate struct {
		Error errorBody `json:"error"`
	}
	c.do("POST", c.p("/render"), nil, "", http.StatusConflict, &gate)
	if gate.Error.Code != "check_errors" || !strings.Contains(gate.Error.Message, "truncated: mix.wav ends") || strings.Contains(gate.Error.Message, "offset") {
		t.Errorf("the mix alone, cut short: render answered %+v; want check_errors naming the mix's truncation alone", gate.Error)
	}
}
