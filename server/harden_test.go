package server

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"stemmaster/audio"
	_ "stemmaster/audio/flac"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
	"stemmaster/service"
)

// testLogger logs into the test's output (seen with -v or on failure).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testkit.LogWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// leak matches what a client must never see: server paths, storage keys,
// database URLs.
var leak = regexp.MustCompile(`(?:^|[\s"'(=])/(?:tmp|home|srv|var|work|root|usr)/|projects/[0-9a-f]{32}/|postgres(?:ql)?://|sqlite:|file://`)

func checkNoLeak(t *testing.T, body string) {
	t.Helper()
	if m := leak.FindString(body); m != "" || strings.Contains(body, os.TempDir()+"/") {
		t.Errorf("an answer leaks a server path, key or URL (%q): %s", m, body)
	}
}

func TestSessionBounds(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, 4800, 100)}, []string{"drums.wav"}, 201, nil)
	outs := make([]string, 9)
	for i := range outs {
		outs[i] = fmt.Sprintf(`{"format":"wav","bit_depth":24,"suffix":"s%d"}`, i)
	}
	bands := strings.TrimSuffix(strings.Repeat(`{"type":"peak","freq_hz":1000,"gain_db":1,"q":1},`, 17), ",")
	cases := []struct {
		name, session string
		status        int
		field, kind   string
	}{
		{"9 outputs", `{"stems":[{"file":"drums.wav"}],"outputs":[` + strings.Join(outs, ",") + `]}`, 422, "outputs", "too_many"},
		{"17 EQ bands on a stem", `{"stems":[{"file":"drums.wav","eq":[` + bands + `]}]}`, 422, "stems[0].eq", "too_many"},
		{"17 EQ bands on the master", `{"stems":[{"file":"drums.wav"}],"master":{"eq":[` + bands + `]}}`, 422, "master.eq", "too_many"},
		{"version twice", `{"stems":[{"file":"drums.wav"}],"versions":["main","tv","main"]}`, 422, "versions[2]", "duplicate"},
		{"unknown version", `{"stems":[{"file":"drums.wav"}],"versions":["karaoke"]}`, 422, "versions[0]", "invalid"},
		{"five versions", `{"stems":[{"file":"drums.wav"}],"versions":["main","tv","instrumental","a_cappella","main"]}`, 422, "versions", "too_many"},
		{"stem not uploaded", `{"stems":[{"file":"bass.wav"}]}`, 422, "stems[0].file", "no_file"},
		{"unknown field", `{"stems":[{"file":"drums.wav","gian_db":1}]}`, 422, "stems[0]", "unknown_field"},
		{"over 64 KiB", `{"stems":[{"file":"drums.wav"}],"x":"` + strings.Repeat("a", 65<<10) + `"}`, 413, "session", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			c.t = t
			c.do("PUT", c.p("/session"), strings.NewReader(tc.session), "application/json", tc.status, &e)
			if e.Error.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", e.Error.Field, tc.field, e.Error.Message)
			}
			if tc.kind != "" && (len(e.Error.Fields) == 0 || e.Error.Fields[0].Kind != tc.kind) {
				t.Errorf("fields %+v, want the first of kind %s", e.Error.Fields, tc.kind)
			}
		})
	}
	// 8 outputs and 16 bands are within the bounds.
	ok := `{"stems":[{"file":"drums.wav","eq":[` + strings.TrimSuffix(strings.Repeat(`{"type":"peak","freq_hz":1000,"gain_db":1,"q":1},`, 16), ",") +
		`]}],"outputs":[` + strings.Join(outs[:8], ",") + `],"versions":["main","instrumental","a_cappella","tv"]}`
	c.t = t
	c.do("PUT", c.p("/session"), strings.NewReader(ok), "application/json", 200, nil)
}

// TestUploadQuotaRace sends 10 uploads at once against a 3-file limit.
func TestUploadQuotaRace(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.Limits = Limits{MaxFileBytes: 1 << 20, MaxTotalBytes: 8 << 20, MaxFiles: 3} })
	c := b.newProject(t)
	wav := wavBytes(t, 4800, 100)
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("stem%d.wav", i)
			body, ctype := multipartBody(map[string][]byte{name: wav}, name)
			var data []byte
			codes[i], data = send(t, c.request("POST", c.p("/stems"), body, ctype))
			if codes[i] != 201 && codes[i] != 413 {
				t.Errorf("upload %d: %d %s", i, codes[i], data)
			}
		}()
	}
	wg.Wait()
	var p ProjectView
	c.do("GET", c.p(""), nil, "", 200, &p)
	created := 0
	for _, code := range codes {
		if code == 201 {
			created++
		}
	}
	if len(p.Stems) > 3 || created != len(p.Stems) {
		t.Errorf("%d stems stored, %d answered 201 (codes %v); want at most 3, and as many as answered 201", len(p.Stems), created, codes)
	}
	// Each stored stem has its blob and its live-mixer preview beside it
	// (streamKey); a refused upload leaves neither.
	keys, _ := b.blobs.Keys(context.Background(), "projects/")
	files := map[string]bool{}
	for _, k := range keys {
		if !strings.Contains(k, ".preview.") {
			files[k] = true
		}
	}
	for _, k := range keys {
		if src, _, ok := strings.Cut(k, ".preview."); ok && !files[src] {
			t.Errorf("preview %s has no stem beside it", k)
		}
	}
	if len(files) != len(p.Stems) {
		t.Errorf("%d blobs stored for %d stems: refused uploads left their blobs", len(files), len(p.Stems))
	}
	t.Logf("quota race: 10 concurrent uploads against a 3-file limit: %d stored, codes %v", len(p.Stems), codes)
}

