package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"stemmaster"
)

func TestFixOrConfirm(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newTwoStemProject(t)
	setCheck(t, b, c, append(offsetAndPolarity(),
		stemmaster.Finding{Code: "gain_mismatch", Severity: "warning", File: "bass.wav", Message: "bass.wav is 2.0 dB hot against the mix",
			Fix: "export it again at the mix's fader level, or set gain_db: -2.0 for bass.wav in the session"},
		stemmaster.Finding{Code: "offset", Severity: "error", File: "mix.wav", Message: "the mix mix.wav starts 10 samples late", Fix: "export the mix again"},
	))
	var p pageProject
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	want := []struct {
		field    string
		value    float64
		blocking bool
	}{{"offset_samples", -1000, true}, {"polarity", -1, true}, {"gain_db", -2, false}, {"", 0, true}}
	if len(p.Fixes) != len(want) {
		t.Fatalf("fixes %+v", p.Fixes)
	}
	for i, w := range want {
		f := p.Fixes[i]
		if (f.Apply == nil) != (w.field == "") || (f.Apply != nil && (f.Apply.Field != w.field || f.Apply.Value != w.value)) || f.Blocking != w.blocking || f.Applied {
			t.Errorf("fix %d (%s on %s): apply %+v blocking %v applied %v; want %s %v blocking %v", i, f.Code, f.File, f.Apply, f.Blocking, f.Applied, w.field, w.value, w.blocking)
		}
		if f.Guide != "/guide#"+strings.ReplaceAll(f.Code, "_", "-") {
			t.Errorf("fix %d links to %q", i, f.Guide)
		}
	}
	// Errors block a plain render.
	body := c.do("POST", c.p("/render"), nil, "", http.StatusConflict, nil)
	if !bytes.Contains(body, []byte("check_errors")) || !bytes.Contains(body, []byte("drums.wav")) {
		t.Errorf("render with errors: %s", body)
	}
	// Apply writes the corrections into the session.
	for _, a := range []string{`{"code": "offset", "file": "drums.wav"}`, `{"code": "polarity_inverted", "file": "bass.wav"}`, `{"code": "gain_mismatch", "file": "bass.wav"}`} {
		c.do("POST", c.p("/apply"), strings.NewReader(a), "application/json", http.StatusOK, nil)
	}
	c.do("POST", c.p("/apply"), strings.NewReader(`{"code": "offset", "file": "mix.wav"}`), "application/json", http.StatusNotFound, nil)
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	for _, st := range p.Session.Stems {
		switch st.File {
		case "drums.wav":
			if st.OffsetSamples != -1000 {
				t.Errorf("drums offset %d after apply", st.OffsetSamples)
			}
		case "bass.wav":
			if st.Polarity != "inverted" || st.GainDB != -2 {
				t.Errorf("bass polarity %q gain %.1f after apply", st.Polarity, st.GainDB)
			}
		}
	}
	for i, f := range p.Fixes[:3] {
		if !f.Applied || f.Blocking {
			t.Errorf("fix %d after apply: applied %v blocking %v", i, f.Applied, f.Blocking)
		}
	}
	// The mix's own offset cannot be applied: master anyway, recorded.
	c.do("POST", c.p("/render"), strings.NewReader(`{"note": "x"}`), "application/json", http.StatusConflict, nil)
	var queued map[string]string
	c.do("POST", c.p("/render"), strings.NewReader(`{"master_anyway": true, "note": "anyway"}`), "application/json", http.StatusAccepted, &queued)
	if j := c.waitJob(queued["job"]); j.State != "done" {
		t.Fatalf("render: %+v", j)
	}
	c.do("POST", c.p("/render"), strings.NewReader(`{"master_anyway": "yes"}`), "application/json", http.StatusBadRequest, nil)
}

// TestStemCorrectionApplies: the check's exchanged channels, one inverted
// channel and a stem at another rate each get an Apply that writes
// swap_channels, polarity right_inverted and resample into the session;
// applied, they no longer block and the render is queued (the fake
// renderer stands in for the engine, whose stemfix tests cover the audio).
func TestStemCorrectionApplies(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newTwoStemProject(t)
	c.upload("stems", map[string][]byte{"keys.wav": withRate(wavBytes(t, 4410, 440), 44100)}, []string{"keys.wav"}, http.StatusCreated, nil)
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

// Each revision's fixes are its report's findings against its own
// session: the render made after an Apply marks that finding applied and
// leaves the other one blocking; the render made before marks neither.
func TestRevisionFixesFollowTheirSession(t *testing.T) {
	t.Parallel()
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
