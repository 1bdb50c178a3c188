package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/jobs"
	"stemmaster/service"
	"stemmaster/store"
)

func TestWholeFlow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	// Half a second: long enough for one 400 ms loudness block.
	drums, bass := wavBytes(t, 24000, 100), wavBytes(t, 24000, 55)

	var up struct{ Files []FileInfo }
	c.upload("stems", map[string][]byte{"drums.wav": drums, "bass.wav": bass}, []string{"drums.wav", "bass.wav"}, http.StatusCreated, &up)
	if len(up.Files) != 2 || up.Files[0].SampleRate != 48000 || up.Files[0].Frames != 24000 || up.Files[0].BitDepth != 24 {
		t.Fatalf("upload answer %+v", up.Files)
	}
	c.upload("mix", map[string][]byte{"mix.wav": wavBytes(t, 24000, 440)}, []string{"mix.wav"}, http.StatusCreated, nil)

	var p ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if len(p.Stems) != 2 || p.Mix == nil || p.Mix.Name != "mix.wav" {
		t.Fatalf("project files: %+v mix %+v", p.Stems, p.Mix)
	}
	var sess map[string]any
	json.Unmarshal(p.Session, &sess)
	if stems := sess["stems"].([]any); len(stems) != 2 || stems[0].(map[string]any)["role"] != "bass" {
		t.Errorf("default session = %s, want both stems with inferred roles", p.Session)
	}
	if q := p.Quote.(map[string]any); q["total"].(float64) != 120 {
		t.Errorf("quote = %v, want 100 + 2 stems × 10", p.Quote)
	}

	// Check: the advice appears and the server paths are scrubbed.
	var queued map[string]string
	c.do("POST", c.p("/check"), nil, "", http.StatusAccepted, &queued)
	if j := c.waitJob(queued["job"]); j.State != store.StateDone {
		t.Fatalf("check job: %+v", j)
	}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if !strings.Contains(string(p.Advice), "stem_mastering") {
		t.Errorf("advice = %s", p.Advice)
	}
	if strings.Contains(string(p.Check), os.TempDir()) || !strings.Contains(string(p.Check), `"file":"bass.wav"`) {
		t.Errorf("check report shows server paths or lost the file name: %s", p.Check)
	}

	// A new upload makes the check stale: it is cleared.
	c.upload("stems", map[string][]byte{"fx.wav": wavBytes(t, 4800, 3000)}, []string{"fx.wav"}, http.StatusCreated, nil)
	var fresh ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &fresh)
	if string(fresh.Check) != "null" || string(fresh.Advice) != "null" {
		t.Errorf("check %s and advice %s survive a new upload", fresh.Check, fresh.Advice)
	}
	c.do("DELETE", c.p("/stems/fx.wav"), nil, "", http.StatusNoContent, nil)

	// Session: the fake renderer scales its output by the first stem's gain.
	session := `{"stems":[{"file":"bass.wav","gain_db":-6},{"file":"drums.wav","role":"drums"}],"master":{"target":{"preset":"apple"}},"versions":["main"]}`
	c.do("PUT", c.p("/session"), strings.NewReader(session), "application/json", http.StatusOK, nil)
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	j := c.waitJob(queued["job"])
	if j.State != store.StateDone || j.Progress != 1 {
		t.Fatalf("render job: %+v", j)
	}

	var outs struct{ Outputs []OutputView }
	c.do("GET", c.p("/outputs"), nil, "", http.StatusOK, &outs)
	kinds := map[string]string{}
	for _, o := range outs.Outputs {
		kinds[o.Name] = o.Kind
	}
	want := map[string]string{"main.wav": "audio", "report.json": "report", "waveform.png": "picture", jobs.PreviewName: "preview"}
	for name, kind := range want {
		if kinds[name] != kind {
			t.Errorf("output %s: kind %q, want %q (all: %v)", name, kinds[name], kind, kinds)
		}
	}

	// The master is downloadable and is what the renderer wrote: a sine at
	// -20 dBFS + the -6 dB of the session's first stem.
	data := c.do("GET", c.p("/outputs/main.wav"), nil, "", http.StatusOK, nil)
	path := filepath.Join(t.TempDir(), "main.wav")
	os.WriteFile(path, data, 0o644)
	f, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	buf := audio.NewBuffer(2, 4800)
	n, _ := f.Read(buf)
	f.Close()
	const tolDB = 0.01 // 24-bit quantisation of a -26 dBFS peak
	if peak := audio.DB(float64(buf.Peak())); n != 4800 || math.Abs(peak-(-26)) > tolDB {
		t.Errorf("downloaded master: %d frames, peak %.3f dBFS, want 4800 frames at -26 dBFS", n, peak)
	}

	c.do("GET", c.p("/pictures/waveform.png"), nil, "", http.StatusOK, nil)

	// A/B: the preview (plain sum) and the master at matched loudness.
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if p.AB == nil || p.AB.MasterLUFS == nil || *p.AB.MasterLUFS != -14 || p.AB.SumLUFS == nil {
		t.Fatalf("ab = %+v", p.AB)
	}
	if s, m := p.AB.SumVolume, p.AB.MasterVolume; math.Abs(20*math.Log10(s)+*p.AB.SumLUFS-(20*math.Log10(m)+*p.AB.MasterLUFS)) > 0.01 {
		t.Errorf("A/B volumes %.3f/%.3f do not match %v and %v LUFS", s, m, *p.AB.SumLUFS, *p.AB.MasterLUFS)
	}

	// The zip holds the deliverables and the report, not the preview.
	zdata := c.do("GET", c.p("/outputs.zip"), nil, "", http.StatusOK, nil)
	zr, err := zip.NewReader(bytes.NewReader(zdata), int64(len(zdata)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if zf.Name == "main.wav" {
			rc, _ := zf.Open()
			zb, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(zb, data) {
				t.Error("main.wav in the zip differs from the single download")
			}
		}
	}
	if strings.Join(names, ",") != "main.wav,report.json,waveform.png" {
		t.Errorf("zip holds %v", names)
	}

	// A second render replaces the outputs of the first, which stays
	// reachable as revision 1, byte for byte.
	c.do("POST", c.p("/render"), strings.NewReader(`{"note": "second"}`), "application/json", http.StatusAccepted, &queued)
	c.waitJob(queued["job"])
	var revs struct {
		Revisions []RevisionView `json:"revisions"`
	}
	c.do("GET", c.p("/revisions"), nil, "", http.StatusOK, &revs)
	if len(revs.Revisions) != 2 || revs.Revisions[0].Number != 1 || revs.Revisions[1].Note != "second" || !revs.Revisions[1].Current || revs.Revisions[0].Current {
		t.Fatalf("revisions %+v, want 1 and 2 (current, note \"second\")", revs.Revisions)
	}
	if old := c.do("GET", c.p("/revisions/1/outputs/main.wav"), nil, "", http.StatusOK, nil); !bytes.Equal(old, data) {
		t.Error("revision 1's main.wav differs from the first render's")
	}
	c.do("GET", c.p("/revisions/9/outputs/main.wav"), nil, "", http.StatusNotFound, nil)

	// Delete: everything goes.
	c.do("DELETE", c.p(""), nil, "", http.StatusNoContent, nil)
	c.do("GET", c.p(""), nil, "", http.StatusNotFound, nil)
	if keys, _ := b.blobs.Keys(context.Background(), store.ProjectPrefix(c.id)); len(keys) != 0 {
		t.Errorf("blobs of the deleted project remain: %v", keys)
	}
}

