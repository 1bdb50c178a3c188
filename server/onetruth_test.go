package server

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/service"
)

// setCheckAdvised stores a check report with its findings and the advice
// the check gives for them.
func setCheckAdvised(t *testing.T, b *testBundle, c *client, stems int, findings []stemmaster.Finding) {
	t.Helper()
	adv := analysis.Advise(analysis.AdviceInput{Stems: stems, Findings: findings})
	storeCheck(t, b, c, stemmaster.CheckReport{Findings: findings, Advice: &adv})
}

type adviceProject struct {
	Advice stemmaster.Advice `json:"advice"`
	Fixes  []FixView         `json:"fixes"`
}

// The advice counts only the errors the session does not correct: the
// same findings the page marks "✓ applied" and the render gate lets pass.
func TestAdviceCountsOnlyUncorrectedErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newTwoStemProject(t)
	setCheckAdvised(t, b, c, 2, offsetAndPolarity())
	advice := func() (string, int) {
		var p adviceProject
		c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
		blocking := 0
		for _, f := range p.Fixes {
			if f.Blocking {
				blocking++
			}
		}
		return strings.Join(p.Advice.Reasons, "\n"), blocking
	}
	if got, n := advice(); !strings.Contains(got, "fix the 2 errors in the export first") || n != 2 {
		t.Fatalf("before any apply: %d blocking, advice %q", n, got)
	}
	c.do("POST", c.p("/apply"), strings.NewReader(`{"code": "offset", "file": "drums.wav"}`), "application/json", http.StatusOK, nil)
	if got, n := advice(); !strings.Contains(got, "fix the 1 error in the export first") || n != 1 {
		t.Errorf("one error applied: %d blocking, advice %q", n, got)
	}
	c.do("POST", c.p("/apply"), strings.NewReader(`{"code": "polarity_inverted", "file": "bass.wav"}`), "application/json", http.StatusOK, nil)
	if got, n := advice(); strings.Contains(got, "fix the") || strings.Contains(got, "error") || n != 0 {
		t.Errorf("both errors applied: %d blocking, advice %q", n, got)
	}
	// The gate agrees: nothing blocks a plain render.
	c.waitJob(c.render())
}

// A stem's level corrected in the session takes away the balance the
// check measured with it: the advice no longer says "mixing" because of
// the hot drums, and says why; the corrected finding is ✓ and blocks
// nothing. Where the check measured the corrected stems, the advice is
// theirs.
func TestAdviceFollowsAnAppliedGain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newTwoStemProject(t)
	hot := []stemmaster.Finding{{Code: "gain_mismatch", Severity: "warning", File: "drums.wav",
		Message: "drums.wav is 11.9 dB hot against the mix, beside the other stems",
		Fix:     "export it again at the mix's fader level, or set gain_db: -11.9 for drums.wav in the session"}}
	// The balance the check measured with the drums 11.9 dB hot.
	bal := analysis.Balance(map[stemmaster.Role]float64{stemmaster.RoleDrums: -6.6, stemmaster.RoleBass: -24.4, stemmaster.RoleInstruments: -24.2}, -7.9)
	adv := analysis.Advise(analysis.AdviceInput{Stems: 2, Findings: hot, Balance: bal, MixMatched: true})
	if adv.Service != stemmaster.ServiceMixing {
		t.Fatalf("fixture: the hot drums advise %q, want mixing", adv.Service)
	}
	storeCheck(t, b, c, stemmaster.CheckReport{Findings: hot, Advice: &adv})
	var p adviceProject
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if p.Advice.Service != stemmaster.ServiceMixing {
		t.Fatalf("before the apply: advice %q %q, want the check's mixing", p.Advice.Service, p.Advice.Reasons)
	}
	c.do("POST", c.p("/apply"), strings.NewReader(`{"code": "gain_mismatch", "file": "drums.wav"}`), "application/json", http.StatusOK, nil)
	p = adviceProject{}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	got := strings.Join(p.Advice.Reasons, "\n")
	if p.Advice.Service != stemmaster.ServiceStemMastering || strings.Contains(got, "too loud") || strings.Contains(got, "mixing") ||
		!strings.Contains(got, "the session corrects drums.wav") {
		t.Errorf("gain applied: advice %q %q, want stem mastering saying the session corrects drums.wav", p.Advice.Service, got)
	}
	if len(p.Fixes) != 1 || !p.Fixes[0].Applied || p.Fixes[0].Blocking {
		t.Errorf("gain applied: fixes %+v, want the one finding applied and not blocking", p.Fixes)
	}
	// A check that measured the stems again with the correction made
	// (advice_corrected): once Apply has made every correction it names,
	// the advice is that one, word for word; taken back, the check's own.
	corrected := stemmaster.Advice{Service: stemmaster.ServiceStereoMastering, Reasons: []string{
		"measured again on the stems with the session's corrections (set drums.wav to -11.9 dB):",
		"every family sits within its usual range against the mix: the mix is balanced, and stereo mastering of the mix is enough"}}
	storeCheck(t, b, c, stemmaster.CheckReport{Findings: hot, Advice: &adv, AdviceCorrected: &corrected})
	p = adviceProject{}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if !reflect.DeepEqual(p.Advice, corrected) {
		t.Errorf("applied, advice_corrected measured: advice %+v, want the corrected stems' %+v", p.Advice, corrected)
	}
	c.do("PUT", c.p("/session"), strings.NewReader(`{"stems": [{"file": "drums.wav"}, {"file": "bass.wav"}]}`), "application/json", http.StatusOK, nil)
	p = adviceProject{}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if !reflect.DeepEqual(p.Advice, adv) {
		t.Errorf("taken back: advice %+v, want the check's %+v", p.Advice, adv)
	}
}

