package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestPutSessionAnswersTheStoredSession: PUT …/session answers the session
// as GET …/session then shows it (docs/api.md: "the session as stored
// (normalised)"); it echoed the body, without the strip of a file the body
// left out and without the roles filled in.
func TestPutSessionAnswersTheStoredSession(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	w := wavBytes(t, 4800, 1000)
	c.upload("stems", map[string][]byte{"lead_vocal.wav": w, "bass.wav": w}, []string{"lead_vocal.wav", "bass.wav"}, http.StatusCreated, nil)
	put := c.do("PUT", c.p("/session"), strings.NewReader(`{"stems": [{"file": "bass.wav", "gain_db": -3}]}`), "application/json", http.StatusOK, nil)
	get := c.do("GET", c.p("/session"), nil, "", http.StatusOK, nil)
	if !bytes.Equal(bytes.TrimSpace(put), bytes.TrimSpace(get)) {
		t.Errorf("PUT answered\n%s\nGET then shows\n%s", put, get)
	}
	if !bytes.Contains(put, []byte(`"lead_vocal.wav"`)) || !bytes.Contains(put, []byte(`"role":"bass"`)) {
		t.Errorf("PUT's answer lacks the other file's strip or the roles: %s", put)
	}
}