func TestFailedRenderShowsItsError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	b.renderer.mu.Lock()
	b.renderer.fail = errors.New("drums.wav: the stem is corrupt at frame 12")
	b.renderer.mu.Unlock()
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	j := c.waitJob(queued["job"])
	if j.State != store.StateFailed || !strings.Contains(j.Error, "corrupt at frame 12") {
		t.Errorf("job = %+v, want failed with the renderer's message", j)
	}
	var outs struct{ Outputs []OutputView }
	c.do("GET", c.p("/outputs"), nil, "", http.StatusOK, &outs)
	if len(outs.Outputs) != 0 {
		t.Errorf("a failed render published %v", outs.Outputs)
	}
}

func TestOutputsHiddenWhileRendering(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	block := b.blockRenders()
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	// Wait until the render reports progress, then look at the outputs.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var j JobView
		c.do("GET", c.p("/jobs/"+queued["job"]), nil, "", http.StatusOK, &j)
		if j.State == store.StateRunning && j.Progress > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("render never ran: %+v", j)
		}
	}
	var outs struct{ Outputs []OutputView }
	c.do("GET", c.p("/outputs"), nil, "", http.StatusOK, &outs)
	if len(outs.Outputs) != 0 {
		t.Errorf("outputs visible while rendering: %v", outs.Outputs)
	}
	close(block)
	if j := c.waitJob(queued["job"]); j.State != store.StateDone {
		t.Errorf("job = %+v", j)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	wav := wavBytes(t, 4800, 100)
	c.upload("stems", map[string][]byte{"drums.wav": wav}, []string{"drums.wav"}, http.StatusCreated, nil)
	other := b.newProject(t)
	big := wavBytes(t, 45000, 100)  // 270 kB: under the file limit; three of them are over the total
	huge := wavBytes(t, 60000, 100) // 360 kB: over the file limit

	type tc struct {
		name   string
		method string
		path   string
		token  string // "-" for none
		body   func() (io.Reader, string)
		status int
		code   string
		has    string // the message must contain this, when set
	}
	files := func(m map[string][]byte, order ...string) func() (io.Reader, string) {
		return func() (io.Reader, string) { return multipartBody(m, order...) }
	}
	jsonBody := func(s string) func() (io.Reader, string) {
		return func() (io.Reader, string) { return strings.NewReader(s), "application/json" }
	}
	cases := []tc{
		{"missing token", "GET", c.p(""), "-", nil, 401, "unauthorized", ""},
		{"empty bearer", "GET", c.p(""), " ", nil, 401, "unauthorized", ""},
		{"wrong token", "GET", c.p(""), strings.Repeat("0", 64), nil, 403, "forbidden", ""},
		{"another project's token", "GET", c.p(""), other.token, nil, 403, "forbidden", ""},
		{"unknown project", "GET", "/api/projects/" + strings.Repeat("ab", 16), "", nil, 404, "not_found", ""},
		{"malformed project id", "GET", "/api/projects/..%2f..%2fetc", "", nil, 404, "not_found", ""},
		{"unknown job", "GET", c.p("/jobs/" + strings.Repeat("cd", 16)), "", nil, 404, "not_found", ""},
		{"unknown output", "GET", c.p("/outputs/main.wav"), "", nil, 404, "not_found", ""},
		{"output path traversal", "GET", c.p("/outputs/..%2f..%2fmeta.sqlite"), "", nil, 404, "not_found", ""},
		{"picture not png", "GET", c.p("/pictures/report.json"), "", nil, 404, "not_found", ""},
		{"zip before any render", "GET", c.p("/outputs.zip"), "", nil, 404, "not_found", ""},
		{"unknown API call", "GET", "/api/nothing", "", nil, 404, "not_found", ""},
		{"wrong method", "PATCH", c.p(""), "", nil, 405, "method_not_allowed", ""},
		{"create with bad body", "POST", "/api/projects", "-", jsonBody(`{"demo": "yes"}`), 400, "bad_request", ""},
		{"demo without a demo song", "POST", "/api/projects", "-", jsonBody(`{"demo": true}`), 404, "not_found", ""},
		{"upload not multipart", "POST", c.p("/stems"), "", jsonBody(`{}`), 400, "bad_request", ""},
		{"upload without file field", "POST", c.p("/stems"), "", func() (io.Reader, string) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("name", "x")
			mw.Close()
			return &buf, mw.FormDataContentType()
		}, 400, "no_file", ""},
		{"non-audio upload", "POST", c.p("/stems"), "", files(map[string][]byte{"notes.wav": []byte("these are my mixing notes, not audio")}, "notes.wav"), 415, "not_audio", ""},
		{"empty upload", "POST", c.p("/stems"), "", files(map[string][]byte{"empty.wav": nil}, "empty.wav"), 415, "not_audio", ""},
		{"truncated wav header", "POST", c.p("/stems"), "", files(map[string][]byte{"cut.wav": wav[:20]}, "cut.wav"), 415, "not_audio", ""},
		{"sample rate out of range", "POST", c.p("/stems"), "", files(map[string][]byte{"dxd.wav": withRate(wav, 768000)}, "dxd.wav"), 415, "unsupported_rate", ""},
		{"oversize file", "POST", c.p("/stems"), "", files(map[string][]byte{"huge.wav": huge}, "huge.wav"), 413, "too_large", ""},
		{"over the total", "POST", c.p("/stems"), "", files(map[string][]byte{"a.wav": big, "b.wav": big, "c.wav": big}, "a.wav", "b.wav", "c.wav"), 413, "too_large", ""},
		{"name of only dots", "POST", c.p("/stems"), "", files(map[string][]byte{"...": wav}, "..."), 400, "bad_name", ""},
		{"mix named as a stem", "POST", c.p("/mix"), "", files(map[string][]byte{"drums.wav": wav}, "drums.wav"), 409, "name_taken", ""},
		{"delete unknown stem", "DELETE", c.p("/stems/nope.wav"), "", nil, 404, "not_found", ""},
		{"render without stems", "POST", other.p("/render"), other.token, nil, 409, "no_stems", ""},
		{"check without stems", "POST", other.p("/check"), other.token, nil, 409, "no_stems", ""},
		{"session not JSON", "PUT", c.p("/session"), "", jsonBody(`stems: [`), 400, "bad_request", ""},
		{"session gain out of range", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav","gain_db":100}]}`), 422, "invalid_session", "stems[0].gain_db: 100 is beyond ±48 dB"},
		{"session unknown field", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav","volume":3}]}`), 422, "invalid_session", ""},
		{"session stem not uploaded", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"vocals.wav"}]}`), 422, "invalid_session", `stems[0].file: "vocals.wav" is not an uploaded stem`},
		{"session ratio below 1", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav","compressor":{"threshold_db":-20,"ratio":0.5}}]}`), 422, "invalid_session", ""},
		{"session EQ above Nyquist", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav","eq":[{"type":"peak","freq_hz":30000,"gain_db":3}]}]}`), 422, "invalid_session", "stems[0].eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)"},
		{"session ceiling above 0 dBTP", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav"}],"master":{"limiter":{"ceiling_dbtp":1}}}`), 422, "invalid_session", ""},
		{"session unknown preset", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"drums.wav"}],"master":{"target":{"preset":"max"}}}`), 422, "invalid_session", ""},
		{"session path traversal", "PUT", c.p("/session"), "", jsonBody(`{"stems":[{"file":"../../meta.sqlite"}]}`), 422, "invalid_session", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			ctype := ""
			if tc.body != nil {
				body, ctype = tc.body()
			}
			req, _ := http.NewRequest(tc.method, b.url+tc.path, body)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			switch tc.token {
			case "-":
			case "":
				req.Header.Set("Authorization", "Bearer "+c.token)
			default:
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			data, _ := io.ReadAll(res.Body)
			var e apiError
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatalf("status %d, body not a JSON error: %q", res.StatusCode, data)
			}
			if res.StatusCode != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("got %d %q (%s), want %d %q", res.StatusCode, e.Error.Code, e.Error.Message, tc.status, tc.code)
			}
			if !strings.Contains(e.Error.Message, tc.has) {
				t.Errorf("message %q lacks %q", e.Error.Message, tc.has)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}

	// Nothing above stored a file, but for the two files of the
	// over-the-total upload that came before the one that broke the limit.
	var p ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if len(p.Stems) != 3 || p.Stems[0].Name != "a.wav" || p.Stems[1].Name != "b.wav" || p.Mix != nil {
		t.Errorf("after the error cases the project holds %+v, mix %+v", p.Stems, p.Mix)
	}
}

func TestFileCountLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	wav := wavBytes(t, 480, 100)
	for i := 0; i < b.limits.MaxFiles; i++ {
		name := fmt.Sprintf("stem%d.wav", i)
		c.upload("stems", map[string][]byte{name: wav}, []string{name}, http.StatusCreated, nil)
	}
	var e apiError
	c.upload("stems", map[string][]byte{"one-more.wav": wav}, []string{"one-more.wav"}, http.StatusRequestEntityTooLarge, &e)
	if e.Error.Code != "too_many_files" {
		t.Errorf("code %q", e.Error.Code)
	}
	// Re-uploading an existing name replaces it and is not counted twice.
	c.upload("stems", map[string][]byte{"stem0.wav": wav}, []string{"stem0.wav"}, http.StatusCreated, nil)
}

func TestUploadSanitisesNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	var up struct{ Files []FileInfo }
	c.upload("stems", map[string][]byte{`..\..\evil/../../etc/lead vox (final).wav`: wavBytes(t, 480, 100)}, []string{`..\..\evil/../../etc/lead vox (final).wav`}, http.StatusCreated, &up)
	if up.Files[0].Name != "lead vox (final).wav" {
		t.Errorf("stored as %q", up.Files[0].Name)
	}
	keys, _ := b.blobs.Keys(context.Background(), "")
	for _, k := range keys {
		if !strings.HasPrefix(k, store.ProjectPrefix(c.id)+"stem/") {
			t.Errorf("blob key %q outside the project's stem prefix", k)
		}
	}
}

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"drums.wav", "drums.wav"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\Bass DI.wav`, "Bass DI.wav"},
		{".hidden.wav", "hidden.wav"},
		{"Gesang\u00e4\u00f6.wav", "Gesang\u00e4\u00f6.wav"},
		{"Drums \u2013 \u00dcberkopf.WAV", "Drums \u2013 \u00dcberkopf.WAV"},
		// Decomposed (as a Mac sends it): stored composed.
		{"Drums \u2013 U\u0308berkopf.WAV", "Drums \u2013 \u00dcberkopf.WAV"},
		{"\u30c9\u30e9\u30e0.wav", "\u30c9\u30e9\u30e0.wav"},             // Japanese
		{"\u0637\u0628\u0648\u0644.wav", "\u0637\u0628\u0648\u0644.wav"}, // Arabic
		{"\u0922\u094b\u0932 2.wav", "\u0922\u094b\u0932 2.wav"},         // Devanagari, a vowel sign
		{"\u0411\u0430\u0441.wav", "\u0411\u0430\u0441.wav"},             // Cyrillic
		{"a\x00b\nc.wav", "abc.wav"},
		// Bidi overrides and isolates, zero widths: dropped.
		{"\u202egnp.exe", "gnp.exe"},
		{"bass\u2066\u200b\u200f.wav", "bass.wav"},
		// A slash of another width, a symbol: replaced; no-break and
		// ideographic spaces are spaces.
		{"..\uff0f..\uff0fetc\uff0fpasswd", "_.._etc_passwd"},
		{"\U0001f3b8\u00a0gtr\u3000DI.wav", "_ gtr DI.wav"},
		{"\u2215etc\u2044x.wav", "_etc_x.wav"},
		{"\u00ad\u200d", ""},
		// Cut at 120 bytes between two characters, never between a
		// letter and its accent.
		{strings.Repeat("\u00e9", 59) + "e\u0301\u0301.wav", strings.Repeat("\u00e9", 58) + ".wav"},
		{strings.Repeat("x", 115) + "\u00e9e\u0301\u0302.wav", strings.Repeat("x", 115) + ".wav"},
		{"..", ""},
		{"/", ""},
		{"", ""},
		{strings.Repeat("x", 300) + ".wav", strings.Repeat("x", 116) + ".wav"},
	}
	for _, tc := range cases {
		if got := SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSanitizeName: whatever name a client sends (any bytes, any
// Unicode: bidi controls, separators, dots, stacked accents), the stored
// name is a plain base name of at most maxNameBytes bytes of valid UTF-8
// in composed form (NFC), holding only letters, marks and numbers of any
// script, dashes and " ._+()" (no separator, control, format or bidi
// character), not hidden, not only punctuation, and the same when
// sanitised again (the name a client later deletes by).
func FuzzSanitizeName(f *testing.F) {
	for _, n := range []string{"drums.wav", "../../etc/passwd", `C:\a\b.wav`, ".hidden", "\u202egnp.exe", "a\x00b", strings.Repeat("x", 300) + ".wav", " . .wav", "con.wav",
		"Drums \u2013 U\u0308berkopf.WAV", "\u0922\u094b\u0932.wav", "a\u200d\u0301.wav", "\uff0e\uff0e\uff0fx", strings.Repeat("e\u0301", 80) + ".flac", "x" + strings.Repeat("\u0301", 40)} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := SanitizeName(name)
		if got == "" {
			return
		}
		if len(got) > maxNameBytes || strings.Trim(got, "._- ") == "" || got[0] == '.' || got[0] == ' ' || !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("SanitizeName(%q) = %q", name, got)
		}
		for _, r := range got {
			if r == '/' || r == '\\' || !(strings.ContainsRune("._- +()", r) || unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.Pd)) ||
				r >= utf8.RuneSelf && unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Bidi_Control) {
				t.Fatalf("SanitizeName(%q) = %q holds %q", name, got, r)
			}
		}
		if again := SanitizeName(got); again != got {
			t.Fatalf("SanitizeName(%q) = %q, and sanitised again %q", name, got, again)
		}
	})
}

