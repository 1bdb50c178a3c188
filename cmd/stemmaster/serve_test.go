package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/pgtest"
)

// TestRestartMidRender kills the server with SIGKILL while it renders,
// starts it again on the same data directory, and checks that the render
// is retried, completes, and its master meets the streaming target.
func TestRestartMidRender(t *testing.T) {
	t.Parallel()
	skipShort(t, "builds and runs the server binary")
	data := t.TempDir()
	paths := demoStemFiles(t)

	// The render is held a third of the way through, so the kill lands
	// mid-render however fast the engine is; the restarted server runs
	// without the hold.
	srv := startServerEnv(t, data, []string{"STEMMASTER_FAULT_DELAY=render-midway=60s"}, faultLease)
	c := uploadProject(t, srv.url, paths)
	job := c.queue(t, "render")
	// Kill as soon as the render has made progress.
	c.waitRunningPast(t, job, 50*time.Second, 0)
	srv.Kill()
	t.Log("killed the server mid-render")

	srv = startServer(t, data, faultLease)
	c.Base = srv.url
	j, err := c.WaitJob(job, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != "done" || j.Attempt < 2 {
		t.Fatalf("after restart the job is %+v, want done on attempt ≥ 2", j)
	}
	var proj struct {
		Stems []struct{ Name string } `json:"stems"`
	}
	if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
		t.Fatal(err)
	}
	if len(proj.Stems) != len(paths) {
		t.Errorf("%d stems after the restart, want %d", len(proj.Stems), len(paths))
	}
	master := filepath.Join(t.TempDir(), "main.wav")
	f, err := os.Create(master)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do("GET", c.Path("/outputs/main.wav"), nil, "", f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The streaming preset: -14 LUFS integrated, -1 dBTP (docs/session.md); the
	// engine lands within ±0.1 LU by our meter.
	const tolLU = 0.1
	res := measureFile(t, master)
	if math.Abs(res.IntegratedLUFS-(-14)) > tolLU || res.TruePeakDBTP > -1+0.005 {
		t.Errorf("master after restart: %.2f LUFS, %.2f dBTP; want -14 ± %.1f LUFS, ≤ -1 dBTP", res.IntegratedLUFS, res.TruePeakDBTP, tolLU)
	}
	t.Logf("master after restart: %.2f LUFS, %.2f dBTP, attempt %d", res.IntegratedLUFS, res.TruePeakDBTP, j.Attempt)
}

// TestLoad runs 20 projects at once against one server: each uploads two
// short stems and renders; all must complete with no error and every file
// present. It prints the throughput.
func TestLoad(t *testing.T) {
	// Not parallel: the throughput it prints is of this test alone.
	skipShort(t, "load test")
	const (
		projects = 20
		seconds  = 4 // per stem
		rate     = 48000
	)
	data := t.TempDir()
	stems := t.TempDir()
	var paths []string
	for i, name := range []string{"drums.wav", "bass.wav"} {
		buf := audiotest.PinkNoise(uint64(i+1), 2, seconds*rate, -12)
		paths = append(paths, audiotest.WriteWAV(t, stems, name, buf, rate, 24))
	}
	var stemBytes int64
	for _, p := range paths {
		st, _ := os.Stat(p)
		stemBytes += st.Size()
	}
	srv := startServer(t, data, "--creates-per-minute", "100", "--jobs-per-client", "100")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, projects)
	var mu sync.Mutex
	var renderTimes []time.Duration
	for i := 0; i < projects; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := func() error {
				c, err := newAPIProject(srv.url)
				if err != nil {
					return err
				}
				for _, p := range paths {
					if err := c.uploadFile(p); err != nil {
						return err
					}
				}
				var queued struct{ Job string }
				if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
					return err
				}
				t0 := time.Now()
				j, err := c.WaitJob(queued.Job, time.Until(deadlineOf(ctx)))
				if err != nil {
					return err
				}
				if j.State != "done" {
					return fmt.Errorf("project %s: job %+v", c.ID, j)
				}
				mu.Lock()
				renderTimes = append(renderTimes, time.Since(t0))
				mu.Unlock()
				var proj struct {
					Stems   []struct{ Name string } `json:"stems"`
					Outputs []struct{ Name string } `json:"outputs"`
				}
				if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
					return err
				}
				if len(proj.Stems) != len(paths) {
					return fmt.Errorf("project %s lost a stem: %v", c.ID, proj.Stems)
				}
				var master bytes.Buffer
				if _, err := c.Do("GET", c.Path("/outputs/main.wav"), nil, "", &master); err != nil {
					return err
				}
				if master.Len() < seconds*rate*6 {
					return fmt.Errorf("project %s: main.wav is %d bytes", c.ID, master.Len())
				}
				return nil
			}()
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wall := time.Since(start)
	audioS := float64(projects * seconds)
	fmt.Printf("load: %d projects × 2 stems × %d s in %.1f s: %.2f renders/s, %.1f s of audio mastered per s, %.1f MB uploaded at %.1f MB/s\n",
		projects, seconds, wall.Seconds(), float64(projects)/wall.Seconds(), audioS/wall.Seconds(),
		float64(projects)*float64(stemBytes)/1e6, float64(projects)*float64(stemBytes)/1e6/wall.Seconds())
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	checkExits(t, []exitCase{
		{"no-work on SQLite", []string{"serve", "--no-work", "--data", t.TempDir()}, exitUsage, "--no-work needs --db postgres"},
		{"worker without PostgreSQL", []string{"worker", "--data", t.TempDir()}, exitUsage, "worker needs --db postgres"},
		{"worker without blobs", []string{"worker", "--db", "postgres://localhost/x", "--data", t.TempDir()}, exitUsage, "worker needs --blobs"},
		{"bad price list", []string{"serve", "--prices", "/nonexistent/prices.json", "--data", t.TempDir()}, exitUsage, "prices.json"},
		{"serve takes no arguments", []string{"serve", "extra"}, exitUsage, ""},
	})
}

