package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"stemmaster"
)

// newTwoStemProject makes a project holding drums.wav and bass.wav as
// stems and mix.wav as the mix, all the same short tone.
func (b *testBundle) newTwoStemProject(t *testing.T) *client {
	t.Helper()
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"drums.wav": w, "bass.wav": w}, []string{"drums.wav", "bass.wav"}, http.StatusCreated, nil)
	c.upload("mix", map[string][]byte{"mix.wav": w}, []string{"mix.wav"}, http.StatusCreated, nil)
	return c
}

// newDrumsProject makes a project holding one stem, drums.wav: frames
// frames of a 100 Hz tone.
func (b *testBundle) newDrumsProject(t *testing.T, frames int) *client {
	t.Helper()
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, frames, 100)}, []string{"drums.wav"}, http.StatusCreated, nil)
	return c
}

// offsetAndPolarity are the check's two blocking errors on the project of
// newTwoStemProject, each with a fix the session can apply: drums.wav
// late against the mix and bass.wav inverted.
func offsetAndPolarity() []stemmaster.Finding {
	return []stemmaster.Finding{
		{Code: "offset", Severity: "error", File: "drums.wav", Message: "drums.wav starts 1000 samples (20.8 ms) late against the mix",
			Fix: "export it again from the session start (the mix's start point), or set offset_samples: -1000 for drums.wav in the session"},
		{Code: "polarity_inverted", Severity: "error", File: "bass.wav", Message: "bass.wav has its polarity inverted against the mix",
			Fix: "export it again without the polarity flip, or set polarity: inverted for bass.wav in the session"},
	}
}

// setCheck stores a check report of findings as the check job would.
func setCheck(t *testing.T, b *testBundle, c *client, findings []stemmaster.Finding) {
	t.Helper()
	storeCheck(t, b, c, stemmaster.CheckReport{Findings: findings})
}

// storeCheck stores rep as the project's check report.
func storeCheck(t *testing.T, b *testBundle, c *client, rep stemmaster.CheckReport) {
	t.Helper()
	js, _ := json.Marshal(rep)
	if err := b.meta.SetCheck(context.Background(), c.id, "", js); err != nil {
		t.Fatal(err)
	}
}