func TestMatchedVolumes(t *testing.T) {
	t.Parallel()
	// Expected volumes: the louder programme is turned down by the
	// difference in dB, 10^(-Δ/20); the quieter plays at 1.
	const tol = 1e-9
	cases := []struct {
		name             string
		a, b             float64
		wantA, wantB     float64
		undefinedFigures bool
	}{
		{"master 6 LU louder", -20, -14, 1, math.Pow(10, -6.0/20), false},
		{"sum louder", -10, -14, math.Pow(10, -4.0/20), 1, false},
		{"equal", -14, -14, 1, 1, false},
		{"undefined", math.NaN(), -14, 1, 1, true},
	}
	for _, tc := range cases {
		a, b := MatchedVolumes(tc.a, tc.b)
		if math.Abs(a-tc.wantA) > tol || math.Abs(b-tc.wantB) > tol {
			t.Errorf("%s: got %.6f, %.6f want %.6f, %.6f", tc.name, a, b, tc.wantA, tc.wantB)
		}
	}
}

func TestPageAndStatic(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		path   string
		status int
		has    string
	}{
		{"/", 200, `id="stem-drop"`},
		{"/static/upload.js", 200, "XMLHttpRequest"},
		{"/static/style.css", 200, ".strip"},
		{"/static/", 404, ""},
		{"/static/../server.go", 404, ""},
		{"/static/index.html", 404, ""},
		{"/web/", 404, ""},
	}
	for _, tc := range cases {
		res, err := http.Get(b.url + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(data), tc.has) {
			t.Errorf("GET %s: %d, want %d with %q", tc.path, res.StatusCode, tc.status, tc.has)
		}
		if csp := res.Header.Get("Content-Security-Policy"); tc.status == 200 && !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET %s sends CORS headers", tc.path)
		}
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 480)
	// The upload's preview is made by then (expiry never meets a
	// project minutes old).
	b.waitPreviews(t, c.id)
	runner := &service.Runner{Meta: b.meta, Blobs: b.blobs}
	n, err := runner.Expire(context.Background(), time.Now().Add(8*24*time.Hour)) // past the default 7-day retention
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	c.do("GET", c.p(""), nil, "", http.StatusNotFound, nil)
	if keys, _ := b.blobs.Keys(context.Background(), store.ProjectPrefix(c.id)); len(keys) != 0 {
		t.Errorf("blobs of the expired project remain: %v", keys)
	}
}

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

// TestBearerSchemeIsCaseInsensitive: "authorization: bearer <token>" is
// not refused as a missing token; the scheme is case-insensitive (RFC
// 9110 §11.1), and some HTTP clients write it in lower case.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	for _, auth := range []string{"bearer " + c.token, "BEARER  " + c.token + " "} {
		req := c.request("GET", c.p(""), nil, "")
		req.Header.Set("Authorization", auth)
		if code, _ := send(t, req); code != http.StatusOK {
			t.Errorf("Authorization %q…: %d, want 200", auth[:8], code)
		}
	}
	req := c.request("GET", c.p(""), nil, "")
	req.Header.Set("Authorization", "Basic "+c.token)
	if code, _ := send(t, req); code != http.StatusUnauthorized {
		t.Errorf("another scheme: %d; want 401", code)
	}
}