func TestNameConflicts(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	wav := wavBytes(t, 4800, 100)
	c.upload("stems", map[string][]byte{"dr*ms.wav": wav}, []string{"dr*ms.wav"}, 201, nil)
	for _, other := range []string{"dr?ms.wav", "dr_ms.wav"} { // another character replaced, the stored name itself
		var e apiError
		c.upload("stems", map[string][]byte{other: wav}, []string{other}, 409, &e)
		if !strings.Contains(e.Error.Message, "dr*ms.wav") || !strings.Contains(e.Error.Message, other) || e.Error.Code != "name_taken" {
			t.Errorf("%s: %+v, want 409 naming both files", other, e.Error)
		}
	}
	// A name that reads as a stored one once compatibility forms are
	// folded (NFKC: full width, a Roman numeral fifty for an l) is that
	// name's conflict: two strips no one could tell apart.
	c.upload("stems", map[string][]byte{"full.wav": wav}, []string{"full.wav"}, 201, nil)
	for _, other := range []string{"\uff46\uff55\uff4c\uff4c.wav", "fu\u217cl.wav"} {
		var e apiError
		c.upload("stems", map[string][]byte{other: wav}, []string{other}, 409, &e)
		if !strings.Contains(e.Error.Message, "full.wav") || !strings.Contains(e.Error.Message, other) || e.Error.Code != "name_taken" {
			t.Errorf("%s: %+v, want 409 naming both files", other, e.Error)
		}
	}
	// Names differing only in letter case are one file on macOS and
	// Windows: unzipped there, outputs.zip or the stems folder kept one.
	for _, other := range []string{"Full.wav", "FULL.WAV"} {
		var e apiError
		c.upload("stems", map[string][]byte{other: wav}, []string{other}, 409, &e)
		if !strings.Contains(e.Error.Message, "full.wav") || !strings.Contains(e.Error.Message, other) || !strings.Contains(e.Error.Message, "letter case") || e.Error.Code != "name_taken" {
			t.Errorf("%s: %+v, want 409 naming both files and the case", other, e.Error)
		}
	}
	c.do("DELETE", c.p("/stems/full.wav"), nil, "", 204, nil)
	// Letters of any script are names of their own; the same name
	// decomposed (as a Mac sends it) is the same file again, and replaces
	// it, as the same file again does.
	var up struct{ Files []FileInfo }
	c.upload("stems", map[string][]byte{"drüms.wav": wav}, []string{"drüms.wav"}, 201, nil)
	c.upload("stems", map[string][]byte{"dru\u0308ms.wav": wav}, []string{"dru\u0308ms.wav"}, 201, &up)
	if len(up.Files) != 1 || up.Files[0].Name != "drüms.wav" {
		t.Errorf("the decomposed name stored as %+v, want drüms.wav composed", up.Files)
	}
	c.upload("stems", map[string][]byte{"drüms.wav": wav}, []string{"drüms.wav"}, 201, nil)
	// A path naming it decomposed names it too: its preview, and its
	// deletion (checked at the end).
	c.do("GET", c.p("/stream/stem/"+url.PathEscape("dru\u0308ms.wav")+"/0"), nil, "", 200, nil)
	// And a session naming it so.
	c.do("PUT", c.p("/session"), strings.NewReader(`{"stems":[{"file":"dru\u0308ms.wav","gain_db":-2}]}`), "application/json", 200, nil)
	// Two parts of one name in one request.
	var e apiError
	body, ctype := multipartBody(map[string][]byte{"bass.wav": wav}, "bass.wav", "bass.wav")
	c.do("POST", c.p("/stems"), body, ctype, 409, &e)
	if e.Error.Code != "duplicate_name" {
		t.Errorf("duplicate parts: %+v", e.Error)
	}
	// A stem's name is not free for the mix either.
	c.upload("mix", map[string][]byte{"drüms.wav": wav}, []string{"drüms.wav"}, 409, nil)
	var p ProjectView
	c.do("GET", c.p(""), nil, "", 200, &p)
	if len(p.Stems) != 3 || p.Mix != nil {
		t.Errorf("project holds %+v, mix %+v; want dr_ms, drüms and the first bass", p.Stems, p.Mix)
	}
	c.do("DELETE", c.p("/stems/"+url.PathEscape("dru\u0308ms.wav")), nil, "", 204, nil)
}

// TestUploadRefusesWhatRenderRefuses uploads files that decode but that no
// render could use.
func TestUploadRefusesWhatRenderRefuses(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	dir := t.TempDir()
	three := filepath.Join(dir, "surround.wav")
	audiotest.WriteFile(t, three, "wav", audio.Format{SampleRate: 48000, Channels: 3, BitDepth: 16, SampleFormat: audio.Int}, audiotest.Sine(48000, 3, 480, 100, -12, 0))
	flac := filepath.Join(dir, "huge.flac")
	audiotest.WriteFile(t, flac, "flac", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, audiotest.Sine(48000, 2, 4800, 100, -12, 0))
	data, _ := os.ReadFile(flac)
	// STREAMINFO's 36-bit total sample count: claim 2^36 - 1 samples.
	v := binary.BigEndian.Uint64(data[18:26])
	binary.BigEndian.PutUint64(data[18:26], v|(1<<36-1))
	threeData, _ := os.ReadFile(three)
	for _, tc := range []struct {
		name   string
		data   []byte
		status int
		code   string
	}{
		{"surround.wav", threeData, 422, "unsupported_channels"},
		{"huge.flac", data, 422, "too_long"},
		{"odd-rate.wav", withRate(wavBytes(t, 4800, 100), 44100), 201, ""},
		{"fast.wav", withRate(wavBytes(t, 4800, 100), 768000), 415, "unsupported_rate"},
	} {
		var e apiError
		if tc.code == "" {
			c.upload("stems", map[string][]byte{tc.name: tc.data}, []string{tc.name}, tc.status, nil)
			continue
		}
		c.upload("stems", map[string][]byte{tc.name: tc.data}, []string{tc.name}, tc.status, &e)
		if e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.name) {
			t.Errorf("%s: %+v, want %s naming the file", tc.name, e.Error, tc.code)
		}
	}
	// A stem at another rate is taken: the check reports it and the
	// session's resample converts it (TestStemCorrectionApplies).
	c.upload("stems", map[string][]byte{"other-rate.wav": wavBytes(t, 4800, 100)}, []string{"other-rate.wav"}, 201, nil)
}

