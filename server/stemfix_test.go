package server

import (
	"net/http"
	"strings"
	"testing"

	"stemmaster"
)

// TestStemCorrectionApplies: the check's exchanged channels, one inverted
// channel and a stem at another rate each get an Apply that writes
// swap_channels, polarity right_inverted and resample into the session;
// applied, they no longer block and the render is queued (the fake
// renderer stands in for the engine, whose stemfix tests cover the audio).
func TestStemCorrectionApplies(t *testing.T) {
	b := setup(t)
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"drums.wav": w, "bass.wav": w}, []string{"drums.wav", "bass.wav"}, http.StatusCreated, nil)
	c.upload("stems", map[string][]byte{"keys.wav": withRate(wavBytes(t, 4410, 440), 44100)}, []string{"keys.wav"}, http.StatusCreated, nil)
	c.upload("mix", map[string][]byte{"mix.wav": w}, []string{"mix.wav"}, http.StatusCreated, nil)
	right, rate := 2.0, 44100.0
	setCheck(t, b, c, []stemmaster.Finding{
		{Code: "channels_swapped", Severity: "error", File: "drums.wav", Message: "drums.wav has its left and right channels exchanged against the mix",
			Fix: "left and right are exchanged in drums.wav: check the track's panning … and export it again"},
		{Code: "polarity_inverted", Severity: "error", File: "bass.wav", Value: &right, Message: "bass.wav has its right channel inverted against the mix (the other channel is not)",
			Fix: "one channel of bass.wav is inverted (right channel): remove the phase/polarity-invert switch on that channel and export it again"},
		{Code: "sample_rate_mismatch", Severity: "error", File: "keys.wav", Value: &rate, Message: "keys.wav is at 44100 Hz; the other stems are at 48000 Hz",
			Fix: "export it again from the session with the sample rate set to 48000 Hz in the export dialog"},
	})
	var p pageProject
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	want := []struct{ field, setting string }{{"swap_channels", ""}, {"polarity", "right_inverted"}, {"resample", ""}}
	if len(p.Fixes) != len(want) {
		t.Fatalf("fixes %+v", p.Fixes)
	}
	for i, w := range want {
		f := p.Fixes[i]
		if f.Apply == nil || f.Apply.Field != w.field || f.Apply.Setting != w.setting || !f.Blocking || f.Applied {
			t.Errorf("fix %d (%s on %s): apply %+v blocking %v applied %v; want %s %q, blocking", i, f.Code, f.File, f.Apply, f.Blocking, f.Applied, w.field, w.setting)
		}
	}
	body := c.do("POST", c.p("/render"), nil, "", http.StatusConflict, nil)
	if !strings.Contains(string(body), "keys.wav") {
		t.Errorf("render with errors: %s", body)
	}
	for _, a := range []string{`{"code": "channels_swapped", "file": "drums.wav"}`, `{"code": "polarity_inverted", "file": "bass.wav"}`, `{"code": "sample_rate_mismatch", "file": "keys.wav"}`} {
		c.do("POST", c.p("/apply"), strings.NewReader(a), "application/json", http.StatusOK, nil)
	}
	var s struct {
		Stems []stemmaster.StemSpec `json:"stems"`
	}
	c.do("GET", c.p("/session"), nil, "", http.StatusOK, &s)
	got := map[string]stemmaster.StemSpec{}
	for _, st := range s.Stems {
		got[st.File] = st
	}
	if !got["drums.wav"].SwapChannels || got["bass.wav"].Polarity != stemmaster.PolarityRightInverted || !got["keys.wav"].Resample {
		t.Fatalf("session after apply: %+v", s.Stems)
	}
	if got["bass.wav"].SwapChannels || got["drums.wav"].Resample || got["keys.wav"].Polarity.PerChannel() {
		t.Errorf("an apply touched another stem: %+v", s.Stems)
	}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	for i, f := range p.Fixes {
		if !f.Applied || f.Blocking {
			t.Errorf("fix %d after apply: applied %v blocking %v", i, f.Applied, f.Blocking)
		}
	}
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	if j := c.waitJob(queued["job"]); j.State != "done" {
		t.Fatalf("render with the corrections: %+v", j)
	}
}
