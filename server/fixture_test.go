package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
	"stemmaster/jobs"
	"stemmaster/service"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// testBundle is one server with its store and an embedded River queue, as
// `stemmaster serve` wires them, but with a fake renderer and checker.
type testBundle struct {
	url      string
	meta     *store.SQL
	blobs    *store.Blobs
	renderer *fakeRenderer
	limits   Limits
	srv      *Server
}

type fakeRenderer struct {
	mu   sync.Mutex
	fail error
	// block, when set, holds the render until closed.
	block chan struct{}
	// findings go into the report, as the engine puts its check's there.
	findings []stemmaster.Finding
	// rate is main.wav's sample rate; 0 is 48 kHz.
	rate int
}

// Render writes main.wav (the first stem scaled by the stem gain the
// session gives it, so tests can see the session was used), a picture and
// report.json.
func (f *fakeRenderer) Render(ctx context.Context, in service.RenderInput) (*stemmaster.Report, error) {
	f.mu.Lock()
	fail, block, findings, rate := f.fail, f.block, f.findings, cmp.Or(f.rate, 48000)
	f.mu.Unlock()
	in.Progress("stems", 0.5)
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	if len(in.Session.Stems) == 0 {
		return nil, fmt.Errorf("fake renderer: a session without stems")
	}
	buf := audiotest.Sine(float64(rate), 2, 4800, 1000, -20+in.Session.Stems[0].GainDB, 0)
	if err := audiotest.Write(filepath.Join(in.OutDir, "main.wav"), "wav", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, buf); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(in.OutDir, "waveform.png"), pngStub, 0o644); err != nil {
		return nil, err
	}
	rep := []byte(`{"sum":{"integrated_lufs":-20}}`)
	if err := os.WriteFile(filepath.Join(in.OutDir, "report.json"), rep, 0o644); err != nil {
		return nil, err
	}
	return &stemmaster.Report{Sum: stemmaster.Measurement{IntegratedLUFS: -20}, Findings: findings,
		Outputs: []stemmaster.OutputReport{{File: "main.wav", Measurement: stemmaster.Measurement{IntegratedLUFS: -14, TruePeakDBTP: -1}}}}, nil
}

// pngStub is the 8-byte PNG signature: enough for a download test.
var pngStub = []byte("\x89PNG\r\n\x1a\n")

type fakeChecker struct{}

func (fakeChecker) Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	name := stems[0] // a full path: the runner must scrub it
	return &stemmaster.CheckReport{Stems: []stemmaster.StemReport{},
		Findings: []stemmaster.Finding{{Code: "bit_depth_low", Severity: stemmaster.SeverityWarning, File: name, Message: name + " is 16-bit"}},
		Advice:   &stemmaster.Advice{Service: stemmaster.ServiceStemMastering, Reasons: []string{"test"}}}, nil
}

func setup(t *testing.T) *testBundle { t.Helper(); return setupWith(t, nil) }

// setupWith is setup with the server's Config changed by edit.
func setupWith(t *testing.T, edit func(*Config)) *testBundle {
	t.Helper()
	return setupListening(t, edit, nil)
}

// setupListening is setupWith with the test server's listener wrapped by
// wrap (nil: as it is).
func setupListening(t *testing.T, edit func(*Config), wrap func(net.Listener) net.Listener) *testBundle {
	t.Helper()
	ctx := context.Background()
	dir, meta, blobs := storetest.Open(t)
	fr := &fakeRenderer{}
	runner := &service.Runner{Meta: meta, Blobs: blobs, Renderer: fr, Checker: fakeChecker{}, WorkDir: dir, Logger: testLogger(t),
		ProgressInterval: time.Millisecond}
	q, err := jobs.OpenSQLiteQueue(ctx, filepath.Join(dir, "river.sqlite"), runner, jobs.QueueOptions{Work: true, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	limits := Limits{MaxFileBytes: 300_000, MaxTotalBytes: 700_000, MaxFiles: 4}
	cfg := Config{Meta: meta, Blobs: blobs, Queue: q, Limits: limits, TempDir: dir,
		Quote:            func(q QuoteRequest) any { return map[string]any{"total": 100 + 10*q.Stems, "currency": "EUR"} },
		CreatesPerMinute: 1000, Logger: testLogger(t)}
	if edit != nil {
		edit(&cfg)
	}
	limits = cfg.Limits
	srv := New(cfg)
	hs := httptest.NewUnstartedServer(srv)
	hs.Config = NewHTTPServer(srv)
	if wrap != nil {
		hs.Listener = wrap(hs.Listener)
	}
	hs.Listener = LimitListener(hs.Listener, DefaultConnsPerClient, DefaultMaxConnsTotal)
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Stop(sctx)
		q.Close()
	})
	return &testBundle{url: hs.URL, meta: meta, blobs: blobs, renderer: fr, limits: limits, srv: srv}
}

// wavBytes returns a 48 kHz 24-bit stereo WAV of a sine.
func wavBytes(t *testing.T, frames int, freq float64) []byte {
	t.Helper()
	return wavOf(t, audiotest.Sine(48000, 2, frames, freq, -12, 0))
}

// wavOf returns the bytes of b as a 48 kHz 24-bit WAV file.
func wavOf(t *testing.T, b *audio.Buffer) []byte {
	t.Helper()
	return testkit.ReadFile(t, audiotest.WriteWAV(t, t.TempDir(), "x.wav", b, 48000, 24))
}

// withRate returns a copy of a 24-bit stereo WAV whose fmt chunk claims
// another sample rate (and the matching byte rate): a file that decodes but
// that stemmaster cannot meter or render.
func withRate(wav []byte, rate uint32) []byte {
	out := bytes.Clone(wav)
	i := bytes.Index(out, []byte("fmt "))
	binary.LittleEndian.PutUint32(out[i+12:], rate)
	binary.LittleEndian.PutUint32(out[i+16:], rate*2*3)
	return out
}