// fakeDisk is the server's disk with the free space a test sets.
type fakeDisk struct {
	mu   sync.Mutex
	free uint64
}

func (d *fakeDisk) FreeBytes() (uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.free, nil
}

func (d *fakeDisk) set(free uint64) {
	d.mu.Lock()
	d.free = free
	d.mu.Unlock()
}

func TestProjectCreationGuards(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) {
		c.CreatesPerMinute = 10
		c.MaxProjects = 12
		c.MinFreeBytes = 1 << 30
		c.FreeBytes = (&fakeDisk{free: 10 << 30}).FreeBytes
	})
	post := func(ctype, body string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", b.url+"/api/projects", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(data)
	}
	// A cross-site form can send these; none creates a project.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		if res, body := post(ct, `{"demo":true}`); res.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d %s, want 415", ct, res.StatusCode, body)
		}
	}
	for i := 1; i <= 10; i++ {
		if res, body := post("application/json", "{}"); res.StatusCode != 201 {
			t.Fatalf("creation %d: %d %s", i, res.StatusCode, body)
		}
	}
	res, body := post("application/json; charset=utf-8", "{}")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("11th creation in a minute: %d (Retry-After %q) %s, want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	t.Logf("11th creation in a minute: %d, Retry-After %s s", res.StatusCode, res.Header.Get("Retry-After"))
}

// TestDiskFullAnswers507: a disk that fills under the server (the
// watermark off, or outrun) is told as disk_full, not blamed on the
// client's body, never with the server's path, and not as a fault of the
// code: the spool file that cannot be written, and a store (SQLite, a
// local blob) that says the disk is full.
func TestDiskFullAnswers507(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	b := setup(t)
	sp := b.srv.spools.begin()
	defer sp.end()
	_, err = b.srv.spoolBody(context.Background(), sp, full, strings.NewReader("RIFF....WAVE"), 1<<20, "x.wav")
	if ue, ok := err.(*uploadError); !ok || ue.status != http.StatusInsufficientStorage || ue.code != "disk_full" {
		t.Errorf("spooling onto a full disk: %#v, want 507 disk_full", err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("PUT", "/api/projects/x/title", nil)
	b.srv.internal(rec, req, fmt.Errorf("store: put k: %w", &os.PathError{Op: "write", Path: "/srv/blobs/k.tmp", Err: syscall.ENOSPC}))
	if rec.Code != http.StatusInsufficientStorage || !strings.Contains(rec.Body.String(), `"disk_full"`) {
		t.Errorf("a store write onto a full disk: %d %s, want 507 disk_full", rec.Code, rec.Body)
	}
	checkNoLeak(t, rec.Body.String())
}

func TestCapacity(t *testing.T) {
	t.Parallel()
	disk := &fakeDisk{free: 10 << 30}
	b := setupWith(t, func(c *Config) {
		c.MaxProjects = 2
		c.MinFreeBytes = 1 << 30
		c.FreeBytes = disk.FreeBytes
	})
	c := b.newProject(t)
	b.newProject(t)
	var e apiError
	c.do("POST", "/api/projects", strings.NewReader("{}"), "application/json", http.StatusInsufficientStorage, &e)
	if e.Error.Code != "too_many_projects" {
		t.Errorf("third project: %+v", e.Error)
	}
	disk.set(100 << 20)
	c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, 4800, 100)}, []string{"drums.wav"}, http.StatusInsufficientStorage, &e)
	if e.Error.Code != "disk_full" {
		t.Errorf("upload below the free-disk watermark: %+v", e.Error)
	}
}

