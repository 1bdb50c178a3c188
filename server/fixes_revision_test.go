package server

import (
	"net/http"
	"strings"
	"testing"
)

// Each revision's fixes are its report's findings against its own
// session: the render made after an Apply marks that finding applied and
// leaves the other one blocking; the render made before marks neither.
func TestRevisionFixesFollowTheirSession(t *testing.T) {
	b := setup(t)
	c := b.newTwoStemProject(t)
	findings := offsetAndPolarity()
	setCheck(t, b, c, findings)
	b.renderer.mu.Lock()
	b.renderer.findings = findings
	b.renderer.mu.Unlock()

	render := func(body string) {
		t.Helper()
		var queued map[string]string
		c.do("POST", c.p("/render"), strings.NewReader(body), "application/json", http.StatusAccepted, &queued)
		if j := c.waitJob(queued["job"]); j.State != "done" {
			t.Fatalf("render %s: %+v", body, j)
		}
	}
	render(`{"master_anyway": true, "note": "as delivered"}`)
	c.do("POST", c.p("/apply"), strings.NewReader(`{"code": "offset", "file": "drums.wav"}`), "application/json", http.StatusOK, nil)
	render(`{"master_anyway": true, "note": "offset applied"}`)

	var revs struct {
		Revisions []RevisionView `json:"revisions"`
	}
	c.do("GET", c.p("/revisions"), nil, "", http.StatusOK, &revs)
	if len(revs.Revisions) != 2 {
		t.Fatalf("revisions %+v, want 2", revs.Revisions)
	}
	type want struct{ applied, blocking bool }
	for i, exp := range []map[string]want{
		{"offset": {false, true}, "polarity_inverted": {false, true}},
		{"offset": {true, false}, "polarity_inverted": {false, true}},
	} {
		rev := revs.Revisions[i]
		if len(rev.Fixes) != len(exp) {
			t.Fatalf("revision %d fixes %+v, want %d", rev.Number, rev.Fixes, len(exp))
		}
		for _, f := range rev.Fixes {
			e, ok := exp[f.Code]
			if !ok || f.Apply == nil || f.Applied != e.applied || f.Blocking != e.blocking {
				t.Errorf("revision %d (%s): %s on %s: apply %+v applied %v blocking %v; want applied %v blocking %v",
					rev.Number, rev.Note, f.Code, f.File, f.Apply, f.Applied, f.Blocking, e.applied, e.blocking)
			}
		}
	}
	// The project's checklist reads the same rule against the current
	// session: the same finding applied, the other still blocking.
	var p pageProject
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	for _, f := range p.Fixes {
		if f.Applied != (f.Code == "offset") {
			t.Errorf("project fix %s: applied %v", f.Code, f.Applied)
		}
	}
}