// TestDataDirLockedAndDemo starts a server, checks that a second one on
// the same data directory refuses to start (the embedded queue owns its
// database), and that "Try the demo" makes a project with the demo stems.
func TestDataDirLockedAndDemo(t *testing.T) {
	t.Parallel()
	skipShort(t, "builds and runs the server binary")
	data := t.TempDir()
	srv := startServer(t, data)
	code, _, stderr := runCLI("serve", "--addr", "127.0.0.1:0", "--data", data)
	if code != exitInputError || !strings.Contains(stderr, "in use by another stemmaster server") {
		t.Errorf("second server: exit %d, %q", code, stderr)
	}

	c := &apiClient{&apiclient.Project{Base: srv.url}}
	var res struct{ ID, Token string }
	if _, err := c.Do("POST", "/api/projects", strings.NewReader(`{"demo": true}`), "application/json", &res); err != nil {
		t.Fatal(err)
	}
	c.ID, c.Token = res.ID, res.Token
	var proj struct {
		Stems []struct {
			Name       string
			SampleRate int `json:"sample_rate"`
		} `json:"stems"`
	}
	if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
		t.Fatal(err)
	}
	want := demosong.Stems(8000) // names only; the rate does not matter here
	if len(proj.Stems) != len(want) {
		t.Fatalf("demo project has %d stems, want %d", len(proj.Stems), len(want))
	}
	for _, st := range proj.Stems {
		if st.SampleRate != demoRate {
			t.Errorf("%s at %d Hz, want %d", st.Name, st.SampleRate, demoRate)
		}
	}
}

// TestScaleOut runs the web front end and two workers as separate
// processes on PostgreSQL (STEMMASTER_TEST_POSTGRES, an empty database)
// and a shared blob directory, and renders three projects.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	pg := pgTestURL(t)
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg, "--blobs", blobs, "--no-work")
	for i := 0; i < 2; i++ {
		startWorker(t, pg, blobs, nil)
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &apiClient{&apiclient.Project{Base: web.url}}
			var res struct{ ID, Token string }
			if _, err := c.Do("POST", "/api/projects", strings.NewReader(`{"demo": true}`), "application/json", &res); err != nil {
				t.Error(err)
				return
			}
			c.ID, c.Token = res.ID, res.Token
			var queued struct{ Job string }
			if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
				t.Error(err)
				return
			}
			j, err := c.WaitJob(queued.Job, 90*time.Second)
			if err != nil || j.State != "done" {
				t.Errorf("project %s: %+v %v", c.ID, j, err)
			}
		}()
	}
	wg.Wait()
}