// TestSlowBodiesAreCut opens 20 uploads that send one byte a second and
// checks that each is cut (408 or closed) within 60 s, while a normal GET
// answers in under 2 s meanwhile. It runs alone, before the parallel
// tests, so that their work cannot slow that GET.
func TestSlowBodiesAreCut(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the 20 s rate window; skipped with -short")
	}
	b := setup(t)
	c := b.newProject(t)
	addr := strings.TrimPrefix(b.url, "http://")
	const n = 20
	start := time.Now()
	results := make(chan string, n)
	for i := 0; i < n; i++ {
		go func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				results <- "dial: " + err.Error()
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n", c.p("/stems"), c.token)
			// One byte a second until the server answers or hangs up.
			got := make(chan string, 1)
			go func() {
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err != nil {
					got <- "closed"
					return
				}
				got <- strings.TrimSpace(line)
			}()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case r := <-got:
					results <- fmt.Sprintf("%s after %.0f s", r, time.Since(start).Seconds())
					return
				case <-tick.C:
					if time.Since(start) > 70*time.Second {
						results <- "still open after 70 s"
						return
					}
					conn.Write([]byte("x"))
				}
			}
		}()
	}
	time.Sleep(3 * time.Second)
	// The quickest of three GETs: one may meet a moment when a loaded
	// machine gives the server no CPU, while a server the slow uploads
	// hold up answers none of them quickly.
	var getTime time.Duration
	for i := range 3 {
		t0 := time.Now()
		c.do("GET", c.p(""), nil, "", 200, nil)
		if d := time.Since(t0); i == 0 || d < getTime {
			getTime = d
		}
	}
	if getTime > 2*time.Second {
		t.Errorf("GET during %d slow uploads took %v at best of three, want < 2 s", n, getTime)
	}
	if len(results) != 0 {
		t.Errorf("%d slow upload(s) ended before the GETs did: the GETs did not answer while all %d were in flight", len(results), n)
	}
	var worst time.Duration
	var first string
	for i := 0; i < n; i++ {
		r := <-results
		if first == "" {
			first = r
		}
		if !strings.HasPrefix(r, "HTTP/1.1 408") && !strings.HasPrefix(r, "closed") {
			t.Errorf("slow upload: %s, want 408 or a closed connection", r)
		}
		worst = max(worst, time.Since(start))
	}
	if worst > 60*time.Second {
		t.Errorf("slowest cut after %v, want within 60 s", worst)
	}
	t.Logf("%d uploads at 1 byte/s: all cut within %.1f s (first: %s); a GET meanwhile answered in %v", n, worst.Seconds(), first, getTime.Round(time.Millisecond))
}

// TestSlowReadsAreCut asks for a segment and reads none of it: the
// server must give up on the answer (its handler returns and the
// connection is closed) instead of holding the handler and the connection
// for as long as the client likes. Read at once, the same segment arrives
// whole.
func TestSlowReadsAreCut(t *testing.T) {
	t.Parallel()
	// The server's socket buffer is kept small, so that the kernel cannot
	// take a whole segment (768 kB at 48 kHz) off the handler's hands.
	b := setupListening(t, func(c *Config) {
		c.Limits.MaxFileBytes, c.Limits.MaxTotalBytes = 16<<20, 32<<20
		c.BodyRateWindow = time.Second
	}, func(ln net.Listener) net.Listener { return smallSendBuffers{ln} })
	c := b.newProject(t)
	path := filepath.Join(t.TempDir(), "x.flac")
	const rate = 384000
	audiotest.WriteFile(t, path, "flac", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, audio.NewBuffer(2, SegmentS*rate))
	c.upload("stems", map[string][]byte{"x.flac": testkit.ReadFile(t, path)}, []string{"x.flac"}, http.StatusCreated, nil)
	seg := c.p("/stream/stem/x.flac/0")
	// The preview of a 384 kHz file is at engine.MaxPreviewRate.
	want := int64(wavHeaderBytes + SegmentS*service.PreviewRate(rate)*4)
	if n := int64(len(c.do("GET", seg, nil, "", http.StatusOK, nil))); n != want {
		t.Fatalf("the segment read at once: %d bytes, want %d", n, want)
	}
	// A handler holds its client's in-flight slot until it returns.
	idle := func(what string) {
		for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
			b.srv.inflight.mu.Lock()
			n := b.srv.inflight.n["127.0.0.1"]
			b.srv.inflight.mu.Unlock()
			if n == 0 {
				return
			}
			if time.Since(start) > time.Minute {
				t.Fatalf("%s: still answering after a minute, with a 1 s window", what)
			}
		}
	}
	idle("the requests before")
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", seg, c.token)
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	status, err := bufio.NewReaderSize(conn, 16).ReadString('\n')
	if !strings.HasPrefix(status, "HTTP/1.1 200") {
		t.Fatalf("GET %s: %q %v", seg, status, err)
	}
	idle("a client reading nothing")
}

