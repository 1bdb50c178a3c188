package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
	"stemmaster/store"
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

// TestQuotePricesWhatIsRendered holds the quote to what Master renders
// (analysis.QuotedService): stems beside a mix are priced as stem
// mastering even where the check advises stereo mastering (of the mix,
// which the stereo mode masters) or mixing first; one file mastered alone
// as stereo mastering; and balanced stems with no mix, advised stereo
// mastering of their sum, as stereo mastering while the session masters
// that sum as it is — as stem mastering once it works on a stem.
func TestQuotePricesWhatIsRendered(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{Quote: func(q QuoteRequest) any { return q }}}
	stems := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav"}, {File: "b.wav"}}, Mix: "mix.wav"}
	alone := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "mix.wav"}}}
	noMix := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav", OffsetSamples: 480}, {File: "b.wav", Polarity: stemmaster.PolarityInverted}}}
	worked := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav", GainDB: -3}, {File: "b.wav"}}}
	for _, tc := range []struct {
		advice string
		sess   *stemmaster.Session
		mix    bool
		want   stemmaster.Service
	}{
		{"stem_mastering", stems, true, stemmaster.ServiceStemMastering},
		{"stereo_mastering", stems, true, stemmaster.ServiceStemMastering},
		{"mixing", stems, true, stemmaster.ServiceStemMastering},
		{"mixing", alone, true, stemmaster.ServiceStereoMastering},
		{"stereo_mastering", noMix, false, stemmaster.ServiceStereoMastering},
		{"stereo_mastering", worked, false, stemmaster.ServiceStemMastering},
		{"stem_mastering", noMix, false, stemmaster.ServiceStemMastering},
	} {
		v := &ProjectView{Stems: []FileInfo{{Name: "a.wav"}, {Name: "b.wav"}}, Advice: json.RawMessage(`{"service": "` + tc.advice + `"}`)}
		if tc.mix {
			v.Mix = &FileInfo{Name: "mix.wav"}
		}
		q, _ := s.quote(v, tc.sess).(QuoteRequest)
		if q.Service != string(tc.want) {
			t.Errorf("advice %s, %+v, mix %v: priced as %q, want %q", tc.advice, tc.sess.Stems, tc.mix, q.Service, tc.want)
		}
	}
}

// TestStreamsWithoutAGoneFile: a file whose blobs went while its record
// stays (a removal cut short by a 503 after its blobs went, or one racing
// the listing from another tab) is left out of /streams, and the others
// still play: the whole answer is not a 500 "store: not found".
func TestStreamsWithoutAGoneFile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"a.wav": w, "b.wav": w}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	ctx := context.Background()
	keys, err := b.blobs.Keys(ctx, store.ProjectPrefix(c.id))
	if err != nil {
		t.Fatal(err)
	}
	gone := 0
	for _, k := range keys {
		if strings.Contains(k, "b.wav") {
			if err := b.blobs.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			gone++
		}
	}
	if gone == 0 {
		t.Fatalf("no blob of b.wav among %q", keys)
	}
	v = StreamsView{}
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 || v.Stems[0].Name != "a.wav" {
		t.Errorf("streams with b.wav's blobs gone: %+v, want a.wav alone", v.Stems)
	}
}

