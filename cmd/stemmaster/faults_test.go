package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/faultpoint"
)

// The fault suite kills `stemmaster serve` with SIGKILL at named points of
// upload, check, render and publication (internal/faultpoint, armed by an
// environment variable in the child process only), starts it again on the
// same data directory and checks that the service is whole: every output
// ever listed downloads byte-identical to a clean render, every job ends
// (done or failed) within its attempt bound, outputs.zip is never an
// empty 200, and no blob is left that no record refers to.

// faultPoints are the points killed at ("name" or "name:N" for the N-th
// hit), in the order the scenario meets them: two stems uploaded, a check,
// a render, a changed session and a second render that replaces the first.
var faultPoints = []string{
	"upload-spooled",     // the first stem is in the spool file
	"upload-stored",      // its blob is stored, not yet recorded
	"upload-recorded:2",  // the second stem recorded, no answer sent
	"job-created",        // the check job is recorded, not queued
	"check-measured",     // the check ran, its report is not stored
	"check-stored",       // the report is stored, River not yet told
	"render-started",     // the first render began its attempt
	"render-midway",      // the engine is a third through
	"render-uploaded",    // outputs uploaded, not yet published
	"render-published",   // the job reads done, River not yet told
	"job-created:3",      // the second render recorded, not queued
	"render-started:2",   // the second render began (the first is published)
	"sweep-midway",       // the first render's blobs half deleted
	"render-published:2", // the second render published, the first not swept
}

// faultDelays hold a point's scenario where the kill may come after the
// client's last answer (faultpoint.DelayEnv). The replaced render is swept
// after its successor's job reads done: held at every publication, the
// sweep comes after the client's listing, which a loaded machine made
// happen by chance.
var faultDelays = map[string]string{"sweep-midway": "render-published*=3s"}

const faultSession2 = `{"stems":[{"file":"bass.wav","gain_db":-3},{"file":"drums.wav"}]}`

// clientLeak matches what a client must never see in an answer.
var clientLeak = regexp.MustCompile(`(?:^|[\s"'(=])/(?:tmp|home|srv|var|work|root|usr)/|projects/[0-9a-f]{32}/|postgres(?:ql)?://|sqlite:|file://`)

// faultStems writes the scenario's two short stems (2 s at 48 kHz).
func faultStems(t *testing.T) []string {
	dir := t.TempDir()
	return []string{
		audiotest.WriteWAV(t, dir, "drums.wav", audiotest.PinkNoise(7, 2, 96000, -6), 48000, 24),
		audiotest.WriteWAV(t, dir, "bass.wav", audiotest.Sine(48000, 2, 96000, 55, -6, 0), 48000, 24),
	}
}

// faultLease is the job lease of the servers the fault tests kill: a
// restart waits for the lease of the render the killed process held
// before it runs it again, 30 s by default, the most of these tests'
// time. A heartbeat every 2 s keeps a live render's lease on a loaded
// machine.
const faultLease = "--job-lease=8s"

// startEnv starts `stemmaster serve` on data with extra environment
// variables, and returns it once it serves.
func startEnv(t *testing.T, data string, env ...string) *serverProc {
	t.Helper()
	return startServerEnv(t, data, env, "--min-free-mb", "-1", "--keep-revisions", "1", faultLease)
}