// Balanced stems with no mix are advised stereo mastering of their sum:
// the advice, its headline and the quote (stored and draft) name stereo
// mastering while the session masters the sum as it is, and stem
// mastering once the session works on a stem (a gain), which the render
// then does.
func TestBalancedStemsAreQuotedAsTheirSumMastered(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(cfg *Config) { cfg.Quote = service.PriceQuoter(analysis.DefaultPriceList) })
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"drums.wav": w, "bass.wav": w}, []string{"drums.wav", "bass.wav"}, http.StatusCreated, nil)
	bal := analysis.Balance(map[stemmaster.Role]float64{stemmaster.RoleDrums: -21, stemmaster.RoleBass: -23}, -18.9)
	adv := analysis.Advise(analysis.AdviceInput{Stems: 2, Balance: bal})
	if adv.Service != stemmaster.ServiceStereoMastering {
		t.Fatalf("fixture: balanced stems advise %q %q", adv.Service, adv.Reasons)
	}
	storeCheck(t, b, c, stemmaster.CheckReport{Advice: &adv})
	for _, tc := range []struct {
		session string
		want    stemmaster.Service
	}{
		{`{"stems": [{"file": "drums.wav"}, {"file": "bass.wav", "offset_samples": 480}]}`, stemmaster.ServiceStereoMastering},
		{`{"stems": [{"file": "drums.wav", "gain_db": -3}, {"file": "bass.wav"}]}`, stemmaster.ServiceStemMastering},
	} {
		a, q, d := pricedAs(c, tc.session)
		if a.Service != stemmaster.ServiceStereoMastering || q.Service != string(stemmaster.ServiceStereoMastering) {
			t.Errorf("balanced stems, no mix: advice %q, quote %q (%s); want both stereo mastering", a.Service, q.Service, q.Text)
		}
		if d.Service != string(tc.want) {
			t.Errorf("draft %s: quote %q (%s), want %s", tc.session, d.Service, d.Text, tc.want)
		}
	}
}

// pricedAs reads what the page shows beside the Master button: the
// project's advice and quote, and the quote of a draft session.
func pricedAs(c *client, draft string) (a stemmaster.Advice, q, d service.QuoteView) {
	var p struct {
		Advice stemmaster.Advice `json:"advice"`
		Quote  service.QuoteView `json:"quote"`
	}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	var dq struct {
		Quote service.QuoteView `json:"quote"`
	}
	c.do("POST", c.p("/quote"), strings.NewReader(draft), "application/json", http.StatusOK, &dq)
	return p.Advice, p.Quote, dq.Quote
}

// One file uploaded as a stem, with no mix, is mastered as it is: the
// quote (stored and draft) prices stereo mastering, as the check's advice
// says. With a mix beside the one stem, the stems mode is priced as chosen.
func TestOneStemIsQuotedAsStereoMastering(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(cfg *Config) { cfg.Quote = service.PriceQuoter(analysis.DefaultPriceList) })
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"song.wav": w}, []string{"song.wav"}, http.StatusCreated, nil)
	setCheckAdvised(t, b, c, 1, nil)
	a, q, d := pricedAs(c, `{"stems": [{"file": "song.wav"}]}`)
	if a.Service != stemmaster.ServiceStereoMastering || q.Service != string(stemmaster.ServiceStereoMastering) {
		t.Errorf("one stem, no mix: advice %q, quote %q (%s); want both stereo mastering", a.Service, q.Service, q.Text)
	}
	if d.Service != string(stemmaster.ServiceStereoMastering) || d.Total != q.Total {
		t.Errorf("draft quote %+v; want the stored one, stereo mastering %.2f", d, q.Total)
	}
	// A mix beside it, the stems chosen: stem mastering, as the mode says.
	c.upload("mix", map[string][]byte{"mix.wav": w}, []string{"mix.wav"}, http.StatusCreated, nil)
	c.do("POST", c.p("/mode"), strings.NewReader(`{"mode": "stems"}`), "application/json", http.StatusOK, nil)
	_, q, d = pricedAs(c, `{"stems": [{"file": "song.wav"}], "mix": "mix.wav"}`)
	if q.Service != string(stemmaster.ServiceStemMastering) {
		t.Errorf("one stem and a mix, stems mode: quote %q", q.Service)
	}
	if d.Service != string(stemmaster.ServiceStemMastering) {
		t.Errorf("draft with the mix beside the stem: quote %q", d.Service)
	}
}