// TestStreamOfATruncatedFile: a stem cut short of the length its header
// says plays what it holds, as the check measures it, beside the others;
// its decoder's error is not read as the store out of reach (a 503 the
// page asked again forever, playing no stem at all).
func TestStreamOfATruncatedFile(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	const frames, held = 48000, 36000
	w := wavBytes(t, frames, 440)
	c.upload("stems", map[string][]byte{"a.wav": w, "cut.wav": w[:len(w)-(frames-held)*6]}, []string{"a.wav", "cut.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	got := map[string]int64{}
	for _, si := range v.Stems {
		got[si.Name] = si.Frames
	}
	if len(got) != 2 || got["a.wav"] != frames || got["cut.wav"] != held {
		t.Errorf("streams' frames %v; want a.wav %d and cut.wav the %d it holds", got, frames, held)
	}
}

func TestStreamSegments(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	const frames = 40000
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, frames, 1000)}, []string{"a.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 {
		t.Fatalf("streams %+v", v)
	}
	si := v.Stems[0]
	if si.Frames != frames || si.SampleRate != 48000 || si.Segments != 1 || si.SegmentFrames != 4*48000 || si.LUFS == nil || si.GainDB != 0 {
		t.Fatalf("stream info %+v", si)
	}
	// A 1 kHz sine at -12 dBFS peak, stereo: -12 - 3.01 + 0.69 (K-weighting
	// at 1 kHz) + 3.01 (two channels) - 0.691 ≈ -12 LUFS.
	if math.Abs(*si.LUFS-(-12)) > 0.2 {
		t.Errorf("preview loudness %.2f LUFS, want -12 ± 0.2", *si.LUFS)
	}
	seg := c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil)
	if len(seg) != wavHeaderBytes+frames*4 {
		t.Fatalf("segment 0: %d bytes, want %d", len(seg), wavHeaderBytes+frames*4)
	}
	got, _ := audiotest.Decode(t, seg)
	n := got.Frames()
	want := audiotest.Sine(48000, 2, frames, 1000, -12, 0)
	// 16-bit against 24-bit: within half a 16-bit step and the 24-bit
	// file's own rounding.
	worst := 0.0
	for c := 0; c < 2; c++ {
		for i := 0; i < min(n, frames); i++ {
			worst = math.Max(worst, math.Abs(float64(got.Data[c][i]-want.Data[c][i])))
		}
	}
	if n != frames || worst > 1.0/32767 {
		t.Errorf("segment 0 decodes to %d frames, worst error %.2g; want %d frames within one 16-bit step", n, worst, frames)
	}
	c.do("GET", si.URL+"/1", nil, "", http.StatusNotFound, nil)
	c.do("GET", si.URL+"/-1", nil, "", http.StatusBadRequest, nil)
	c.do("GET", c.p("/stream/stem/none.wav/0"), nil, "", http.StatusNotFound, nil)
	c.do("GET", c.p("/stream/secret/a.wav/0"), nil, "", http.StatusNotFound, nil)
}

func TestGuidePage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	guide := getText(t, b.url+"/guide")
	// Every finding code the check reports has its paragraph.
	for code := range stemmaster.CodeSeverity {
		if !strings.Contains(guide, `id="`+strings.ReplaceAll(code, "_", "-")+`"`) {
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

// renderedStreams renders a project of one stem and returns its streams
// with its master and revision 1's.
func renderedStreams(t *testing.T, c *client) StreamsView {
	t.Helper()
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 440)}, []string{"a.wav"}, http.StatusCreated, nil)
	c.waitJob(c.render())
	var v StreamsView
	c.do("GET", c.p("/streams?master=main.wav&rev=1"), nil, "", http.StatusOK, &v)
	if v.Master == nil || len(v.Revisions) != 1 {
		t.Fatalf("streams %+v", v)
	}
	return v
}

func TestStreamRenderedWAVDirect(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	v := renderedStreams(t, c)
	// The fake renderer's main.wav: 4800 frames of a 1 kHz sine at
	// -20 dBFS, 24-bit; its figures say -14 LUFS.
	if v.Master.Frames != 4800 || v.Master.SampleRate != 48000 || v.Master.SourceRate != 48000 || v.Master.LUFS == nil || *v.Master.LUFS != -14 || v.Master.Segments != 1 {
		t.Fatalf("master stream %+v", v.Master)
	}
	seg := c.do("GET", v.Master.URL+"/0", nil, "", http.StatusOK, nil)
	got, info := audiotest.Decode(t, seg)
	if f := info.Format; f.BitDepth != 24 || f.Channels != 2 {
		t.Errorf("segment format %+v, want the master's own 24-bit stereo", f)
	}
	want, _ := audiotest.Decode(t, c.do("GET", c.p("/outputs/main.wav"), nil, "", http.StatusOK, nil))
	if n := got.Frames(); n != 4800 || !slices.Equal(got.Data[0], want.Data[0]) || !slices.Equal(got.Data[1], want.Data[1]) {
		t.Errorf("segment 0 (%d frames) differs from main.wav's samples", n)
	}
	rs := c.do("GET", v.Revisions[0].URL+"/0", nil, "", http.StatusOK, nil)
	if !bytes.Equal(rs, seg) {
		t.Error("revision 1's stream differs from the current master's")
	}
	// The page compares two revisions, in the order asked, the same one
	// twice too; 2,500 in one query took 4 s and answered 645 kB.
	var two StreamsView
	c.do("GET", c.p("/streams?rev=1&rev=1"), nil, "", http.StatusOK, &two)
	if len(two.Revisions) != 2 {
		t.Errorf("rev=1&rev=1: %d revisions, want 2", len(two.Revisions))
	}
	var e struct{ Error struct{ Code, Field string } }
	c.do("GET", c.p("/streams?"+strings.Repeat("rev=1&", maxStreamRevisions+1)), nil, "", http.StatusBadRequest, &e)
	if e.Error.Field != "rev" {
		t.Errorf("%d revisions at once: %+v, want 400 on rev", maxStreamRevisions+1, e.Error)
	}
}

