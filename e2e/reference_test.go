package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReferencePanel runs reference.mjs: in a stereo project a reference
// added on the page reaches the server with the weight set there, the
// assistant matches it (the suggestion names it and sets
// master.match_eq), the session it gives masters the mix alone, and the
// reference is removed from the page.
func TestReferencePanel(t *testing.T) {
	root, node, bin := browserEnv(t)
	artifacts := filepath.Join(root, "e2e", "artifacts", "reference")
	cmd := exec.Command(node, "reference.mjs", serve(t, bin), artifacts)
	cmd.Dir = filepath.Join(root, "e2e")
	cmd.Env = append(os.Environ(), "CHROMIUM=/usr/bin/chromium")
	cmd.Stderr = testWriter{t}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference.mjs: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var s struct {
		MixUpload        int `json:"mix_upload"`
		ServerReferences []struct {
			Name   string  `json:"name"`
			Weight float64 `json:"weight"`
		} `json:"server_references"`
		ProjectStems       int      `json:"project_stems"`
		FamilyLine         string   `json:"family_line"`
		Paths              []string `json:"paths"`
		SessionStems       []string `json:"session_stems"`
		SessionMatchPoints int      `json:"session_match_points"`
		AfterRemove        int      `json:"after_remove"`
		MatchShown         bool     `json:"match_shown"`
		ScrollWidth        int      `json:"scroll_width"`
		Error              string   `json:"error"`
		PageErrors         []string `json:"page_errors"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	if s.Error != "" || len(s.PageErrors) > 0 {
		t.Fatalf("page failed: %s %v (screenshots in %s)", s.Error, s.PageErrors, artifacts)
	}
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