// smallSendBuffers gives each accepted connection a 16 kB send buffer.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// TestMinRateWriterTakesNothing: a writer under the rate bound that
// takes no byte and says nothing wrong ends the write (short write)
// instead of being asked again for ever.
func TestMinRateWriterTakesNothing(t *testing.T) {
	t.Parallel()
	w := newMinRateWriter(takesNothing{httptest.NewRecorder()}, 8<<10, time.Second)
	done := make(chan error, 1)
	go func() { _, err := w.Write([]byte("abc")); done <- err }()
	select {
	case err := <-done:
		if err != io.ErrShortWrite {
			t.Errorf("Write to a writer that takes nothing: %v, want io.ErrShortWrite", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Write to a writer that takes nothing did not return in a minute")
	}
}

type takesNothing struct{ http.ResponseWriter }

func (takesNothing) Write([]byte) (int, error) { return 0, nil }

// TestConnectionsPerNetwork: a client holds perClient connections (an
// IPv6 client is its /64), and the /64s of one IPv6 /48 hold
// net6Share times that between them, so that one free tunnel cannot
// hold every connection of the server (IPv4: TestConnectionsPerIPv4Network).
// A closed connection frees its places.
func TestConnectionsPerNetwork(t *testing.T) {
	t.Parallel()
	const perClient = 2
	stub := &stubListener{}
	ln := LimitListener(stub, perClient, 10000)
	accept := func(addrs ...string) (taken []net.Conn) {
		t.Helper()
		stub.conns = stub.conns[:0]
		for _, a := range addrs {
			stub.conns = append(stub.conns, &stubConn{addr: &net.TCPAddr{IP: net.ParseIP(a), Port: 1}})
		}
		for {
			c, err := ln.Accept()
			if err != nil {
				return taken
			}
			taken = append(taken, c)
		}
	}
	if got := accept("2001:db8:0:1::1", "2001:db8:0:1::2", "2001:db8:0:1::3"); len(got) != perClient {
		t.Errorf("three connections from one /64: %d taken, want %d", len(got), perClient)
	}
	var many []string
	for i := 2; i < 2+net6Share; i++ { // the /48 holds perClient already
		many = append(many, fmt.Sprintf("2001:db8:0:%x::1", i), fmt.Sprintf("2001:db8:0:%x::2", i))
	}
	taken := accept(many...)
	if want := (net6Share - 1) * perClient; len(taken) != want {
		t.Errorf("%d connections from %d other /64s of the /48: %d taken, want %d", len(many), net6Share, len(taken), want)
	}
	refused := 0
	for _, c := range stub.all {
		if c.closed {
			refused++
		}
	}
	if want := 1 + len(many) - len(taken); refused != want {
		t.Errorf("%d connections closed at once, want %d (those over a bound)", refused, want)
	}
	if got := accept("2001:db8:1:1::1"); len(got) != 1 {
		t.Errorf("another /48: %d taken, want 1", len(got))
	}
	taken[0].Close()
	if got := accept("2001:db8:0:ff::1"); len(got) != 1 {
		t.Errorf("the /48 after one of its connections closed: %d taken, want 1", len(got))
	}
}

// TestConnectionsPerIPv4Network: the addresses of one IPv4 /24 hold
// net4Share clients' worth of connections between them, so that a few
// dozen addresses of one range cannot hold every connection of the
// server; other /24s count apart, an IPv4-mapped address counts with its
// /24, and with no per-client bound (behind a trusted proxy) only the
// total holds.
func TestConnectionsPerIPv4Network(t *testing.T) {
	t.Parallel()
	const perClient, total = 2, 100
	// addrs gives n addresses, perAddr connections each, from /24s
	// 198.51.<first>…; per24 addresses in each /24.
	addrs := func(n, per24, perAddr int, format string) []string {
		var a []string
		for i := range n {
			for range perAddr {
				a = append(a, fmt.Sprintf(format, i/per24, i%per24+1))
			}
		}
		return a
	}
	for _, tc := range []struct {
		name      string
		perClient int
		addrs     []string
		want      int
	}{
		{"one /24, an address each", perClient, addrs(3*net4Share*perClient, 256, 1, "198.51.%d.%d"), net4Share * perClient},
		{"one /24, addresses at their bound", perClient, addrs(3*net4Share, 256, perClient, "198.51.%d.%d"), net4Share * perClient},
		{"one /24, IPv4-mapped", perClient, addrs(3*net4Share*perClient, 256, 1, "::ffff:198.51.%d.%d"), net4Share * perClient},
		{"a /24 each", perClient, addrs(3*net4Share*perClient, 1, 1, "198.51.%d.%d"), 3 * net4Share * perClient},
		{"two /24s, five addresses each", perClient, addrs(10, 5, perClient, "198.51.%d.%d"), 2 * net4Share * perClient},
		{"behind a trusted proxy", 0, addrs(1, 1, total+10, "10.0.%d.%d"), total},
	} {
		stub := &stubListener{}
		ln := LimitListener(stub, tc.perClient, total)
		for _, a := range tc.addrs {
			stub.conns = append(stub.conns, &stubConn{addr: &net.TCPAddr{IP: net.ParseIP(a), Port: 1}})
		}
		var taken []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			taken = append(taken, c)
		}
		if len(taken) != tc.want {
			t.Errorf("%s: %d connections, %d taken, want %d", tc.name, len(tc.addrs), len(taken), tc.want)
		}
		if tc.perClient > 0 && len(taken) > 0 {
			// A closed connection frees its /24's place.
			a := taken[0].RemoteAddr().(*net.TCPAddr).IP.String()
			taken[0].Close()
			stub.conns = append(stub.conns[:0], &stubConn{addr: &net.TCPAddr{IP: net.ParseIP(a), Port: 2}})
			if c, err := ln.Accept(); err != nil {
				t.Errorf("%s: after one of %s's connections closed: %v, want taken", tc.name, a, err)
			} else {
				c.Close()
			}
		}
	}
}

// stubListener hands out its conns in turn, then fails.
type stubListener struct {
	conns, all []*stubConn
}

func (l *stubListener) Accept() (net.Conn, error) {
	if len(l.conns) == 0 {
		return nil, io.EOF
	}
	c := l.conns[0]
	l.conns = l.conns[1:]
	l.all = append(l.all, c)
	return c, nil
}
func (l *stubListener) Close() error   { return nil }
func (l *stubListener) Addr() net.Addr { return &net.TCPAddr{} }

type stubConn struct {
	net.Conn
	addr   net.Addr
	closed bool
}

func (c *stubConn) RemoteAddr() net.Addr { return c.addr }
func (c *stubConn) Close() error         { c.closed = true; return nil }

// TestHeaderBounds sends a header block over MaxHeaderBytes.
func TestHeaderBounds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	req, _ := http.NewRequest("GET", b.url+"/api/projects/00000000000000000000000000000000", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", DefaultMaxHeaderBytes+4096))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a %d KiB header: %d, want 431", (DefaultMaxHeaderBytes+4096)>>10, res.StatusCode)
	}
}