// TestStreamRendered96kMasterAt48k: a master above 48 kHz streams as an
// upload does, converted to service.PreviewRate with its own rate told and
// the report's loudness, not as the file's own 96 kHz samples.
func TestStreamRendered96kMasterAt48k(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.renderer.mu.Lock()
	b.renderer.rate = 96000
	b.renderer.mu.Unlock()
	c := b.newProject(t)
	v := renderedStreams(t, c)
	// The fake renderer's main.wav: 4800 frames of a 1 kHz sine at
	// -20 dBFS, here at 96 kHz; its figures say -14 LUFS.
	for _, si := range []*StreamInfo{v.Master, v.Revisions[0]} {
		if si.SampleRate != 48000 || si.SourceRate != 96000 || si.Frames != 2400 || si.SegmentFrames != SegmentS*48000 || si.LUFS == nil || *si.LUFS != -14 {
			t.Fatalf("%s stream %+v, want 2400 frames at 48 kHz from 96 kHz at -14 LUFS", si.Kind, si)
		}
		got, info := audiotest.Decode(t, c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil))
		n := got.Frames()
		// Away from the edges the converted sine keeps its level (-20 dBFS).
		peak := loudness.PeakAbs(got.Data[0][n/4 : 3*n/4])
		if info.Format.SampleRate != 48000 || n != 2400 || math.Abs(float64(peak)-0.1) > 0.002 {
			t.Errorf("%s segment 0: %d frames at %d Hz peaking at %v, want 2400 at 48 kHz peaking at 0.1", si.Kind, n, info.Format.SampleRate, peak)
		}
	}
}

// TestParseDirectWAVStreamed: a data size a streaming writer leaves (0 or
// 0xFFFFFFFF, the samples behind it) is no direct read (it streamed no
// frames), and a size that counts frames is one.
func TestParseDirectWAVStreamed(t *testing.T) {
	t.Parallel()
	withSize := func(size uint32) []byte {
		head := append(wavHeader(48000, 1, 32, true, 10), make([]byte, 40)...)
		binary.LittleEndian.PutUint32(head[40:], size)
		return head
	}
	for _, size := range []uint32{0, 0xFFFFFFFF} {
		if d, err := parseDirectWAV(withSize(size)); err == nil {
			t.Errorf("data size %#x read directly as %+v", size, d)
		}
	}
	if d, err := parseDirectWAV(withSize(40)); err != nil || d.frames != 10 {
		t.Errorf("data size 40: %+v, %v; want 10 frames read directly", d, err)
	}
}

func FuzzParseDirectWAV(f *testing.F) {
	f.Add(append(wavHeader(48000, 2, 24, false, 10), make([]byte, 60)...))
	f.Add(append(wavHeader(44100, 1, 32, true, 3), make([]byte, 12)...))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, head []byte) {
		d, err := parseDirectWAV(head)
		if err != nil {
			return
		}
		if d.dataOffset < 12 || d.dataOffset > int64(len(head)) || d.frames < 0 || d.channels < 1 || d.channels > 2 || d.rate <= 0 {
			t.Fatalf("accepted %+v", d)
		}
	})
}