// A file that is not audio is refused with its name, what it was sent
// as and what to send instead for that role: a text file sent as the mix
// is not told to export a stem.
func TestNotAudioNamesItsRole(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	text := []byte("these are my lyrics, not audio\n")
	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 600)...)
	for _, tc := range []struct {
		kind, name string
		data       []byte
		want       []string
		not        string
	}{
		{"mix", "notes.wav", text, []string{"notes.wav (sent as the mix)", "text file, not audio", "bounce the mix", "WAV", "upload that as the mix"}, "stem"},
		{"stems", "lyrics.wav", text, []string{"lyrics.wav (sent as a stem)", "text file, not audio", "export the stem", "WAV", "upload that as a stem"}, "the mix"},
		{"mix", "song.mp3", mp3, []string{"song.mp3 (sent as the mix)", "MP3 file: lossy", "bounce the mix", "WAV"}, "stem"},
		{"mix", "empty.wav", nil, []string{"empty.wav (sent as the mix)", "empty"}, "stem"},
	} {
		body := string(c.upload(tc.kind, map[string][]byte{tc.name: tc.data}, []string{tc.name}, http.StatusUnsupportedMediaType, nil))
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s as %s: %s; want %q", tc.name, tc.kind, body, w)
			}
		}
		if strings.Contains(body, tc.not) {
			t.Errorf("%s as %s: %s; names %q", tc.name, tc.kind, body, tc.not)
		}
	}
	body, ctype := multipartBody(map[string][]byte{"notes.txt": text}, "notes.txt")
	if got := string(c.do("POST", c.p("/references"), body, ctype, http.StatusUnsupportedMediaType, nil)); !strings.Contains(got, "notes.txt (sent as a reference track)") || !strings.Contains(got, "WAV or FLAC copy of the reference") {
		t.Errorf("a text file as a reference: %s", got)
	}
}

// A draft no render accepts has no price: 20,000 outputs (a render takes
// at most MaxOutputs) or a version listed twice are refused with the 422
// a save answers, naming the same field, not priced; a draft at the bound
// is priced.
func TestQuoteRefusesWhatRenderRefuses(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(cfg *Config) { cfg.Quote = service.PriceQuoter(analysis.DefaultPriceList) })
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 440), "b.wav": wavBytes(t, 4800, 220)}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	outputs := func(n int) string {
		o := make([]string, n)
		for i := range o {
			o[i] = fmt.Sprintf(`{"format": "wav", "bit_depth": 24, "suffix": "o%d"}`, i)
		}
		return `"outputs": [` + strings.Join(o, ",") + `]`
	}
	stems := `"stems": [{"file": "a.wav"}, {"file": "b.wav"}]`
	for _, tc := range []struct {
		name, body, field string
	}{
		{"20,000 outputs", `{` + stems + `, "outputs": [` + strings.Repeat(`{},`, 19999) + `{}]}`, "outputs"},
		{"one output over the bound", `{` + stems + `, ` + outputs(stemmaster.MaxOutputs+1) + `}`, "outputs"},
		{"a version twice", `{` + stems + `, "versions": ["main", "main"]}`, "versions[1]"},
		{"an unknown version", `{` + stems + `, "versions": ["karaoke"]}`, "versions[0]"},
		{"more stems than a session holds", `{"stems": [` + strings.Repeat(`{"file": "a.wav"},`, stemmaster.MaxStems) + `{"file": "b.wav"}]}`, "stems"},
	} {
		var quoted struct {
			Error errorBody `json:"error"`
		}
		c.do("POST", c.p("/quote"), strings.NewReader(tc.body), "application/json", http.StatusUnprocessableEntity, &quoted)
		var saved struct {
			Error errorBody `json:"error"`
		}
		c.do("PUT", c.p("/session"), strings.NewReader(tc.body), "application/json", http.StatusUnprocessableEntity, &saved)
		if quoted.Error.Code != "invalid_session" || !hasField(quoted.Error.Fields, tc.field) || !hasField(saved.Error.Fields, tc.field) {
			t.Errorf("%s: quote answered %+v, save %+v; want both invalid_session naming %s", tc.name, quoted.Error, saved.Error, tc.field)
		}
	}
	var d struct {
		Quote service.QuoteView `json:"quote"`
	}
	c.do("POST", c.p("/quote"), strings.NewReader(`{`+stems+`, `+outputs(stemmaster.MaxOutputs)+`}`), "application/json", http.StatusOK, &d)
	if d.Quote.Total == 0 {
		t.Errorf("a draft with %d outputs: quote %+v; want it priced", stemmaster.MaxOutputs, d.Quote)
	}
}

func hasField(fs []FieldError, field string) bool {
	for _, f := range fs {
		if f.Field == field {
			return true
		}
	}
	return false
}