// TestClientAddr: the client a request counts as. Behind a trusted proxy
// it is the hop the proxy added (the last), whatever the client wrote
// before it; an IPv6 client is its /64.
func TestClientAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, peer, client string
		trust              bool
		xff                []string
	}{
		{"IPv4 peer", "192.0.2.7:5000", "192.0.2.7", false, nil},
		{"IPv6 peer: its /64", "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:5000", "2001:db8:1:2::/64", false, nil},
		{"another address of the same /64", "[2001:db8:1:2::1]:6000", "2001:db8:1:2::/64", false, nil},
		{"IPv4-mapped IPv6", "[::ffff:192.0.2.7]:5000", "192.0.2.7", false, nil},
		{"IPv4 translated by NAT64", "[64:ff9b::192.0.2.7]:5000", "192.0.2.7", false, nil},
		{"another IPv4 translated: not the same /64", "[64:ff9b::198.51.100.9]:5000", "198.51.100.9", false, nil},
		{"next to the NAT64 prefix: IPv6", "[64:ff9b:0:1::5]:5000", "64:ff9b:0:1::/64", false, nil},
		{"header ignored without trust", "192.0.2.7:5000", "192.0.2.7", false, []string{"198.51.100.1"}},
		{"proxy's hop", "192.0.2.254:5000", "198.51.100.1", true, []string{"198.51.100.1"}},
		{"client's own hops before the proxy's", "192.0.2.254:5000", "198.51.100.1", true, []string{"203.0.113.50, 198.51.100.1"}},
		{"proxy's line after the client's", "192.0.2.254:5000", "198.51.100.1", true, []string{"203.0.113.50", "198.51.100.1"}},
		{"IPv6 hop", "192.0.2.254:5000", "2001:db8:9:9::/64", true, []string{"2001:db8:9:9::5"}},
		{"garbage hop: the peer", "192.0.2.254:5000", "192.0.2.254", true, []string{"198.51.100.1, not-an-ip"}},
		{"trusted, no header: the peer", "192.0.2.254:5000", "192.0.2.254", true, nil},
	} {
		s := &Server{cfg: Config{TrustForwardedFor: tc.trust}}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.client(r); got != tc.client {
			t.Errorf("%s: client %q, want %q", tc.name, got, tc.client)
		}
	}
}

// TestClientNet: the network a client's live projects, stored bytes and
// connections are bounded together in, and how many clients' worth it
// holds.
func TestClientNet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, net string
		share     int
	}{
		{"192.0.2.7", "192.0.2.0/24", net4Share},
		{"::ffff:192.0.2.200", "192.0.2.0/24", net4Share},
		{"64:ff9b::192.0.2.9", "192.0.2.0/24", net4Share},
		{"2001:db8:1:2::1", "2001:db8:1::/48", net6Share},
		{"2001:db8:1:ffff:ffff::1", "2001:db8:1::/48", net6Share},
		{"@", "", 0},
	} {
		nw := clientNet(tc.host)
		if nw != tc.net || (nw != "" && netShare(nw) != tc.share) {
			t.Errorf("%s: network %q of %d clients, want %q of %d", tc.host, nw, netShare(nw), tc.net, tc.share)
		}
	}
}

