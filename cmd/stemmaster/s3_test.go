package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
	"stemmaster/internal/pgtest"
	"stemmaster/internal/s3test"
)

// s3Deployment is serve (and workers, on PostgreSQL) with blobs on a
// local versitygw.
type s3Deployment struct {
	s3      *s3test.Server
	bucket  string // gocloud.dev URL
	name    string // bucket name
	db      string // "" for the embedded SQLite service
	web     *serverProc
	workers []*serverProc
	// workerEnv is added to the environment of the workers started next.
	workerEnv []string
}

func startS3Deployment(t *testing.T, db string, workers int, extra ...string) *s3Deployment {
	t.Helper()
	skipShort(t, "runs the server binary against a local S3")
	d := &s3Deployment{s3: s3test.Start(t), name: "stemmaster", db: db}
	d.bucket = d.s3.Bucket(t, d.name)
	args := []string{"--blobs", d.bucket}
	if d.db != "" {
		args = append(args, "--db", d.db, "--no-work")
	}
	d.web = startServer(t, t.TempDir(), append(args, extra...)...)
	if d.db != "" {
		for i := 0; i < workers; i++ {
			d.addWorker(t, extra...)
		}
	}
	return d
}

// startS3ScaleOut is the scale-out layout the fault tests kill and stop
// parts of: the front end on a private PostgreSQL (one the test may stop
// and restart, returned) and blobs on versitygw, no worker yet, every
// process started with the flags extra. It skips in -short, saying what,
// and, before PostgreSQL starts, when versitygw is not installed.
func startS3ScaleOut(t *testing.T, what string, extra ...string) (*s3Deployment, *pgtest.Server) {
	t.Helper()
	skipShort(t, what)
	if s3test.Binary() == "" {
		s3test.Start(t) // skips, saying how to install versitygw
	}
	pg := pgtest.Start(t)
	return startS3Deployment(t, pg.URL, 0, extra...), pg
}

func (d *s3Deployment) addWorker(t *testing.T, extra ...string) *serverProc {
	t.Helper()
	w := startWorker(t, d.db, d.bucket, d.workerEnv, extra...)
	d.workers = append(d.workers, w)
	return w
}

// objects lists the bucket's objects under prefix as versitygw stores
// them (files under its root directory), skipping its own temporary
// space; keys are relative to the bucket.
func (d *s3Deployment) objects(t *testing.T, prefix string) map[string]int64 {
	t.Helper()
	root := filepath.Join(d.s3.Root(), d.name)
	out := map[string]int64{}
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, ".") {
			if e.IsDir() && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && strings.HasPrefix(filepath.ToSlash(rel), prefix) {
			fi, _ := e.Info()
			out[filepath.ToSlash(rel)] = fi.Size()
		}
		return nil
	})
	return out
}

// shortStems writes n stems of seconds of pink noise.
func shortStems(t *testing.T, n int, seconds float64) []string {
	t.Helper()
	dir := t.TempDir()
	names := []string{"drums.wav", "bass.wav", "keys.wav", "vocals.wav"}
	var paths []string
	for i := 0; i < n; i++ {
		paths = append(paths, audiotest.WriteWAV(t, dir, names[i%len(names)], audiotest.PinkNoise(uint64(i+1), 2, int(seconds*48000), -14-float64(i)*3), 48000, 24))
	}
	return paths
}

// demoStems writes the demo song's stems (long enough to catch a render
// running).
func demoStemFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, st := range demosong.Stems(48000) {
		paths = append(paths, audiotest.WriteWAV(t, dir, st.Name, st.Buf, 48000, 24))
	}
	return paths
}

func (d *s3Deployment) project(t *testing.T, stems []string) *apiClient {
	t.Helper()
	return uploadProject(t, d.web.url, stems)
}

