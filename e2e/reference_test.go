package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestReferencePanel runs reference.mjs: in a stereo project a reference
// added on the page reaches the server with the weight set there, the
// assistant matches it (the suggestion names it and sets
// master.match_eq), the session it gives masters the mix alone, and the
// reference is removed from the page. A failed read of the project after
// the suggestion (the check it kept) leaves the suggestion shown.
func TestReferencePanel(t *testing.T) {
	var s struct {
		MixUpload        int `json:"mix_upload"`
		ServerReferences []struct {
			Name   string  `json:"name"`
			Weight float64 `json:"weight"`
		} `json:"server_references"`
		ProjectStems       int      `json:"project_stems"`
		FamilyLine         string   `json:"family_line"`
		Paths              []string `json:"paths"`
		Wheres             []string `json:"wheres"`
		SessionStems       []string `json:"session_stems"`
		SessionMatchPoints int      `json:"session_match_points"`
		AfterRemove        int      `json:"after_remove"`
		MatchShown         bool     `json:"match_shown"`
		ScrollWidth        int      `json:"scroll_width"`
		FailedReload       struct {
			ReadsFailed int    `json:"reads_failed"`
			Shown       bool   `json:"shown"`
			Status      string `json:"status"`
		} `json:"failed_reload"`
	}
	runScript(t, "reference.mjs", "reference", &s)
	if s.MixUpload != 201 {
		t.Fatalf("mix upload: status %d", s.MixUpload)
	}
	if len(s.ServerReferences) != 1 || s.ServerReferences[0].Name != "bright.wav" || s.ServerReferences[0].Weight != 2 {
		t.Errorf("server's references %+v, want bright.wav at weight 2", s.ServerReferences)
	}
	if s.ProjectStems != 0 {
		t.Errorf("the project lists %d stems: a reference is not a stem", s.ProjectStems)
	}
	if !strings.Contains(s.FamilyLine, "Matched to bright.wav (weight 2)") || !slices.Contains(s.Paths, "master.match_eq") {
		t.Errorf("suggestion %q with decisions at %v: want it matched to bright.wav with a master.match_eq", s.FamilyLine, s.Paths)
	}
	// Where a decision lands is said in the page's words, the session
	// field ("stems[0].eq[2]") read as code to a musician.
	if !slices.Contains(s.Wheres, "master · tone match") || slices.ContainsFunc(s.Wheres, func(w string) bool { return strings.ContainsAny(w, "[]") || strings.Contains(w, "master.") }) {
		t.Errorf("decisions shown at %v: want each named by its stem's file or the master and its control (master · tone match)", s.Wheres)
	}
	if f := s.FailedReload; f.ReadsFailed == 0 || !f.Shown || !strings.Contains(f.Status, "Suggestion ready") || !strings.Contains(f.Status, "cannot be read (e2e)") {
		t.Errorf("the project's read after the suggestion failed (%d reads refused): suggestion shown %v, status %q; want it shown, the status saying it is ready and naming the failure",
			f.ReadsFailed, f.Shown, f.Status)
	}
	if !s.MatchShown {
		t.Error("no match amount control with a reference listed")
	}
	if !slices.Equal(s.SessionStems, []string{"mix.wav"}) || s.SessionMatchPoints == 0 {
		t.Errorf("session after use: stems %v, %d match points; want the mix alone with a match EQ", s.SessionStems, s.SessionMatchPoints)
	}
	if s.AfterRemove != 0 {
		t.Errorf("%d references on the server after removing it", s.AfterRemove)
	}
	if s.ScrollWidth > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen", s.ScrollWidth)
	}
}