// TestJobBoundByAddress: the per-client bound on active jobs holds for a
// client that makes a new project for each request and rotates the
// addresses it controls: the hops it writes before the proxy's, and the
// IPv6 addresses of its /64.
func TestJobBoundByAddress(t *testing.T) {
	t.Parallel()
	// The projects are all 127.0.0.1's, whose storage counts the renders
	// held running by their estimated outputs: room for them.
	b := setupWith(t, func(c *Config) {
		c.ActiveJobsPerClient = 2
		c.TrustForwardedFor = true
		c.Limits.MaxClientBytes = 1 << 30
	})
	release := b.blockRenders()
	defer close(release)
	render := func(xff string) int {
		t.Helper()
		c := b.newDrumsProject(t, 4800)
		req := c.request("POST", c.p("/render"), nil, "")
		req.Header.Set("X-Forwarded-For", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i, xff := range []string{"203.0.113.1, 2001:db8:5:5::1", "203.0.113.2, 2001:db8:5:5::2"} {
		if got := render(xff); got != http.StatusAccepted {
			t.Fatalf("render %d: %d, want 202", i, got)
		}
	}
	if got := render("203.0.113.3, 2001:db8:5:5:ffff::3"); got != http.StatusTooManyRequests {
		t.Errorf("third render from the same /64 behind new made-up hops: %d, want 429", got)
	}
	if got := render("2001:db8:5:6::1"); got != http.StatusAccepted {
		t.Errorf("a render from another /64: %d, want 202", got)
	}
}

// TestStoreOutOfReachAnswers503: an error of a store out of reach (the
// database restarting, S3 refusing connections) answers 503 unavailable
// with Retry-After, not 500: the request is worth sending again.
func TestStoreOutOfReachAnswers503(t *testing.T) {
	t.Parallel()
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, tc := range []struct {
		err    error
		status int
	}{
		{fmt.Errorf("store: project p: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}), http.StatusServiceUnavailable},
		{fmt.Errorf("store: project p: %w", io.ErrUnexpectedEOF), http.StatusServiceUnavailable},
		{fmt.Errorf("store: project p: no such column"), http.StatusInternalServerError},
	} {
		w := httptest.NewRecorder()
		s.internal(w, httptest.NewRequest("GET", "/api/projects/p", nil), tc.err)
		if w.Code != tc.status || (tc.status == http.StatusServiceUnavailable) != (w.Header().Get("Retry-After") != "") {
			t.Errorf("%v: %d (Retry-After %q), want %d", tc.err, w.Code, w.Header().Get("Retry-After"), tc.status)
		}
		if strings.Contains(w.Body.String(), "store:") {
			t.Errorf("%v: the answer shows the error: %s", tc.err, w.Body.String())
		}
	}
}

// TestLiveProjectsPerClient: one address could hold every live project
// the server allows (at ten a minute, --max-projects in under a day; from
// the /64s of one IPv6 /48, in a minute), refusing everyone's new
// projects until they expired a week later. An address holds at most
// ProjectsPerClient live projects, a /48 sixteen times that and an IPv4
// /24 four times; a deleted project gives its place back.
func TestLiveProjectsPerClient(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.ProjectsPerClient = 2; c.TrustForwardedFor = true })
	create := func(from string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", b.url+"/api/projects", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			ID, Token string
			Error     struct{ Code string }
		}
		json.NewDecoder(res.Body).Decode(&body)
		if body.Error.Code != "" {
			return res.StatusCode, body.Error.Code, ""
		}
		return res.StatusCode, body.ID, body.Token
	}
	var first *client
	for i := range 2 {
		code, id, token := create("203.0.113.9")
		if code != http.StatusCreated {
			t.Fatalf("project %d: %d %s, want 201", i+1, code, id)
		}
		first = &client{t: t, base: b.url, id: id, token: token}
	}
	if code, what, _ := create("203.0.113.9"); code != http.StatusTooManyRequests || what != "too_many_projects" {
		t.Errorf("a third live project from one address: %d %s, want 429 too_many_projects", code, what)
	}
	if code, _, _ := create("203.0.113.10"); code != http.StatusCreated {
		t.Errorf("another address: %d, want 201", code)
	}
	first.do("DELETE", first.p(""), nil, "", http.StatusNoContent, nil)
	if code, _, _ := create("203.0.113.9"); code != http.StatusCreated {
		t.Errorf("after deleting one: %d, want 201", code)
	}
	// 32 across the /64s of one /48, then no more from a new /64 of it.
	for i := range 32 {
		if code, _, _ := create(fmt.Sprintf("2001:db8:7:%x::1", i/2)); code != http.StatusCreated {
			t.Fatalf("IPv6 project %d: %d, want 201", i+1, code)
		}
	}
	if code, what, _ := create("2001:db8:7:ff::1"); code != http.StatusTooManyRequests || what != "too_many_projects" {
		t.Errorf("a new /64 of a /48 holding 32: %d %s, want 429 too_many_projects", code, what)
	}
	if code, _, _ := create("2001:db8:8::1"); code != http.StatusCreated {
		t.Errorf("another /48: %d, want 201", code)
	}
	// 8 across the addresses of one IPv4 /24, one each (some written
	// IPv4-mapped), then no more from a new address of it: a renter of
	// a hosting range takes its addresses by the dozen.
	for i := range 2 * net4Share {
		from := fmt.Sprintf("198.51.100.%d", i+1)
		if i%2 == 1 {
			from = "::ffff:" + from
		}
		if code, _, _ := create(from); code != http.StatusCreated {
			t.Fatalf("IPv4 project %d: %d, want 201", i+1, code)
		}
	}
	if code, what, _ := create("198.51.100.200"); code != http.StatusTooManyRequests || what != "too_many_projects" {
		t.Errorf("a new address of a /24 holding 8: %d %s, want 429 too_many_projects", code, what)
	}
	if code, _, _ := create("198.51.101.1"); code != http.StatusCreated {
		t.Errorf("another /24: %d, want 201", code)
	}
}

// TestRefusalReadByWholeBodyClients: past the requests a client may have
// in flight, an upload from a client that sends its whole body before it
// reads the answer gets the 429 (not a reset, which is what net/http's
// close with 256 KiB read gives it); one that asks with Expect:
// 100-continue gets it without sending the body; one that declares more
// than the drain's bound is not read, and its connection is closed.
func TestRefusalReadByWholeBodyClients(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(cfg *Config) {
		cfg.RequestsPerClient = 1
		cfg.Limits = Limits{MaxFileBytes: 8 << 20, MaxTotalBytes: 16 << 20, MaxFiles: 4}
	})
	c := b.newProject(t)
	cut := holdUpload(t, b, c, "/stems", "a.wav", wavBytes(t, 40_000, 1000)[:100_000])
	defer cut()
	addr := strings.TrimPrefix(b.url, "http://")
	// send writes the request's head and then, unless expect, all of its
	// body before reading anything; it returns the status line and body
	// of the answer, or what went wrong.
	send := func(size int, expect bool) (string, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n", c.p("/stems"), c.token, size)
		if expect {
			head += "Expect: 100-continue\r\n"
		}
		if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
			return "", err
		}
		if !expect {
			if _, err := conn.Write(make([]byte, size)); err != nil {
				return "", fmt.Errorf("writing the body: %w", err)
			}
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return "", fmt.Errorf("reading the answer: %w", err)
		}
		body, _ := io.ReadAll(res.Body)
		return res.Status + " " + string(body), nil
	}
	for _, tc := range []struct {
		what   string
		size   int
		expect bool
	}{
		{"a 4 MB body sent whole", 4 << 20, false},
		{"a 4 MB body asked for with Expect: 100-continue", 4 << 20, true},
	} {
		got, err := send(tc.size, tc.expect)
		if err != nil || !strings.HasPrefix(got, "429") || !strings.Contains(got, `"too_many_requests"`) {
			t.Errorf("%s past the requests in flight: %q, %v; want 429 too_many_requests", tc.what, got, err)
		}
	}
	// Declared past the bound (one file and 1 MiB): not read.
	if got, err := send(10<<20, false); err == nil {
		t.Errorf("a 10 MB body past the 9 MB drain: %q, want the connection closed", got)
	}
}

