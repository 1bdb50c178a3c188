package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/internal/audiotest"
	"stemmaster/store"
)

// noiseWav is pink noise with a high shelf at 2 kHz of shelfDB, 24-bit
// stereo at 48 kHz: programme-like material for the assistant to match.
func noiseWav(t *testing.T, seed uint64, frames int, shelfDB float64) []byte {
	t.Helper()
	b := audiotest.PinkNoise(seed, 2, frames, -18)
	e := biquad.NewEQ(biquad.Band{Type: stemmaster.EQHighShelf, FreqHz: 2000, GainDB: shelfDB, Q: 0.7071})
	e.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: frames, Channels: 2})
	e.Process(b)
	return wavOf(t, b)
}

type referenceList struct {
	References []ReferenceInfo `json:"references"`
}

// References end to end: uploaded with a weight beside a stereo
// project's one input, listed, reweighted, used by the assistant (a
// master match EQ toward them, the session still mastering the mix
// alone), bounded by the project's total, refused with the file named
// when they are not audio, never shown as stems, and removed.
func TestReferences(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	const frames = 30000 // 180 kB each: the mix and two references fit the test's 700 kB
	c.upload("mix", map[string][]byte{"mix.wav": noiseWav(t, 1, frames, -6)}, []string{"mix.wav"}, http.StatusCreated, nil)
	var list referenceList
	body, ctype := multipartBody(map[string][]byte{"bright.wav": noiseWav(t, 2, frames, 6)}, "bright.wav")
	c.do("POST", c.p("/references?weight=2"), body, ctype, http.StatusCreated, &list)
	if len(list.References) != 1 || list.References[0].Name != "bright.wav" || list.References[0].Weight != 2 || list.References[0].SampleRate != 48000 {
		t.Fatalf("references after upload: %+v", list.References)
	}
	// Not audio, and over the project's total: refused, the file named.
	body, ctype = multipartBody(map[string][]byte{"notes.txt": []byte("not audio at all")}, "notes.txt")
	if got := string(c.do("POST", c.p("/references"), body, ctype, http.StatusUnsupportedMediaType, nil)); !strings.Contains(got, "notes.txt") {
		t.Errorf("a text file as a reference: %s", got)
	}
	body, ctype = multipartBody(map[string][]byte{"second.wav": noiseWav(t, 3, frames, 0), "third.wav": noiseWav(t, 4, frames, 0)}, "second.wav", "third.wav")
	if got := string(c.do("POST", c.p("/references"), body, ctype, http.StatusRequestEntityTooLarge, nil)); !strings.Contains(got, "third.wav") || !strings.Contains(got, "accepted before it: second.wav") {
		t.Errorf("over the project's total: %s", got)
	}
	for _, q := range []string{"weight=0", "weight=-1", "weight=x", "weight=1000"} {
		body, ctype = multipartBody(map[string][]byte{"b.wav": noiseWav(t, 5, frames, 0)}, "b.wav")
		c.do("POST", c.p("/references?"+q), body, ctype, http.StatusBadRequest, nil)
	}
	c.do("PUT", c.p("/references/bright.wav"), strings.NewReader(`{"weight": 3}`), "application/json", http.StatusOK, nil)
	c.do("PUT", c.p("/references/bright.wav"), strings.NewReader(`{"weight": 0}`), "application/json", http.StatusBadRequest, nil)
	c.do("PUT", c.p("/references/nothing.wav"), strings.NewReader(`{"weight": 1}`), "application/json", http.StatusNotFound, nil)
	c.do("GET", c.p("/references"), nil, "", http.StatusOK, &list)
	if len(list.References) != 2 || list.References[0].Name != "bright.wav" || list.References[0].Weight != 3 || list.References[1].Name != "second.wav" {
		t.Fatalf("references: %+v", list.References)
	}
	c.do("DELETE", c.p("/references/second.wav"), nil, "", http.StatusNoContent, nil)

	// The project's files are the mix alone: references are not stems.
	var view ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &view)
	if len(view.Stems) != 0 || view.Mix == nil || view.Mix.Name != "mix.wav" {
		t.Fatalf("project files: stems %+v, mix %+v", view.Stems, view.Mix)
	}

	// The assistant masters the mix alone toward the reference.
	var res suggestResponse
	c.do("POST", c.p("/suggest"), nil, "", http.StatusOK, &res)
	if len(res.References) != 1 || res.References[0].Name != "bright.wav" || res.References[0].Weight != 3 {
		t.Errorf("suggest used references %+v", res.References)
	}
	var match bool
	for _, d := range res.Decisions {
		match = match || d.Path == "master.match_eq" && d.Kind == "match" && strings.Contains(d.Reason, "bright.wav (weight 3)")
	}
	if !match {
		t.Errorf("no master match toward bright.wav among %+v", res.Decisions)
	}
	if !strings.Contains(string(res.Session), `"match_eq"`) || !strings.Contains(string(res.Session), `"stems":[{"file":"mix.wav"`) {
		t.Errorf("session %s: want the mix alone with a match EQ", res.Session)
	}
	c.do("PUT", c.p("/session"), bytes.NewReader(res.Session), "application/json", http.StatusOK, nil)
	for _, q := range []string{"match_amount=2", "match_amount=x", "smoothing=0.1", "smoothing=4"} {
		c.do("POST", c.p("/suggest?"+q), nil, "", http.StatusBadRequest, nil)
	}

	// Removed, the reference no longer steers the assistant.
	c.do("DELETE", c.p("/references/bright.wav"), nil, "", http.StatusNoContent, nil)
	c.do("DELETE", c.p("/references/bright.wav"), nil, "", http.StatusNotFound, nil)
	c.do("POST", c.p("/suggest"), nil, "", http.StatusOK, &res)
	for _, d := range res.Decisions {
		if d.Kind == "match" {
			t.Errorf("a match decision with no reference: %+v", d)
		}
	}

	// A project's references go with it: nothing of the project stays.
	body, ctype = multipartBody(map[string][]byte{"kept.wav": noiseWav(t, 6, frames, 0)}, "kept.wav")
	c.do("POST", c.p("/references"), body, ctype, http.StatusCreated, nil)
	c.do("DELETE", c.p(""), nil, "", http.StatusNoContent, nil)
	if keys, err := b.blobs.Keys(context.Background(), store.ProjectPrefix(c.id)); err != nil || len(keys) > 0 {
		t.Errorf("after the project's deletion its blobs are %v (%v)", keys, err)
	}
}

