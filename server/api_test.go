package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"stemmaster"
)

// The API under broken requests and races: each test shows what a client
// was answered before.

// projectWith is a new project holding each name as a short stem.
func projectWith(t *testing.T, names ...string) *client {
	t.Helper()
	c := setup(t).newProject(t)
	w := wavBytes(t, 4800, 1000)
	files := map[string][]byte{}
	for _, n := range names {
		files[n] = w
	}
	c.upload("stems", files, names, http.StatusCreated, nil)
	return c
}

// TestPutSessionAnswersTheStoredSession: PUT …/session answers the session
// as GET …/session then shows it (docs/api.md: "the session as stored
// (normalised)"); it echoed the body, without the strip of a file the body
// left out and without the roles filled in.
func TestPutSessionAnswersTheStoredSession(t *testing.T) {
	t.Parallel()
	c := projectWith(t, "lead_vocal.wav", "bass.wav")
	put := c.do("PUT", c.p("/session"), strings.NewReader(`{"stems": [{"file": "bass.wav", "gain_db": -3}]}`), "application/json", http.StatusOK, nil)
	get := c.do("GET", c.p("/session"), nil, "", http.StatusOK, nil)
	if !bytes.Equal(bytes.TrimSpace(put), bytes.TrimSpace(get)) {
		t.Errorf("PUT answered\n%s\nGET then shows\n%s", put, get)
	}
	if !bytes.Contains(put, []byte(`"lead_vocal.wav"`)) || !bytes.Contains(put, []byte(`"role":"bass"`)) {
		t.Errorf("PUT's answer lacks the other file's strip or the roles: %s", put)
	}
}

// TestOffsetLabelCounts: the offset fix's button reads "1 sample", not
// "1 samples".
func TestOffsetLabelCounts(t *testing.T) {
	t.Parallel()
	stems := map[string]*stemmaster.StemSpec{"keys.wav": {File: "keys.wav"}}
	for fix, want := range map[string]string{
		"set offset_samples: -1 for keys.wav in the session":   "move keys.wav 1 sample earlier",
		"set offset_samples: 1 for keys.wav in the session":    "move keys.wav 1 sample later",
		"set offset_samples: -480 for keys.wav in the session": "move keys.wav 480 samples earlier",
	} {
		a := applyFor(stemmaster.Finding{Code: stemmaster.CodeOffset, File: "keys.wav", Fix: fix}, stems)
		if a == nil || a.Label != want {
			t.Errorf("%q: %+v, want the label %q", fix, a, want)
		}
	}
}

// TestStereoAndBackKeepsTheStrips: switching a project to stereo mastering
// and back finds the stems' strips as they were (gain, EQ, the fixes
// applied) with the master chain as set meanwhile; they all came back at
// unity. Asking for stem mastering when already there changes nothing
// (it reset every strip).
func TestStereoAndBackKeepsTheStrips(t *testing.T) {
	t.Parallel()
	c := projectWith(t, "drums.wav", "bass.wav")
	c.upload("mix", map[string][]byte{"mix.wav": wavBytes(t, 4800, 1000)}, []string{"mix.wav"}, http.StatusCreated, nil)
	strips := `"stems": [{"file": "drums.wav", "gain_db": -4, "offset_samples": -3, "eq": [{"type": "peak", "freq_hz": 1000, "gain_db": 2}]}, {"file": "bass.wav", "polarity": "inverted"}]`
	c.do("PUT", c.p("/session"), strings.NewReader(`{`+strips+`, "versions": ["main", "instrumental"]}`), "application/json", http.StatusOK, nil)
	want := c.do("GET", c.p("/session"), nil, "", http.StatusOK, nil)
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stems"}`), "application/json", http.StatusOK, nil)
	if got := c.do("GET", c.p("/session"), nil, "", http.StatusOK, nil); !bytes.Equal(got, want) {
		t.Errorf("mode stems in stem mastering changed the session:\n%s\nwant\n%s", got, want)
	}
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stereo"}`), "application/json", http.StatusOK, nil)
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stems"}`), "application/json", http.StatusOK, nil)
	if got := c.do("GET", c.p("/session"), nil, "", http.StatusOK, nil); !bytes.Equal(got, want) {
		t.Errorf("back from stereo:\n%s\nwant\n%s", got, want)
	}
}