// TestRefusedStrangerNotDrained: an upload refused before it is
// authenticated (no token, a wrong one) is not read past the small drain
// (1 MiB, and the 256 KiB net/http reads before it closes), however much
// a file may weigh: a 50 MB body under a 64 MiB file's bound was read
// whole for anyone who sent it. The project's own upload refused for a
// full disk is read whole, and its client reads the 507.
func TestRefusedStrangerNotDrained(t *testing.T) {
	t.Parallel()
	var read atomic.Int64
	var full atomic.Bool
	b := setupListening(t, func(cfg *Config) {
		cfg.Limits = Limits{MaxFileBytes: 64 << 20, MaxTotalBytes: 128 << 20, MaxFiles: 4}
		cfg.MinFreeBytes = 1
		cfg.FreeBytes = func() (uint64, error) {
			if full.Load() {
				return 0, nil
			}
			return 1 << 40, nil
		}
	}, func(ln net.Listener) net.Listener { return countingListener{ln, &read} })
	c := b.newProject(t)
	full.Store(true)
	const size = 50 << 20
	for _, tc := range []struct{ what, token, want string }{
		{"no token", "", ""},
		{"a wrong token", strings.Repeat("0", 64), ""},
		{"the project's token on a full disk", c.token, "HTTP/1.1 507"},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(b.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(time.Minute))
		before := read.Load()
		auth := ""
		if tc.token != "" {
			auth = "Authorization: Bearer " + tc.token + "\r\n"
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", c.p("/stems"), auth, size)
		wrote := make(chan error, 1)
		go func() {
			_, err := conn.Write(make([]byte, size)) // fails once the server closes
			wrote <- err
		}()
		answer, _ := io.ReadAll(conn) // up to the server's close
		conn.Close()
		werr := <-wrote
		n := read.Load() - before
		if tc.want == "" {
			if n > refusalDrainMargin+512<<10 {
				t.Errorf("%s, a %d MB upload: the server read %d bytes, want at most the 1 MiB drain and net/http's 256 KiB", tc.what, size>>20, n)
			}
			continue
		}
		if n < size || werr != nil || !strings.HasPrefix(string(answer), tc.want) {
			t.Errorf("%s, a %d MB upload: the server read %d bytes, the client's write %v, its answer %.40q; want the body read whole and %s", tc.what, size>>20, n, werr, answer, tc.want)
		}
	}
}

// countingListener adds what its connections read to n.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// TestTrailingJSONRefused: a JSON body with a second value after the
// first is refused 400, not read for its first value alone: a session,
// a title, a project's creation, a render's options, a quote's draft.
func TestTrailingJSONRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	for _, r := range []struct{ method, path, body string }{
		{"PUT", c.p("/session"), `{"stems":[{"file":"drums.wav"}]} {"stems":[]}`},
		{"PUT", c.p("/title"), `{"title":"a"} {"title":"b"}`},
		{"POST", "/api/projects", `{} {"demo":true}`},
		{"POST", c.p("/render"), `{} x`},
		{"POST", c.p("/quote"), `{"stems":[{"file":"drums.wav"}]}]`},
	} {
		var e apiError
		c.do(r.method, r.path, strings.NewReader(r.body), "application/json", http.StatusBadRequest, &e)
		if e.Error.Code != "bad_request" {
			t.Errorf("%s %s %s: %+v, want bad_request", r.method, r.path, r.body, e.Error)
		}
	}
	var title struct{ Title string }
	c.do("GET", c.p("/title"), nil, "", http.StatusOK, &title)
	if title.Title != "" {
		t.Errorf("title after a refused PUT: %q, want none", title.Title)
	}
}

// TestShortBodyIsCut: a client that declares a longer body than it sends
// and then waits gets its answer once the minimum rate's window has
// passed, and the connection is closed; it held the connection for as
// long as it liked, its answer never sent.
func TestShortBodyIsCut(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(cfg *Config) { cfg.BodyRateWindow = time.Second })
	c := b.newProject(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // the test's bound, far past the window
	body := `{"title":"a"}`
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n%s", c.p("/title"), c.token, body)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a body of %d bytes declared as 100: no answer (%v)", len(body), err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !res.Close {
		t.Errorf("a body of %d bytes declared as 100: %s (close %v), want 400 and the connection closed", len(body), res.Status, res.Close)
	}
}

// TestChunkedRequestEndsTheConnection: a request with both
// Transfer-Encoding: chunked and a Content-Length (net/http frames it by
// its chunks and drops the length) was answered and its connection kept:
// what followed its last chunk was served as the next request. A proxy
// in front framing it by the Content-Length would have taken that tail
// for its next client's request (request smuggling); RFC 9112 has the
// server close after such a request, and the server closes after any
// chunked one.
func TestChunkedRequestEndsTheConnection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // the test's bound: the server closes at once
	fmt.Fprint(conn, "POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"+
		"2\r\n{}\r\n0\r\n\r\nGET /guide HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "HTTP/1.1 "); n != 1 || !strings.HasPrefix(string(got), "HTTP/1.1 201 ") {
		t.Errorf("a chunked request with a Content-Length, then another on its connection: %d answers (%.60q…), want the first's alone, the connection closed", n, got)
	}
}