func TestDownloadsNamedAfterTheSong(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 440)}, []string{"a.wav"}, http.StatusCreated, nil)
	c.waitJob(c.render())
	// named checks the name a download at path is given, whole and in
	// part (a resumed download).
	named := func(path, want string) {
		t.Helper()
		for _, rng := range []string{"", "bytes=1-"} {
			req := c.request("GET", c.p(path), nil, "")
			if rng != "" {
				req.Header.Set("Range", rng)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Content-Disposition"); got != want {
				t.Errorf("%s, range %q: %d %s, want %s", path, rng, res.StatusCode, got, want)
			}
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"", `attachment; filename="main.wav"`},
		{"?title=My%20Song", `attachment; filename="My Song - main.wav"`},
		{`?title=..%2F..%2Fevil%22%0D%0AX:%20y`, `attachment; filename="evil_X_ y - main.wav"`},
		// Any script, in filename* for the browsers, an ASCII stand-in
		// for the rest.
		{"?title=%C3%9Cberkopf%20%E2%80%93%20Demo", `attachment; filename="_berkopf _ Demo - main.wav"; filename*=UTF-8''%C3%9Cberkopf%20%E2%80%93%20Demo%20-%20main.wav`},
	} {
		named("/outputs/main.wav"+tc.query, tc.want)
	}
	data := c.do("GET", c.p("/outputs.zip?title=My%20Song"), nil, "", http.StatusOK, nil)
	if !bytes.Contains(data, []byte("My Song - main.wav")) {
		t.Error("the zip's files are not named after the song")
	}
	// HEAD answers the zip's headers without building it (a recorder
	// keeps what the handler writes, which net/http drops for HEAD).
	rec := httptest.NewRecorder()
	b.srv.ServeHTTP(rec, c.request("HEAD", c.p("/outputs.zip?title=My%20Song"), nil, ""))
	if got := rec.Header().Get("Content-Disposition"); rec.Code != http.StatusOK || got != `attachment; filename="My Song.zip"` || rec.Body.Len() != 0 {
		t.Errorf("HEAD outputs.zip: %d, %s, %d bytes written; want 200, the GET's name and the zip not built", rec.Code, got, rec.Body.Len())
	}
	// A second revision: every download says which it is of, as the
	// page's names do (results.js downloadName).
	var queued map[string]string
	c.do("POST", c.p("/render"), strings.NewReader(`{"note": "second"}`), "application/json", http.StatusAccepted, &queued)
	c.waitJob(queued["job"])
	named("/outputs/main.wav?title=My%20Song", `attachment; filename="My Song - main (revision 2).wav"`)
	named("/outputs/main.wav", `attachment; filename="main (revision 2).wav"`)
	named("/revisions/1/outputs/main.wav?title=My%20Song", `attachment; filename="My Song - main (revision 1).wav"`)
	named("/revisions/2/outputs/report.json", `attachment; filename="report (revision 2).json"`)
	named("/outputs.zip?title=My%20Song", `attachment; filename="My Song (revision 2).zip"`)
	named("/outputs.zip", `attachment; filename="stemmaster-`+c.id[:8]+` (revision 2).zip"`)
}

func TestSumLoudness(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	// Two identical 1 kHz sines at -12 dBFS peak: each -12 LUFS (see
	// TestStreamSegments); in phase they sum to +6 dB, against each
	// other to silence, one delayed by half a period (24 frames at
	// 1 kHz, 48 kHz) also to silence but for the 24 frames at either end
	// where one plays alone (about -41 LUFS in the first 400 ms block).
	w := wavBytes(t, 40000, 1000)
	c.upload("stems", map[string][]byte{"a.wav": w, "b.wav": w}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	for _, tc := range []struct {
		session string
		want    float64 // NaN: silence
	}{
		{`{"stems": [{"file": "a.wav"}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav"}]}`, -6},
		{`{"stems": [{"file": "a.wav", "gain_db": -6}, {"file": "b.wav", "gain_db": -6}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "mute": true}]}`, -12},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "inverted"}]}`, math.NaN()},
		// One channel against the other: the left doubles (+6 dB), the
		// right cancels, +3 dB in all.
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "right_inverted"}]}`, -9},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "polarity": "left_inverted", "swap_channels": true}]}`, -9},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": 24}]}`, math.NaN()},
		{`{"stems": [{"file": "a.wav"}, {"file": "b.wav", "offset_samples": -24}]}`, math.NaN()},
	} {
		var res struct {
			LUFS *float64 `json:"integrated_lufs"`
		}
		c.do("POST", c.p("/sum-loudness"), strings.NewReader(tc.session), "application/json", http.StatusOK, &res)
		switch {
		case math.IsNaN(tc.want):
			if res.LUFS != nil && *res.LUFS > -38 {
				t.Errorf("%s: %.2f LUFS, want silence (below -38)", tc.session, *res.LUFS)
			}
		case res.LUFS == nil || math.Abs(*res.LUFS-tc.want) > 0.2:
			t.Errorf("%s: %v LUFS, want %.1f ± 0.2", tc.session, res.LUFS, tc.want)
		}
	}
	c.do("POST", c.p("/sum-loudness"), strings.NewReader(`{"stems": [{"file": "nope.wav"}]}`), "application/json", http.StatusNotFound, nil)
}