// pgTestURL is the PostgreSQL database of the scale-out tests; the test is
// skipped without one.
func pgTestURL(t *testing.T) string {
	pg := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if pg == "" || testing.Short() {
		t.Skip("set STEMMASTER_TEST_POSTGRES=postgres://… to run the web front end and workers on PostgreSQL")
	}
	return pg
}

// renderGate holds every render of the workers started with its env at
// the moment it has claimed its place (faultpoint "render-started"),
// until the test lets it go.
type renderGate struct {
	t   *testing.T
	dir string
}

func newRenderGate(t *testing.T) *renderGate { return &renderGate{t: t, dir: t.TempDir()} }

// env arms the gate in a worker's environment.
func (g *renderGate) env() []string {
	return []string{faultpoint.GateEnv + "=render-started=" + g.dir}
}

// held lists the renders waiting at the gate now.
func (g *renderGate) held() []string {
	g.t.Helper()
	waits, err := filepath.Glob(filepath.Join(g.dir, "*.wait"))
	if err != nil {
		g.t.Fatal(err)
	}
	var held []string
	for _, w := range waits {
		base := strings.TrimSuffix(w, ".wait")
		if _, err := os.Stat(base + ".go"); err != nil {
			held = append(held, base)
		}
	}
	return held
}

// release lets the renders held go on.
func (g *renderGate) release(held []string) {
	g.t.Helper()
	for _, base := range held {
		if err := os.WriteFile(base+".go", nil, 0o644); err != nil {
			g.t.Fatal(err)
		}
	}
}

// waitFor polls cond (every 20 ms) until it holds, failing the test after
// a bound far above what any machine takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("3 minutes without %s", what)
		}
		time.Sleep(20 * time.Millisecond) // a look, not a guess at a duration
	}
}