// uploadProject creates a project on the server at base and uploads the
// files at paths.
func uploadProject(t *testing.T, base string, stems []string) *apiClient {
	t.Helper()
	c, err := newAPIProject(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stems {
		if err := c.uploadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *apiClient) queue(t *testing.T, kind string) string {
	t.Helper()
	var queued struct{ Job string }
	if _, err := c.Do("POST", c.Path("/"+kind), nil, "", &queued); err != nil {
		t.Fatal(err)
	}
	return queued.Job
}

// get GETs one of the server's paths with the project's token and the
// headers hdr (name, value, …).
func (c *apiClient) get(t *testing.T, path string, hdr ...string) (int, []byte) {
	t.Helper()
	return httpGet(t, c.Base+path, append([]string{"Authorization", "Bearer " + c.Token}, hdr...)...)
}

// waitRunning waits until the job is running with some progress.
func (c *apiClient) waitRunning(t *testing.T, job string, limit time.Duration) {
	t.Helper()
	c.waitRunningPast(t, job, limit, 0.05)
}

// waitRunningPast waits until the job runs with more progress than past.
func (c *apiClient) waitRunningPast(t *testing.T, job string, limit time.Duration, past float64) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		j, err := c.Job(job)
		if err == nil && j.State == "running" && j.Progress > past {
			return
		}
		if err == nil && j.State != "running" && j.State != "queued" || time.Now().After(deadline) {
			t.Fatalf("could not catch job %s running: %+v %v", job, j, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPublished downloads every listed output and checks it equals the
// object in the bucket, and that no object under the project's jobs/
// belongs to anything but the published render.
func (d *s3Deployment) checkPublished(t *testing.T, c *apiClient, job string) {
	t.Helper()
	outs, err := c.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) == 0 {
		t.Fatal("no outputs published")
	}
	objs := d.objects(t, "projects/"+c.ID+"/jobs/")
	for k := range objs {
		if !strings.HasPrefix(k, "projects/"+c.ID+"/jobs/"+job+"/") {
			t.Errorf("object %s belongs to no published render", k)
		}
	}
	for _, o := range outs {
		code, body := c.get(t, c.Path("/outputs/"+o.Name))
		if code != 200 || int64(len(body)) != o.Size {
			t.Errorf("%s: %d, %d bytes, listed %d", o.Name, code, len(body), o.Size)
			continue
		}
		var stored []byte
		var err error = fmt.Errorf("no object of the render ends in /%s", o.Name)
		for k := range objs {
			if strings.HasSuffix(k, "/"+o.Name) {
				stored, err = os.ReadFile(filepath.Join(d.s3.Root(), d.name, filepath.FromSlash(k)))
				break
			}
		}
		if err != nil || !bytes.Equal(stored, body) {
			t.Errorf("%s: the download differs from the stored object (%v)", o.Name, err)
		}
	}
}

// TestS3Flow runs upload → check → render → download with blobs on a
// local S3 (versitygw) and, when STEMMASTER_TEST_POSTGRES is set, the web
// front end and a worker on PostgreSQL; then ranged downloads, signed
// links refused (the store's endpoint is not public),
// the operations endpoints, and deletion leaving nothing in the bucket.
func TestS3Flow(t *testing.T) {
	d := startS3Deployment(t, pgtest.Schema(t), 1, "--admin-token", "adm1n-token-0123")
	c := d.project(t, shortStems(t, 2, 3))
	stems := 0
	for k := range d.objects(t, "projects/"+c.ID+"/stem/") {
		if strings.HasSuffix(k, ".wav") {
			stems++
		}
	}
	if stems != 2 {
		t.Fatalf("%d stems in the bucket, want 2", stems)
	}
	if j, err := c.WaitJob(c.queue(t, "check"), 60*time.Second); err != nil || j.State != "done" {
		t.Fatalf("check: %+v %v", j, err)
	}
	job := c.queue(t, "render")
	if j, err := c.WaitJob(job, 90*time.Second); err != nil || j.State != "done" {
		t.Fatalf("render: %+v %v", j, err)
	}
	d.checkPublished(t, c, job)

	_, whole := c.get(t, c.Path("/outputs/main.wav"))
	code, part := c.get(t, c.Path("/outputs/main.wav"), "Range", "bytes=1000-1999")
	if code != http.StatusPartialContent || !bytes.Equal(part, whole[1000:2000]) {
		t.Errorf("range request: %d, %d bytes, equal %v", code, len(part), bytes.Equal(part, whole[1000:2000]))
	}
	// The store is reached at an endpoint --blobs does not say is public:
	// no link to it is handed out (e2e's TestSignedDownload follows one
	// signed against a public endpoint).
	code, body := c.get(t, c.Path("/outputs/main.wav?signed=1"))
	if code != http.StatusNotImplemented || !strings.Contains(string(body), `"not_implemented"`) {
		t.Errorf("?signed=1 on a store with no public endpoint: %d %s, want 501 not_implemented", code, body)
	}

	for path, want := range map[string]string{
		"/healthz": "ok",
		"/readyz":  `"ready":true`,
		"/metrics": `stemmaster_jobs{kind="render",state="done"} 1`,
	} {
		code, body := c.get(t, path)
		if code != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, lacks %s", path, code, want)
		}
	}
	if code, _ := c.get(t, "/admin/jobs/"); code != 401 {
		t.Errorf("admin UI with a project token: %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", d.web.url+"/admin/jobs/", nil)
	req.SetBasicAuth("admin", "adm1n-token-0123")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("admin UI with the admin token: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	// River's UI lists the render among the completed jobs (River records
	// completions in batches: allow it a moment, a long one on a loaded
	// machine).
	var listed string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		code, body := httpGet(t, d.web.url+"/admin/jobs/api/jobs?state=completed&limit=20", "Authorization", "Bearer adm1n-token-0123")
		listed = fmt.Sprintf("%d %s", code, body)
		if code == 200 && strings.Contains(listed, "stemmaster_render") && strings.Contains(listed, job) {
			break
		}
	}
	if !strings.Contains(listed, "stemmaster_render") || !strings.Contains(listed, job) {
		t.Errorf("River UI's completed jobs lack the render: %.400s", listed)
	}

	if _, err := c.Do("DELETE", c.Path(""), nil, "", nil); err != nil {
		t.Fatal(err)
	}
	if left := d.objects(t, "projects/"+c.ID+"/"); len(left) != 0 {
		t.Errorf("deleting the project left %v in the bucket", left)
	}
}

// TestS3Faults runs the scale-out layout (web front end, workers, both on
// PostgreSQL, blobs on versitygw) through faults: a worker SIGKILLed
// mid-render, S3 stopped for 10 s mid-render, PostgreSQL restarted
// mid-render (a private server, see pgtest), and a
// render superseded by a newer one. Every render ends done with its
// outputs on target and nothing partial visible.
func TestS3Faults(t *testing.T) {
	const lease = "--job-lease=4s"
	d, pg := startS3ScaleOut(t, "fault tests", lease)
	// Every render is held 2 s before the engine starts, and each
	// worker's first render 5 s a third of the way through (long enough to
	// start another worker and kill this one), so each fault lands while
	// the render runs however fast the machine is. A fault that needs the
	// render unfinished (S3 down, PostgreSQL restarted, a newer render)
	// lands in the first hold:
	// a render's files go to S3 as they are made, so little of it is left
	// once its engine is done.
	d.workerEnv = []string{"STEMMASTER_FAULT_DELAY=render-started*=2s,render-midway=5s"}
	w1 := d.addWorker(t, lease)
	parent := t
	stems := demoStemFiles(t)

	t.Run("worker killed", func(t *testing.T) {
		c := d.project(t, stems)
		job := c.queue(t, "render")
		c.waitRunning(t, job, 60*time.Second)
		d.addWorker(parent, lease) // outlives this subtest
		w1.Kill()
		t.Log("killed the worker mid-render")
		j, err := c.WaitJob(job, 120*time.Second)
		if err != nil || j.State != "done" || j.Attempt < 2 {
			t.Fatalf("after the kill the render is %+v %v, want done on attempt ≥ 2", j, err)
		}
		d.checkPublished(t, c, job)
		checkMaster(t, c)
	})

	t.Run("S3 down 10 s", func(t *testing.T) {
		c := d.project(t, stems)
		job := c.queue(t, "render")
		c.waitRunningPast(t, job, 60*time.Second, -1)
		d.s3.Stop()
		t.Log("stopped S3 mid-render")
		time.Sleep(10 * time.Second)
		// The render cannot have published: its outputs had nowhere to go.
		if j, err := c.Job(job); err != nil || j.State == "done" || j.State == "failed" {
			t.Fatalf("with S3 down for 10 s the render is %+v %v, want still running or queued", j, err)
		}
		if err := d.s3.Restart(); err != nil {
			t.Fatal(err)
		}
		j, err := c.WaitJob(job, 120*time.Second)
		if err != nil || j.State != "done" {
			t.Fatalf("after the S3 outage the render is %+v %v", j, err)
		}
		d.checkPublished(t, c, job)
		got := 0
		for k := range d.objects(t, "projects/"+c.ID+"/stem/") {
			if strings.HasSuffix(k, ".wav") {
				got++
			}
		}
		if got != len(stems) {
			t.Errorf("%d stems after the outage, want %d", got, len(stems))
		}
	})

	t.Run("PostgreSQL restarted", func(t *testing.T) {
		// One render running, one queued behind it (one worker is left).
		c := d.project(t, stems)
		job := c.queue(t, "render")
		c2 := d.project(t, stems)
		job2 := c2.queue(t, "render")
		// Caught in the hold before the engine starts: this worker's
		// render has no midway hold left, and the demo render can finish
		// between two polls once past it.
		c.waitRunningPast(t, job, 60*time.Second, -1)
		pg.Stop()
		time.Sleep(2 * time.Second)
		if err := pg.Restart(); err != nil {
			t.Fatal(err)
		}
		t.Log("restarted PostgreSQL mid-render, a render queued")
		for _, x := range []struct {
			c   *apiClient
			job string
		}{{c, job}, {c2, job2}} {
			var j apiclient.Job
			var err error
			for deadline := time.Now().Add(120 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
				if j, err = x.c.WaitJob(x.job, 5*time.Second); err == nil {
					break
				}
			}
			if err != nil || j.State != "done" {
				t.Fatalf("after the restart render %s is %+v %v", x.job, j, err)
			}
			d.checkPublished(t, x.c, x.job)
		}
	})

	t.Run("superseded", func(t *testing.T) {
		c := d.project(t, stems)
		old := c.queue(t, "render")
		c.waitRunningPast(t, old, 60*time.Second, -1)
		newer := c.renderNoted(t, "newer")
		t0 := time.Now()
		for {
			j, err := c.Job(old)
			if err == nil && j.State == "cancelled" {
				if !strings.Contains(j.Error, "superseded") {
					t.Errorf("superseded render's error: %q", j.Error)
				}
				break
			}
			if time.Since(t0) > 10*time.Second {
				t.Fatalf("older render not cancelled 10 s after a newer one: %+v %v", j, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		j, err := c.WaitJob(newer, 120*time.Second)
		if err != nil || j.State != "done" {
			t.Fatalf("newer render: %+v %v", j, err)
		}
		d.checkPublished(t, c, newer)

		// The client cancels a render; the published one stays.
		third := c.queue(t, "render")
		var cancelled apiclient.Job
		if _, err := c.Do("POST", c.Path("/jobs/"+third+"/cancel"), nil, "", &cancelled); err != nil || cancelled.State != "cancelled" {
			t.Fatalf("cancel: %+v %v", cancelled, err)
		}
		time.Sleep(2 * time.Second)
		if j, _ := c.Job(third); j.State != "cancelled" {
			t.Errorf("cancelled render is %+v", j)
		}
		if code, _ := c.Do("POST", c.Path("/jobs/"+third+"/cancel"), nil, "", nil); code != http.StatusConflict {
			t.Errorf("second cancel: %d, want 409", code)
		}
		d.checkPublished(t, c, newer)
	})
}

// checkMaster checks the main master meets the streaming target.
func checkMaster(t *testing.T, c *apiClient) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "main.wav")
	_, body := c.get(t, c.Path("/outputs/main.wav"))
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	res := measureFile(t, path)
	if res.IntegratedLUFS < -14.1 || res.IntegratedLUFS > -13.9 || res.TruePeakDBTP > -0.995 {
		t.Errorf("master: %.2f LUFS, %.2f dBTP; want -14 ± 0.1 LUFS, ≤ -1 dBTP", res.IntegratedLUFS, res.TruePeakDBTP)
	}
}

// waitEnded waits for a job to end done, failed or cancelled.
func waitEnded(t *testing.T, c *apiClient, job string, limit time.Duration) apiclient.Job {
	t.Helper()
	j, err := c.WaitJob(job, limit)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// s3Counter is a proxy in front of the S3 server (s3test.Proxy) that counts
// the GETs of objects whose key contains match, with and without a Range
// header.
type s3Counter struct {
	*httptest.Server
	mu            sync.Mutex
	ranged, whole int
}

func newS3Counter(t *testing.T, endpoint, match string) *s3Counter {
	t.Helper()
	c := &s3Counter{}
	c.Server = s3test.Proxy(t, endpoint, func(r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, match) {
			c.mu.Lock()
			if r.Header.Get("Range") != "" {
				c.ranged++
			} else {
				c.whole++
			}
			c.mu.Unlock()
		}
	})
	return c
}

func (c *s3Counter) counts() (ranged, whole int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, w := c.ranged, c.whole
	c.ranged, c.whole = 0, 0
	return r, w
}

// watchFiles records the names of regular files that appear under dir
// until stop is called (a copy of a stem in a worker's scratch space).
func watchFiles(dir string, names map[string]bool) (stop func() []string) {
	done := make(chan struct{})
	seen := map[string]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
				if err == nil && e.Type().IsRegular() && names[e.Name()] {
					seen[p] = true
				}
				return nil
			})
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(done)
		wg.Wait()
		var out []string
		for p := range seen {
			out = append(out, p)
		}
		return out
	}
}

// TestS3RenderReadsInPlace checks and renders with blobs on versitygw:
// the worker reads the stems in place by ranged requests, so no stem is
// ever in its scratch space and no stem is downloaded whole, and the
// master lands on target. With --copy-inputs the same watch sees the copies and the whole
// downloads (the watch can see what it looks for).
func TestS3RenderReadsInPlace(t *testing.T) {
	skipShort(t, "runs the server binary against a local S3")
	srv := s3test.Start(t)
	direct := srv.Bucket(t, "stemmaster")
	counter := newS3Counter(t, srv.Endpoint, "/stem/")
	bucket := strings.Replace(direct, srv.Endpoint, counter.URL, 1)
	stems := demoStemFiles(t)
	names := map[string]bool{}
	// chunks is how many requests one read of the stems in order takes:
	// 64 KiB, then 1 MiB at a time.
	var size int64
	chunks := 0
	for _, p := range stems {
		names[filepath.Base(p)] = true
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
		chunks += 1 + int((fi.Size()-64<<10+1<<20-1)/(1<<20))
	}
	for _, mode := range []struct {
		name string
		args []string
	}{{"in place", nil}, {"copied", []string{"--copy-inputs"}}} {
		t.Run(mode.name, func(t *testing.T) {
			data := t.TempDir()
			// Each render is held 2 s once its inputs are ready, so a copy
			// stays long enough for the watch to see it.
			web := startServerEnv(t, data, []string{"STEMMASTER_FAULT_DELAY=render-started*=2s"}, append([]string{"--blobs", bucket}, mode.args...)...)
			c := uploadProject(t, web.url, stems)
			// Each upload's stream preview is made after the upload
			// returns, reading the stem once; the streams view waits for
			// them, so that their reads are not counted as the check's.
			if code, body := c.get(t, c.Path("/streams")); code != http.StatusOK {
				t.Fatalf("streams: %d %s", code, body)
			}
			counter.counts()
			stop := watchFiles(filepath.Join(data, "tmp"), names)
			if j, err := c.WaitJob(c.queue(t, "check"), 120*time.Second); err != nil || j.State != "done" {
				t.Fatalf("check: %+v %v", j, err)
			}
			checkRanged, checkWhole := counter.counts()
			job := c.queue(t, "render")
			j, err := c.WaitJob(job, 120*time.Second)
			seen := stop()
			if err != nil || j.State != "done" {
				t.Fatalf("render: %+v %v", j, err)
			}
			checkMaster(t, c)
			ranged, whole := counter.counts()
			t.Logf("%d stems, %d bytes: check %d ranged and %d whole GETs of stems, render %d and %d; stem files seen in the scratch space: %d",
				len(stems), size, checkRanged, checkWhole, ranged, whole, len(seen))
			if mode.args == nil {
				if len(seen) != 0 || whole != 0 || checkWhole != 0 {
					t.Errorf("reading in place, the worker downloaded %d stems whole (%d for the check) and left copies %v", whole+checkWhole, checkWhole, seen)
				}
				// The check reads every stem at least once.
				if checkRanged < chunks {
					t.Errorf("the check sent %d ranged requests, want at least %d", checkRanged, chunks)
				}
				// The render and the A/B sum each read every stem in order;
				// the render's header read and the check open each stem
				// once more (a request each, three at most).
				if least, most := chunks, 2*chunks+3*len(stems); ranged < least || ranged > most {
					t.Errorf("%d ranged requests, want %d … %d", ranged, least, most)
				}
			} else if len(seen) < len(stems) || whole < len(stems) || checkWhole < len(stems) {
				t.Errorf("copying, the watch saw %d stem copies and %d whole downloads; want %d of each", len(seen), whole, len(stems))
			}
		})
	}
}