func TestSongTitleKeptWithTheProject(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	var got titleBody
	c.do("GET", c.p("/title"), nil, "", http.StatusOK, &got)
	if got.Title != "" {
		t.Fatalf("a new project's title is %q, want none", got.Title)
	}
	for _, tc := range []struct{ put, want string }{
		{"  Café / AC\u0007DC  ", "Café / ACDC"},
		{strings.Repeat("é", 100), strings.Repeat("é", 80)},
		{"My Song", "My Song"},
	} {
		body, _ := json.Marshal(titleBody{Title: tc.put})
		c.do("PUT", c.p("/title"), bytes.NewReader(body), "application/json", http.StatusOK, &got)
		if got.Title != tc.want {
			t.Errorf("PUT %q answered %q, want %q", tc.put, got.Title, tc.want)
		}
		// Another client (another browser) reads the same title.
		var other titleBody
		c.do("GET", c.p("/title"), nil, "", http.StatusOK, &other)
		if other.Title != tc.want {
			t.Errorf("after PUT %q, GET says %q, want %q", tc.put, other.Title, tc.want)
		}
	}
	c.do("PUT", c.p("/title"), strings.NewReader(`{"title": ""}`), "application/json", http.StatusOK, &got)
	c.do("GET", c.p("/title"), nil, "", http.StatusOK, &got)
	if got.Title != "" {
		t.Errorf("cleared title reads %q", got.Title)
	}
	c.do("PUT", c.p("/title"), strings.NewReader(`not json`), "application/json", http.StatusBadRequest, nil)
	// A title that cleans down to nothing (a lone surrogate, which JSON
	// decodes to U+FFFD; invalid bytes; control characters) is refused
	// naming the problem, and the title already set stands.
	c.do("PUT", c.p("/title"), strings.NewReader(`{"title": "My Song"}`), "application/json", http.StatusOK, &got)
	for _, body := range []string{`{"title": "\ud800"}`, "{\"title\": \"\xff\xfe\"}", `{"title": " \u0007\ufffd "}`} {
		var e apiError
		c.do("PUT", c.p("/title"), strings.NewReader(body), "application/json", http.StatusBadRequest, &e)
		if e.Error.Code != "bad_title" || !strings.Contains(e.Error.Message, "title") {
			t.Errorf("PUT %s: %+v, want bad_title naming the title", body, e.Error)
		}
		c.do("GET", c.p("/title"), nil, "", http.StatusOK, &got)
		if got.Title != "My Song" {
			t.Errorf("after the refused PUT %s the title reads %q, want My Song kept", body, got.Title)
		}
	}
	// Another project's token cannot read or set it.
	d := b.newProject(t)
	d.id = c.id
	d.do("GET", d.p("/title"), nil, "", http.StatusForbidden, nil)
}

// TestRetentionWords: the page says how long projects are kept in the
// words a musician reads ("deleted 7 days after they are made"); it said
// "after the retention period", a term with no figure.
func TestRetentionWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7 * 24 * time.Hour: "7 days", 24 * time.Hour: "1 day", 36 * time.Hour: "36 hours",
		time.Hour: "1 hour", 90 * time.Minute: "1 hour 30 minutes", 25*time.Hour + 59*time.Minute: "25 hours 59 minutes", 30 * time.Minute: "30 minutes", 10 * time.Second: "1 minute",
	} {
		if got := retentionWords(d); got != want {
			t.Errorf("retentionWords(%v) = %q, want %q", d, got, want)
		}
	}
	b := setup(t)
	if !strings.Contains(getText(t, b.url+"/"), `<span id="retention">7 days</span> after they are made`) {
		t.Errorf("the page does not say projects are kept 7 days (the default retention)")
	}
}

// getText is the body of a GET of url.
func getText(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return buf.String()
}
