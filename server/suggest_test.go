package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The assistant's endpoint proposes a session for the uploaded stems, with
// a reason and an amount for every decision; the session it returns is
// one PUT /session accepts; bad parameters are 400s.
func TestSuggest(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	c.do("POST", c.p("/suggest"), nil, "", http.StatusConflict, nil)
	files := map[string][]byte{"vox.wav": wavBytes(t, 48000, 440), "bass.wav": wavBytes(t, 48000, 60)}
	c.upload("stems", files, []string{"vox.wav", "bass.wav"}, http.StatusCreated, nil)
	var res suggestResponse
	c.do("POST", c.p("/suggest?amount=0.5&family=modern"), nil, "", http.StatusOK, &res)
	if res.Family != "modern" || res.Amount != 0.5 || len(res.Decisions) == 0 {
		t.Fatalf("suggest: family %q amount %g, %d decisions", res.Family, res.Amount, len(res.Decisions))
	}
	for _, d := range res.Decisions {
		if d.Reason == "" || d.Path == "" {
			t.Errorf("decision without a reason or a place: %+v", d)
		}
	}
	if !strings.Contains(res.YAML, "# amount 0.5:") {
		t.Errorf("the YAML carries no reasons:\n%s", res.YAML)
	}
	var back json.RawMessage
	c.do("PUT", c.p("/session"), bytes.NewReader(res.Session), "application/json", http.StatusOK, &back)
	for _, q := range []string{"amount=2", "amount=x", "family=metal", "target=loudest"} {
		c.do("POST", c.p("/suggest?"+q), nil, "", http.StatusBadRequest, nil)
	}
}
