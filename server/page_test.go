package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"stemmaster"
)

type sessionView struct {
	Stems []struct {
		File          string  `json:"file"`
		OffsetSamples int64   `json:"offset_samples"`
		Polarity      string  `json:"polarity"`
		GainDB        float64 `json:"gain_db"`
	} `json:"stems"`
	Mix      string   `json:"mix"`
	Versions []string `json:"versions"`
}

type pageProject struct {
	Stereo  bool            `json:"stereo"`
	Session sessionView     `json:"session"`
	Quote   json.RawMessage `json:"quote"`
	Fixes   []FixView       `json:"fixes"`
	Report  json.RawMessage `json:"report"`
}

func stemFiles(s sessionView) []string {
	var out []string
	for _, st := range s.Stems {
		out = append(out, st.File)
	}
	return out
}

func TestStereoProject(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	var p pageProject
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if string(p.Quote) != "null" {
		t.Errorf("an empty project is quoted %s, want no price", p.Quote)
	}
	// Nothing to master yet.
	c.do("POST", c.p("/render"), nil, "", http.StatusConflict, nil)

	// The mix alone is a stereo master.
	c.upload("mix", map[string][]byte{"song mix.wav": wavBytes(t, 4800, 440)}, []string{"song mix.wav"}, http.StatusCreated, nil)
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if !p.Stereo || strings.Join(stemFiles(p.Session), ",") != "song mix.wav" || p.Session.Mix != "" {
		t.Fatalf("mix-only project: stereo %v, session %+v; want the mix as the one input", p.Stereo, p.Session)
	}
	if string(p.Quote) == "null" {
		t.Error("a project with a mix has no quote")
	}
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	if j := c.waitJob(queued["job"]); j.State != "done" {
		t.Fatalf("stereo render: %+v", j)
	}

	// With stems too, the client chooses; the choice survives the
	// reconciliation the runner does before rendering.
	c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, 4800, 220)}, []string{"drums.wav"}, http.StatusCreated, nil)
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if p.Stereo || strings.Join(stemFiles(p.Session), ",") != "drums.wav" || p.Session.Mix != "song mix.wav" {
		t.Fatalf("with a stem uploaded the project masters stems: stereo %v, session %+v", p.Stereo, p.Session)
	}
	var s sessionView
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stereo"}`), "application/json", http.StatusOK, &s)
	if strings.Join(stemFiles(s), ",") != "song mix.wav" {
		t.Fatalf("mode stereo: session %+v", s)
	}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if !p.Stereo {
		t.Error("mode stereo did not stick")
	}
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	if j := c.waitJob(queued["job"]); j.State != "done" {
		t.Fatalf("stereo render of a stem project: %+v", j)
	}
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stems"}`), "application/json", http.StatusOK, &s)
	if strings.Join(stemFiles(s), ",") != "drums.wav" || s.Mix != "song mix.wav" {
		t.Fatalf("mode stems: session %+v", s)
	}
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "mono"}`), "application/json", http.StatusBadRequest, nil)
}

func TestQuoteFollowsSession(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"a.wav": w, "b.wav": w}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	var q struct {
		Quote struct{ Total float64 } `json:"quote"`
	}
	c.do("POST", c.p("/quote"), strings.NewReader(`{"stems": [{"file": "a.wav"}, {"file": "b.wav"}]}`), "application/json", http.StatusOK, &q)
	if q.Quote.Total != 120 {
		t.Errorf("quote %+v, want the fake price list's 100 + 10 a stem", q.Quote)
	}
	c.do("POST", c.p("/quote"), strings.NewReader(`not json`), "application/json", http.StatusBadRequest, nil)
}

func TestGuidePage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res, err := http.Get(b.url + "/guide")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	// Every finding code the check reports has its paragraph.
	for code := range stemmaster.CodeSeverity {
		if !strings.Contains(buf.String(), `id="`+strings.ReplaceAll(code, "_", "-")+`"`) {
			t.Errorf("the guide has no paragraph for %s", code)
		}
	}
}

func TestNotAudioSaysWhatToDo(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"song.mp3":  {append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 600)...), "MP3 file: lossy"},
		"song2.mp3": {append([]byte{0xFF, 0xFB, 0x90, 0x64}, make([]byte, 600)...), "MP3 file: lossy"},
		"song.m4a":  {append([]byte("\x00\x00\x00\x20ftypM4A "), make([]byte, 600)...), "AAC/M4A"},
		"notes.wav": {[]byte("these are my lyrics, not audio\n"), "text file, not audio"},
	} {
		body := c.upload("stems", map[string][]byte{name: tc.data}, []string{name}, http.StatusUnsupportedMediaType, nil)
		if !bytes.Contains(body, []byte(name)) || !bytes.Contains(body, []byte(tc.want)) || !bytes.Contains(body, []byte("WAV")) {
			t.Errorf("%s: %s; want the name, %q and what to send", name, body, tc.want)
		}
	}
}