type client struct {
	t     *testing.T
	base  string
	id    string
	token string
}

func (b *testBundle) newProject(t *testing.T) *client {
	t.Helper()
	c := &client{t: t, base: b.url}
	var res struct{ ID, Token string }
	c.do("POST", "/api/projects", strings.NewReader("{}"), "application/json", http.StatusCreated, &res)
	if len(res.ID) != 32 || len(res.Token) != 64 {
		t.Fatalf("project id %q token %q: want 128-bit id and 256-bit token in hex", res.ID, res.Token)
	}
	c.id, c.token = res.ID, res.Token
	return c
}

// do sends a request and checks the status; out, when not nil, receives
// the decoded JSON body. It returns the raw body.
// request builds a request of the project's client: its token, and ctype
// when not empty.
func (c *client) request(method, path string, body io.Reader, ctype string) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req
}

// send sends req (from any goroutine) and returns the answer's status and
// body; 0 when it could not be sent.
func send(t *testing.T, req *http.Request) (int, []byte) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

// render queues a render and returns its job id.
func (c *client) render() string {
	c.t.Helper()
	var queued map[string]string
	c.do("POST", c.p("/render"), nil, "", http.StatusAccepted, &queued)
	return queued["job"]
}

// blockRenders holds every render until the returned channel is closed.
func (b *testBundle) blockRenders() chan struct{} {
	block := make(chan struct{})
	b.renderer.mu.Lock()
	b.renderer.block = block
	b.renderer.mu.Unlock()
	return block
}

func (c *client) do(method, path string, body io.Reader, ctype string, want int, out any) []byte {
	c.t.Helper()
	req := c.request(method, path, body, ctype)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, res.StatusCode, want, data)
	}
	if res.StatusCode >= 400 || strings.Contains(path, "/jobs/") {
		checkNoLeak(c.t, string(data))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return data
}

func (c *client) p(suffix string) string { return "/api/projects/" + c.id + suffix }

// multipartBody builds a multipart body with the given files in field "file".
func multipartBody(files map[string][]byte, order ...string) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, name := range order {
		w, _ := mw.CreateFormFile("file", name)
		w.Write(files[name])
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (c *client) upload(kind string, files map[string][]byte, order []string, want int, out any) []byte {
	body, ctype := multipartBody(files, order...)
	return c.do("POST", c.p("/"+kind), body, ctype, want, out)
}

func (c *client) waitJob(job string) JobView {
	c.t.Helper()
	// Generous: the package's tests render side by side, under -race, on
	// a machine others load too; only a hung job takes this long.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var j JobView
		c.do("GET", c.p("/jobs/"+job), nil, "", http.StatusOK, &j)
		if j.State == store.StateDone || j.State == store.StateFailed {
			return j
		}
		time.Sleep(30 * time.Millisecond)
	}
	c.t.Fatalf("job %s did not finish in 2 min", job)
	return JobView{}
}

// newTwoStemProject makes a project holding drums.wav and bass.wav as
// stems and mix.wav as the mix, all the same short tone.
func (b *testBundle) newTwoStemProject(t *testing.T) *client {
	t.Helper()
	c := b.newProject(t)
	w := wavBytes(t, 4800, 440)
	c.upload("stems", map[string][]byte{"drums.wav": w, "bass.wav": w}, []string{"drums.wav", "bass.wav"}, http.StatusCreated, nil)
	c.upload("mix", map[string][]byte{"mix.wav": w}, []string{"mix.wav"}, http.StatusCreated, nil)
	return c
}

// newDrumsProject makes a project holding one stem, drums.wav: frames
// frames of a 100 Hz tone.
func (b *testBundle) newDrumsProject(t *testing.T, frames int) *client {
	t.Helper()
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, frames, 100)}, []string{"drums.wav"}, http.StatusCreated, nil)
	return c
}

// offsetAndPolarity are the check's two blocking errors on the project of
// newTwoStemProject, each with a fix the session can apply: drums.wav
// late against the mix and bass.wav inverted.
func offsetAndPolarity() []stemmaster.Finding {
	return []stemmaster.Finding{
		{Code: "offset", Severity: "error", File: "drums.wav", Message: "drums.wav starts 1000 samples (20.8 ms) late against the mix",
			Fix: "export it again from the session start (the mix's start point), or set offset_samples: -1000 for drums.wav in the session"},
		{Code: "polarity_inverted", Severity: "error", File: "bass.wav", Message: "bass.wav has its polarity inverted against the mix",
			Fix: "export it again without the polarity flip, or set polarity: inverted for bass.wav in the session"},
	}
}

// setCheck stores a check report of findings as the check job would.
func setCheck(t *testing.T, b *testBundle, c *client, findings []stemmaster.Finding) {
	t.Helper()
	storeCheck(t, b, c, stemmaster.CheckReport{Findings: findings})
}

// storeCheck stores rep as the project's check report.
func storeCheck(t *testing.T, b *testBundle, c *client, rep stemmaster.CheckReport) {
	t.Helper()
	js, _ := json.Marshal(rep)
	if err := b.meta.SetCheck(context.Background(), c.id, "", js); err != nil {
		t.Fatal(err)
	}
}

// waitPreviews returns once no preview of the project's files is pending,
// waiting for each as a stream request waits for its file's
// (previewQueue.wait).
func (b *testBundle) waitPreviews(t *testing.T, projectID string) {
	t.Helper()
	ctx := context.Background()
	files, err := b.srv.projects.Files(ctx, projectID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := b.srv.previews.wait(ctx, f.BlobKey); err != nil {
			t.Fatal(err)
		}
	}
}