// A project holds at most MaxReferences references.
func TestReferenceCount(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.Limits.MaxTotalBytes = 10 << 20 })
	c := b.newProject(t)
	files := map[string][]byte{}
	var order []string
	for i := range MaxReferences + 1 {
		name := string(rune('a'+i)) + ".wav"
		files[name] = wavBytes(t, 4800, 440)
		order = append(order, name)
	}
	body, ctype := multipartBody(files, order...)
	got := string(c.do("POST", c.p("/references"), body, ctype, http.StatusRequestEntityTooLarge, nil))
	if !strings.Contains(got, order[MaxReferences]) || !strings.Contains(got, "at most 4 references") {
		t.Errorf("a fifth reference: %s", got)
	}
}

// In a stem project the references steer the master and never become
// stems of the proposed session.
func TestReferenceStems(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	const frames = 30000
	c.upload("stems", map[string][]byte{"keys.wav": noiseWav(t, 7, frames, -3), "pads.wav": noiseWav(t, 8, frames, -9)}, []string{"keys.wav", "pads.wav"}, http.StatusCreated, nil)
	body, ctype := multipartBody(map[string][]byte{"ref.wav": noiseWav(t, 9, frames, 6)}, "ref.wav")
	c.do("POST", c.p("/references"), body, ctype, http.StatusCreated, nil)
	var res suggestResponse
	c.do("POST", c.p("/suggest?match_amount=0.5&smoothing=1"), nil, "", http.StatusOK, &res)
	var s stemmaster.Session
	if err := json.Unmarshal(res.Session, &s); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, st := range s.Stems {
		files = append(files, st.File)
	}
	if len(files) != 2 || files[0] != "keys.wav" || files[1] != "pads.wav" || len(s.Master.MatchEQ) == 0 || res.MatchAmount != 0.5 {
		t.Errorf("session stems %v, %d match points, match amount %g: want the two stems, a match EQ, 0.5", files, len(s.Master.MatchEQ), res.MatchAmount)
	}
}