// TestMaxRendersAcrossWorkers runs three worker processes on one
// PostgreSQL, every render held at a gate once it has claimed its place.
// Without a global limit, two renders stand at the gate at once. With
// --max-renders 1, while one render is held every other render still
// queued is tried by a worker (River fetched it after the gate closed on
// the first) and refused, so no second one ever reaches the gate or runs;
// each is then let go in turn and every render completes, a project's
// second render too, queued while its first waits (--renders-per-project
// 1). Nothing here waits on a duration.
func TestMaxRendersAcrossWorkers(t *testing.T) {
	skipShort(t, "runs PostgreSQL and four server processes")
	pg := pgtest.Start(t)
	db, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg.URL, "--no-work", "--blobs", blobs)
	stems := shortStems(t, 2, 2)
	workers := func(g *renderGate, extra ...string) []*serverProc {
		var ws []*serverProc
		for i := 0; i < 3; i++ {
			ws = append(ws, startWorker(t, pg.URL, blobs, g.env(), extra...))
		}
		return ws
	}
	type queued struct {
		c   *apiClient
		job string
	}
	// queue queues one render of each of n projects (and, with supersede,
	// a second render of the first project).
	queue := func(n int, supersede bool) []queued {
		var qs []queued
		var cs []*apiClient
		for i := 0; i < n; i++ {
			cs = append(cs, uploadProject(t, web.url, stems))
		}
		for _, c := range cs {
			qs = append(qs, queued{c, c.queue(t, "render")})
		}
		if supersede {
			qs = append(qs, queued{qs[0].c, qs[0].c.renderNoted(t, "again")})
		}
		return qs
	}
	ended := func(qs []queued) []apiclient.Job {
		var js []apiclient.Job
		for _, q := range qs {
			js = append(js, waitEnded(t, q.c, q.job, 180*time.Second))
		}
		return js
	}
	running := func() int {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'render' AND state = 'running'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	free := newRenderGate(t)
	ws := workers(free)
	qs := queue(3, false)
	waitFor(t, "two renders at the gate at once", func() bool { return len(free.held()) >= 2 })
	t.Logf("without --max-renders: %d renders held at once, %d running", len(free.held()), running())
	stopRelease := make(chan struct{})
	released := make(chan struct{})
	go func() {
		defer close(released)
		for {
			free.release(free.held())
			select {
			case <-stopRelease:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	for _, j := range ended(qs) {
		if j.State != "done" {
			t.Errorf("without a global limit a render ended %+v", j)
		}
	}
	close(stopRelease)
	<-released
	for _, w := range ws {
		w.Kill()
	}

	// The workers start once every render is queued: the first project's
	// first render is superseded while it waits, never while held at the
	// gate (a cancelled render held there would no longer count as
	// running and let another one in).
	qs = queue(4, true)
	one := newRenderGate(t)
	workers(one, "--max-renders", "1", "--renders-per-project", "1")
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.job
	}
	// queuedTried reports whether every render still queued was fetched
	// by a worker after since (the database's clock): with one render
	// held, such a fetch was a claim refused.
	queuedTried := func(since time.Time) bool {
		var left int
		err := db.QueryRow(`SELECT COUNT(*) FROM jobs j WHERE j.kind = 'render' AND j.state = 'queued' AND j.id = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM river_job r WHERE r.kind = 'stemmaster_render' AND r.args->>'job_id' = j.id AND r.attempted_at > $2)`,
			ids, since).Scan(&left)
		if err != nil {
			t.Fatal(err)
		}
		return left == 0
	}
	queuedLeft := func() int {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'render' AND state IN ('queued', 'running') AND id = ANY($1)`, ids).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for steps := 0; queuedLeft() > 0; steps++ {
		if steps > len(qs) {
			t.Fatalf("%d renders let go and %d still unfinished", steps, queuedLeft())
		}
		var held []string
		waitFor(t, "a render at the gate", func() bool {
			held = one.held()
			return len(held) > 0 || queuedLeft() == 0
		})
		if len(held) == 0 {
			break // the last one was superseded before it claimed
		}
		var since time.Time
		if err := db.QueryRow(`SELECT now()`).Scan(&since); err != nil {
			t.Fatal(err)
		}
		overlap := func() {
			if held = one.held(); len(held) != 1 || running() != 1 {
				t.Fatalf("with --max-renders 1 on three workers, %d renders held and %d running at once", len(held), running())
			}
		}
		waitFor(t, "every queued render tried while one is held", func() bool { overlap(); return queuedTried(since) })
		overlap()
		one.release(held)
	}
	for i, j := range ended(qs) {
		want := "done"
		if i == 0 {
			want = "cancelled" // superseded by the last
		}
		if j.State != want {
			t.Errorf("render %d ended %+v, want %s", i, j, want)
		}
	}
}

// TestScaleOutOutOfOrder runs the web front end and two workers on
// PostgreSQL (STEMMASTER_TEST_POSTGRES, an empty database). Worker A is
// slow: it holds its first render 4 s before publishing and its first
// check 8 s before storing it (time for an upload on a loaded machine). A render queued first on A finishes after a
// newer one on B: the newer stays published. Then, with A alone, a stem is
// uploaded while A checks: the stale check is not stored.
func TestScaleOutOutOfOrder(t *testing.T) {
	pg := pgTestURL(t)
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg, "--blobs", blobs, "--no-work", "--min-free-mb", "-1")
	startWorker(t, pg, blobs, []string{faultpoint.DelayEnv + "=render-uploaded=4s,check-measured=8s"})

	stems := faultStems(t)
	f := newFaultRun(t, web.url, stems, nil)
	for _, p := range stems[:1] {
		if err := f.upload(p); err != nil {
			t.Fatal(err)
		}
	}
	put := func(session string) {
		if _, err := f.c.Do("PUT", f.c.Path("/session"), strings.NewReader(session), "application/json", nil); err != nil {
			t.Fatal(err)
		}
	}
	render := func() string {
		var q struct{ Job string }
		if _, err := f.c.Do("POST", f.c.Path("/render"), nil, "", &q); err != nil {
			t.Fatal(err)
		}
		return q.Job
	}
	put(`{"stems":[{"file":"drums.wav","gain_db":-3}]}`)
	older := render()
	// Worker A, the only one, takes it and holds it before publishing
	// (the bound only decides how long a render never held takes to fail).
	deadline := time.Now().Add(2 * time.Minute)
	for {
		j, err := f.c.Job(older)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "running" && j.Progress >= 0.9 {
			break
		}
		if j.State == "done" || time.Now().After(deadline) {
			t.Fatalf("the older render was not held on worker A: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := startWorker(t, pg, blobs, nil)
	put(`{"stems":[{"file":"drums.wav","gain_db":-6}]}`)
	newer := render()
	if err := f.waitDone(newer); err != nil {
		t.Fatal(err)
	}
	published, err := f.listing()
	if err != nil {
		t.Fatal(err)
	}
	// The newer render cancels the older when it is queued (superseded);
	// should the older reach publication first, the generation check
	// still refuses it. Either way it publishes nothing.
	j := waitEnded(t, f.c, older, 60*time.Second)
	var view struct {
		Jobs []struct{ ID, Stage string } `json:"jobs"`
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &view)
	for _, v := range view.Jobs {
		if v.ID == older && v.Stage != "superseded" && !(j.State == "cancelled" && strings.Contains(j.Error, "superseded")) {
			t.Errorf("the older render finished %+v (stage %q), want superseded", j, v.Stage)
		}
	}
	after, err := f.listing()
	if err != nil {
		t.Fatal(err)
	}
	if len(published) == 0 || !equalDigests(published, after) {
		t.Errorf("the older render, finishing last, changed the published outputs:\nbefore %v\nafter  %v", published, after)
	}
	t.Logf("out of order: the newer render (worker B) published, the older (worker A, 4 s late) superseded; outputs unchanged")

	// A stale check: worker B goes, A checks slowly while a stem arrives.
	b.Kill()
	var q struct{ Job string }
	if _, err := f.c.Do("POST", f.c.Path("/check"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	// A has read the project's stems once the check shows progress (it
	// records its first after reading them); it measures, then holds 8 s
	// before storing.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		j, err := f.c.Job(q.Job)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "running" && j.Progress > 0 {
			break
		}
		if j.Ended() || time.Now().After(deadline) {
			t.Fatalf("the check never started measuring on worker A: %+v", j)
		}
	}
	if err := f.upload(stems[1]); err != nil {
		t.Fatal(err)
	}
	if err := f.waitDone(q.Job); err != nil {
		t.Fatal(err)
	}
	var proj struct {
		Check any                          `json:"check"`
		Jobs  []struct{ ID, Stage string } `json:"jobs"`
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &proj)
	if proj.Check != nil {
		t.Errorf("a check of the stems before the upload landed: %v", proj.Check)
	}
	for _, v := range proj.Jobs {
		if v.ID == q.Job && v.Stage != "superseded" {
			t.Errorf("stale check job stage %q, want superseded", v.Stage)
		}
	}
	// Checked again, the current stems' report lands.
	if _, err := f.c.Do("POST", f.c.Path("/check"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	if err := f.waitDone(q.Job); err != nil {
		t.Fatal(err)
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &proj)
	if proj.Check == nil {
		t.Error("the check of the current stems did not land")
	}
}

// TestMetricsProtected runs serve with --metrics-token: /metrics answers
// 401 without the token and the figures with it; the probes stay open.
// With --metrics-addr as well, the public address has no /metrics at all
// and the internal one asks for the token. Without a token, the public
// address answers only this host, the internal one anyone.
func TestMetricsProtected(t *testing.T) {
	skipShort(t, "runs the server binary")
	get := func(url, token string) (int, string) {
		t.Helper()
		var hdr []string
		if token != "" {
			hdr = []string{"Authorization", "Bearer " + token}
		}
		code, body := httpGet(t, url, hdr...)
		return code, string(body)
	}
	const figures = "stemmaster_http_requests_total"
	web := startServer(t, t.TempDir(), "--metrics-token", "m3trics-token-012")
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 401}, {"m3trics-token-012", 200}} {
		code, body := get(web.url+"/metrics", c.token)
		if code != c.want || (code == 200) != strings.Contains(body, figures) {
			t.Errorf("/metrics with token %q: %d %.80q, want %d", c.token, code, body, c.want)
		}
	}
	if code, _ := get(web.url+"/healthz", ""); code != 200 {
		t.Errorf("/healthz with a metrics token: %d, want 200", code)
	}

	freeAddr := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	internal := freeAddr()
	web = startServer(t, t.TempDir(), "--metrics-token", "m3trics-token-012", "--metrics-addr", internal)
	if code, body := get(web.url+"/metrics", "m3trics-token-012"); strings.Contains(body, figures) {
		t.Errorf("public /metrics with --metrics-addr: %d, serves the figures", code)
	}
	if code, _ := get("http://"+internal+"/metrics", ""); code != 401 {
		t.Errorf("internal /metrics without the token: %d, want 401", code)
	}
	if code, body := get("http://"+internal+"/metrics", "m3trics-token-012"); code != 200 || !strings.Contains(body, figures) {
		t.Errorf("internal /metrics with the token: %d, lacks %s", code, figures)
	}
	if code, _ := get("http://"+internal+"/readyz", ""); code != 200 {
		t.Errorf("internal /readyz: %d, want 200", code)
	}

	// No token: the public address answers only this host (a request a
	// proxy forwards is refused); --metrics-addr, an internal address,
	// answers anyone.
	internal = freeAddr()
	startServer(t, t.TempDir(), "--metrics-addr", internal)
	if code, body := httpGet(t, "http://"+internal+"/metrics", "X-Forwarded-For", "198.51.100.7"); code != 200 || !strings.Contains(string(body), "stemmaster_projects") {
		t.Errorf("internal /metrics without a token, forwarded: %d, lacks stemmaster_projects", code)
	}
	web = startServer(t, t.TempDir())
	if code, body := get(web.url+"/metrics", ""); code != 200 || !strings.Contains(body, "stemmaster_projects") {
		t.Errorf("public /metrics without a token from this host: %d, lacks stemmaster_projects", code)
	}
	if code, body := httpGet(t, web.url+"/metrics", "X-Forwarded-For", "198.51.100.7"); code != 403 || !strings.Contains(string(body), "--metrics-token") {
		t.Errorf("public /metrics without a token, forwarded by a proxy on this host: %d %.100q, want 403 naming --metrics-token", code, body)
	}
}

// TestScaleOutKilledFrontEndLeavesNoSpool kills a front end (serve
// --no-work on PostgreSQL; the name puts it in scripts/test.sh's
// PostgreSQL run) with SIGKILL while it spools an upload, and starts
// another on the same --data at once, as systemd does: the new one removes
// the dead one's spool file as it starts. The age rule alone kept such
// files for half an hour (a front end crashing on every few uploads filled
// its disk with them).
func TestScaleOutKilledFrontEndLeavesNoSpool(t *testing.T) {
	t.Parallel()
	pg := pgTestURL(t)
	blobs, data := t.TempDir(), t.TempDir()
	args := []string{"--db", pg, "--blobs", blobs, "--no-work", "--min-free-mb", "-1"}
	web := startServer(t, data, args...)
	c, err := newAPIProject(web.url)
	if err != nil {
		t.Fatal(err)
	}
	wav, err := os.ReadFile(audiotest.WriteWAV(t, t.TempDir(), "drums.wav", audiotest.PinkNoise(3, 2, 480000, -12), 48000, 24))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	go c.Upload("stems", "drums.wav", pr)
	go pw.Write(wav[:len(wav)/2]) // the rest never comes: the upload is in flight when the front end dies
	spooled := func() []string {
		var files []string
		filepath.WalkDir(filepath.Join(data, "tmp"), func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		return files
	}
	for deadline := time.Now().Add(30 * time.Second); len(spooled()) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no spool file appeared in --data/tmp")
		}
	}
	web.Kill()
	left := spooled()
	startServer(t, data, args...)
	for _, f := range left {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("the killed front end's spool file %s is still there after the restart", f)
		}
	}
}