// exited waits up to d for a process that is to kill itself.
func (p *serverProc) exited(d time.Duration) bool {
	done := make(chan struct{})
	go func() { p.Cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// faultRun drives one project through the scenario against a server that
// may die, and checks every listing it sees against the clean renders.
type faultRun struct {
	t     *testing.T
	c     *apiClient
	stems []string
	// refs are the digests of the clean run's outputs after the first and
	// the second render (nil while the clean run makes them).
	refs     []map[string]string
	listings int
}

// digest identifies an output's content: its bytes for audio, the report
// without its timing fields, the size for the rest.
func digest(o apiclient.Output, data []byte) string {
	switch {
	case o.Kind == "audio" || o.Kind == "preview":
		h := sha256.Sum256(data)
		return hex.EncodeToString(h[:])
	case o.Name == "report.json":
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			return "unparsable report"
		}
		delete(m, "wall_time_s")
		delete(m, "x_real_time")
		delete(m, "cpu_time_s")
		delete(m, "stages")
		b, _ := json.Marshal(m)
		h := sha256.Sum256(b)
		return hex.EncodeToString(h[:])
	case strings.HasSuffix(o.Name, ".html"):
		return "html" // it shows the render's wall time
	}
	return fmt.Sprintf("%d bytes", len(data))
}

// listing downloads every listed output and returns their digests; an
// error means the server is unreachable. Outputs are fetched by name, one
// after another, so a render published in the middle of the listing mixes
// two renders, as it would for any client (a stable set is the revision's
// URLs). The listing is therefore taken again when the current revision
// changed while it was read; what it finds is reported only for a listing
// no publication crossed.
func (f *faultRun) listing() (map[string]string, error) {
	for try := 0; ; try++ {
		before, err := f.currentRevision()
		if err != nil {
			return nil, err
		}
		got, problems, err := f.readListing()
		if err != nil {
			return nil, err
		}
		after, err := f.currentRevision()
		if err != nil {
			return nil, err
		}
		if before == after || try == 4 {
			for _, p := range problems {
				f.t.Error(p)
			}
			return got, nil
		}
	}
}

// currentRevision is the number of the revision the project shows, 0
// when none is published.
func (f *faultRun) currentRevision() (int, error) {
	var res struct {
		Revisions []struct {
			Number  int  `json:"number"`
			Current bool `json:"current"`
		} `json:"revisions"`
	}
	if _, err := f.c.Do("GET", f.c.Path("/revisions"), nil, "", &res); err != nil {
		return 0, err
	}
	for _, r := range res.Revisions {
		if r.Current {
			return r.Number, nil
		}
	}
	return 0, nil
}

// readListing downloads every listed output once and says what is wrong
// with what it got.
func (f *faultRun) readListing() (map[string]string, []string, error) {
	outs, err := f.c.Outputs()
	if err != nil {
		return nil, nil, err
	}
	var problems []string
	got := map[string]string{}
	for _, o := range outs {
		var buf bytes.Buffer
		code, err := f.c.Do("GET", f.c.Path("/outputs/"+o.Name), nil, "", &buf)
		if code >= 400 {
			problems = append(problems, fmt.Sprintf("listed output %s answers %d: %v", o.Name, code, err))
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if int64(buf.Len()) != o.Size {
			problems = append(problems, fmt.Sprintf("listed output %s: %d bytes, listed as %d", o.Name, buf.Len(), o.Size))
		}
		got[o.Name] = digest(o, buf.Bytes())
	}
	// outputs.zip: 404 with nothing published, else a whole zip.
	var zbuf bytes.Buffer
	code, err := f.c.Do("GET", f.c.Path("/outputs.zip"), nil, "", &zbuf)
	switch {
	case code == 0 && err != nil:
		return nil, nil, err
	case len(outs) == 0 && code != 404:
		problems = append(problems, fmt.Sprintf("outputs.zip with nothing published: %d", code))
	case len(outs) > 0 && code == 200:
		zr, zerr := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
		if zerr != nil || len(zr.File) == 0 {
			problems = append(problems, fmt.Sprintf("outputs.zip is a 200 of %d bytes that is not a whole zip: %v", zbuf.Len(), zerr))
			break
		}
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			for _, o := range outs {
				if o.Name == zf.Name && (o.Kind == "audio") && digest(o, data) != got[o.Name] {
					problems = append(problems, fmt.Sprintf("outputs.zip's %s differs from the listed output", o.Name))
				}
			}
		}
	case len(outs) > 0:
		problems = append(problems, fmt.Sprintf("outputs.zip: %d (%v) with %d outputs listed", code, err, len(outs)))
	}
	return got, problems, nil
}

// check verifies a listing against the clean renders: empty, or exactly
// one of them.
func (f *faultRun) check(got map[string]string, want ...int) {
	f.listings++
	if len(got) == 0 || f.refs == nil {
		return
	}
	for _, i := range want {
		if equalDigests(got, f.refs[i]) {
			return
		}
	}
	f.t.Errorf("listed outputs match no clean render (want render %v):\n got %v\nref1 %v\nref2 %v", want, got, f.refs[0], f.refs[1])
}

func equalDigests(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// waitDone waits for a job to end; it must end done.
func (f *faultRun) waitDone(job string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := f.c.Job(job)
		if err != nil {
			return err // the server is gone
		}
		if j.State == "done" || j.State == "failed" {
			if j.State != "done" {
				f.t.Errorf("job %s: %+v, want done", job, j)
			}
			return nil
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("job %s not finished after 60 s: %+v", job, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (f *faultRun) upload(path string) error { return f.c.uploadFile(path) }

// phase1 is the scenario; it returns the first error (the server died).
func (f *faultRun) phase1(record bool) error {
	for _, p := range f.stems {
		if err := f.upload(p); err != nil {
			return err
		}
	}
	var q struct{ Job string }
	if _, err := f.c.Do("POST", f.c.Path("/check"), nil, "", &q); err != nil {
		return err
	}
	if err := f.waitDone(q.Job); err != nil {
		return err
	}
	for i, session := range []string{"", faultSession2} {
		if session != "" {
			if _, err := f.c.Do("PUT", f.c.Path("/session"), strings.NewReader(session), "application/json", nil); err != nil {
				return err
			}
		}
		if _, err := f.c.Do("POST", f.c.Path("/render"), nil, "", &q); err != nil {
			return err
		}
		if err := f.waitDone(q.Job); err != nil {
			return err
		}
		got, err := f.listing()
		if err != nil {
			return err
		}
		if record {
			f.refs = append(f.refs, got)
		}
		f.check(got, i)
	}
	return nil
}

// phase2 completes the scenario after a restart and checks the state.
func (f *faultRun) phase2(data string) {
	t := f.t
	var proj struct {
		Stems []struct{ Name string } `json:"stems"`
		Jobs  []apiclient.Job         `json:"jobs"`
	}
	if _, err := f.c.Do("GET", f.c.Path(""), nil, "", &proj); err != nil {
		t.Fatal(err)
	}
	// What was published before the crash is still whole.
	got, err := f.listing()
	if err != nil {
		t.Fatal(err)
	}
	f.check(got, 0, 1)
	have := map[string]bool{}
	for _, s := range proj.Stems {
		have[s.Name] = true
	}
	for _, p := range f.stems {
		if !have[filepath.Base(p)] {
			if err := f.upload(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	f.waitAllJobs()
	got, err = f.listing()
	if err != nil {
		t.Fatal(err)
	}
	f.check(got, 0, 1)
	if _, err := f.c.Do("PUT", f.c.Path("/session"), strings.NewReader(faultSession2), "application/json", nil); err != nil {
		t.Fatal(err)
	}
	var q struct{ Job string }
	if _, err := f.c.Do("POST", f.c.Path("/render"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	if err := f.waitDone(q.Job); err != nil {
		t.Fatal(err)
	}
	got, err = f.listing()
	if err != nil {
		t.Fatal(err)
	}
	f.check(got, 1)
	if len(got) == 0 {
		t.Error("nothing published after the final render")
	}
	f.waitAllJobs()
	// No blob is left that no record refers to: the folders of the
	// published renders (the current one and the earlier revisions), the
	// two stems with their previews, no temporary file.
	var revs struct {
		Revisions []struct {
			Current bool `json:"current"`
			Outputs []struct {
				URL string `json:"url"`
			} `json:"outputs"`
		} `json:"revisions"`
	}
	if _, err := f.c.Do("GET", f.c.Path("/revisions"), nil, "", &revs); err != nil {
		t.Fatal(err)
	}
	for _, rv := range revs.Revisions {
		for _, o := range rv.Outputs {
			if code, err := f.c.Do("GET", o.URL, nil, "", nil); err != nil || code != 200 {
				t.Errorf("revision output %s: %d %v", o.URL, code, err)
			}
		}
	}
	// The render replaced is swept after its successor's job reads done
	// (the switch comes first, so that no listed file is ever missing):
	// a client may get here before the sweep has deleted it, and on a
	// loaded machine it did. What the sweep leaves for good is left
	// after a wait too.
	var jobDirs, stemBlobs, temps []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		jobDirs, stemBlobs, temps = f.blobs(data)
		if len(jobDirs) == len(revs.Revisions) && slices.Contains(jobDirs, q.Job) || time.Now().After(deadline) {
			break
		}
	}
	if len(jobDirs) != len(revs.Revisions) || !slices.Contains(jobDirs, q.Job) || len(stemBlobs) != len(f.stems) || len(temps) != 0 {
		t.Errorf("blobs left: render folders %v (want the %d revisions' with the current %s), stems %v, temporary files %v", jobDirs, len(revs.Revisions), q.Job, stemBlobs, temps)
	}
}

// blobs lists what the project keeps in the blob store under data: the
// jobs whose folders hold files, its stems (not their previews), and every
// temporary file.
func (f *faultRun) blobs(data string) (jobDirs, stemBlobs, temps []string) {
	root := filepath.Join(data, "blobs", "projects", f.c.ID)
	filepath.Walk(filepath.Join(data, "blobs"), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case strings.HasSuffix(p, ".tmp"):
			temps = append(temps, p)
		case strings.HasPrefix(rel, "jobs/"):
			if d := strings.SplitN(rel, "/", 3)[1]; !slices.Contains(jobDirs, d) {
				jobDirs = append(jobDirs, d)
			}
		case strings.HasPrefix(rel, "stem/") && !strings.Contains(rel, ".preview."):
			stemBlobs = append(stemBlobs, rel)
		}
		return nil
	})
	return jobDirs, stemBlobs, temps
}

// waitAllJobs waits until every job of the project has ended within its
// attempt bound, and checks no job error leaks a path, key or URL.
func (f *faultRun) waitAllJobs() {
	deadline := time.Now().Add(90 * time.Second)
	for {
		var proj struct {
			Jobs []struct {
				ID      string `json:"id"`
				State   string `json:"state"`
				Attempt int    `json:"attempt"`
				Error   string `json:"error"`
				Stage   string `json:"stage"`
			} `json:"jobs"`
		}
		if _, err := f.c.Do("GET", f.c.Path(""), nil, "", &proj); err != nil {
			f.t.Fatal(err)
		}
		open := 0
		for _, j := range proj.Jobs {
			if j.State != "done" && j.State != "failed" {
				open++
			}
			if j.Attempt > 3 {
				f.t.Errorf("job %s ran %d attempts (bound 3)", j.ID, j.Attempt)
			}
			if m := clientLeak.FindString(j.Error); m != "" {
				f.t.Errorf("job %s error leaks %q: %s", j.ID, m, j.Error)
			}
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("jobs stuck after the restart: %+v", proj.Jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func newFaultRun(t *testing.T, url string, stems []string, refs []map[string]string) *faultRun {
	c, err := newAPIProject(url)
	if err != nil {
		t.Fatal(err)
	}
	return &faultRun{t: t, c: c, stems: stems, refs: refs}
}

// TestFaultSuite kills the server at every fault point of the scenario and
// checks the service after a restart. It prints, per point, where the
// scenario was cut and what the restart found.
func TestFaultSuite(t *testing.T) {
	t.Parallel()
	skipShort(t, "kills and restarts the server binary")
	stems := faultStems(t)
	// The clean run gives the reference outputs. Its sweep of the first
	// render is held midway, so that its blobs are looked at while the
	// sweep that follows the second render's publication still runs, as
	// a loaded machine had them.
	data := t.TempDir()
	srv := startEnv(t, data, faultpoint.DelayEnv+"=sweep-midway*=2s")
	clean := newFaultRun(t, srv.url, stems, nil)
	if err := clean.phase1(true); err != nil {
		t.Fatal(err)
	}
	if len(clean.refs) != 2 || len(clean.refs[0]) == 0 || equalDigests(clean.refs[0], clean.refs[1]) {
		t.Fatalf("clean run: want two different non-empty renders, got %v", clean.refs)
	}
	clean.phase2(data)
	srv.Kill()
	refs := clean.refs

	var mu sync.Mutex
	var summary []string
	t.Run("points", func(t *testing.T) {
		for _, point := range faultPoints {
			t.Run(strings.ReplaceAll(point, ":", "#"), func(t *testing.T) {
				t.Parallel()
				data := t.TempDir()
				env := []string{faultpoint.Env + "=" + point}
				if d := faultDelays[point]; d != "" {
					env = append(env, faultpoint.DelayEnv+"="+d)
				}
				srv := startEnv(t, data, env...)
				f := newFaultRun(t, srv.url, stems, refs)
				// A point after the job reads done (the replaced render's
				// sweep, which follows its successor's publication) may be
				// reached after the scenario's last answer: the server is
				// then to die unprompted.
				err := f.phase1(false)
				if !srv.exited(30 * time.Second) {
					if err == nil {
						t.Fatalf("the scenario finished without reaching %s", point)
					}
					t.Fatalf("the server is alive after %v; it was to die at %s", err, point)
				}
				if err == nil {
					t.Logf("the scenario finished before the server died at %s", point)
				}
				before := f.listings
				t0 := time.Now()
				srv = startEnv(t, data)
				f.c.Base = srv.url
				f.phase2(data)
				mu.Lock()
				summary = append(summary, fmt.Sprintf("%-20s killed after %d verified listings; recovered, %d listings verified, in %.1f s", point, before, f.listings, time.Since(t0).Seconds()))
				mu.Unlock()
			})
		}
	})
	for _, s := range summary {
		fmt.Println("fault:", s)
	}
	fmt.Printf("fault suite: %d kill points, every listing byte-identical to a clean render, no job over 3 attempts or stuck\n", len(summary))
}

// TestCrashLoopIsBounded kills the server in the middle of the same render
// on every start: after three crashes the render fails for good with a
// clear message, and the server stays up.
func TestCrashLoopIsBounded(t *testing.T) {
	t.Parallel()
	skipShort(t, "kills and restarts the server binary")
	data := t.TempDir()
	stems := faultStems(t)
	srv := startEnv(t, data, faultpoint.Env+"=render-midway")
	f := newFaultRun(t, srv.url, stems, nil)
	for _, p := range stems {
		if err := f.upload(p); err != nil {
			t.Fatal(err)
		}
	}
	var q struct{ Job string }
	if _, err := f.c.Do("POST", f.c.Path("/render"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	// Each start dies in the render, until the job fails instead of
	// running; then the server stays up.
	exited := make(chan struct{})
	watch := func(p *serverProc) {
		go func() { p.Cmd.Wait(); exited <- struct{}{} }()
	}
	watch(srv)
	crashes := 0
	var j apiclient.Job
	// Generous: three server starts and three renders up to the crash, on
	// a loaded machine; only a job that never fails takes this long.
	deadline := time.Now().Add(3 * time.Minute)
	for crashes <= 5 && time.Now().Before(deadline) {
		select {
		case <-exited:
			crashes++
			srv = startEnv(t, data, faultpoint.Env+"=render-midway")
			f.c.Base = srv.url
			watch(srv)
			continue
		case <-time.After(50 * time.Millisecond):
		}
		if got, err := f.c.Job(q.Job); err == nil && got.State == "failed" {
			j = got
			break
		}
	}
	if crashes != 3 || j.State != "failed" || j.Attempt != 3 || !strings.Contains(j.Error, "crashed the worker 3 times") {
		t.Errorf("after %d crashes the job is %+v; want 3 crashes, then failed on attempt 3: crashed the worker 3 times", crashes, j)
	}
	t.Logf("crash loop: %d crashes, then %q", crashes, j.Error)
	// The last server stays up: kill it here and let its watcher reap it,
	// so the cleanup finds it reaped instead of waiting on it a second
	// time beside the watcher.
	srv.Cmd.Process.Kill()
	<-exited
}

// TestShutdownDoesNotUseAnAttempt stops the server with SIGTERM while a
// render runs, then kills it (SIGKILL) in the same render, then lets the
// render finish: the graceful shutdown queues the render again without
// using an attempt, the crash uses one, so the render ends done on its
// second attempt (a shutdown that counted would make it the third).
func TestShutdownDoesNotUseAnAttempt(t *testing.T) {
	t.Parallel()
	skipShort(t, "stops and restarts the server binary")
	data := t.TempDir()
	stems := faultStems(t)
	start := func(env ...string) *serverProc {
		return startServerEnv(t, data, env, "--min-free-mb", "-1", "--stop-wait", "100ms", faultLease)
	}
	// Past a third of the render every progress report is held for a
	// second, so the render (some five reports from its end when it is
	// seen running) is still running when the shutdown's wait is up.
	srv := start(faultpoint.DelayEnv + "=render-midway*=1s")
	f := newFaultRun(t, srv.url, stems, nil)
	for _, p := range stems {
		if err := f.upload(p); err != nil {
			t.Fatal(err)
		}
	}
	job := f.c.queue(t, "render")
	f.c.waitRunning(t, job, 60*time.Second)
	if err := srv.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !srv.exited(60 * time.Second) {
		t.Fatal("the server did not stop within 60 s of SIGTERM")
	}
	if !srv.Cmd.ProcessState.Success() {
		t.Errorf("SIGTERM: the server exited with %v", srv.Cmd.ProcessState)
	}

	// The next start crashes in the render.
	srv = start(faultpoint.Env + "=render-midway")
	if !srv.exited(60 * time.Second) {
		t.Fatal("the server armed to crash in the render is still up after 60 s")
	}

	srv = start()
	f.c.Base = srv.url
	j, err := f.c.WaitJob(job, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != "done" || j.Attempt != 2 {
		t.Errorf("render after a shutdown and a crash: %+v; want done on attempt 2 (the crash counts, the shutdown does not)", j)
	}
	t.Logf("graceful shutdown then crash: the render finished on attempt %d", j.Attempt)
}
