package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/store"
)

// queue POSTs …/check or …/render and returns the status, the job and
// whether the answer said it was an existing one.
func (c *client) queue(kind string, want int) (string, bool) {
	c.t.Helper()
	var res struct {
		Job      string
		Existing bool
	}
	c.do("POST", c.p("/"+kind), nil, "", want, &res)
	return res.Job, res.Existing
}

func (c *client) putSession(gainDB float64) {
	c.t.Helper()
	c.do("PUT", c.p("/session"), strings.NewReader(fmt.Sprintf(`{"stems":[{"file":"drums.wav","gain_db":%g}]}`, gainDB)), "application/json", http.StatusOK, nil)
}

// putWAVOutput PUTs a session of the drums stem asking for one 24-bit WAV
// at the song's rate.
func (c *client) putWAVOutput() {
	c.t.Helper()
	c.do("PUT", c.p("/session"), strings.NewReader(`{"stems":[{"file":"drums.wav"}],"outputs":[{"format":"wav","bit_depth":24}]}`), "application/json", http.StatusOK, nil)
}

// renderTooLarge POSTs …/render, which the storage bounds must refuse
// (413), and returns the error the answer gives.
func (c *client) renderTooLarge() apiError {
	c.t.Helper()
	var e apiError
	c.do("POST", c.p("/render"), nil, "", http.StatusRequestEntityTooLarge, &e)
	return e
}

// TestRepeatedRenderSharesOneJob: requests for the render already queued
// or running answer it (200) instead of making a job each; a new session
// makes a new render (202) that supersedes the older.
func TestRepeatedRenderSharesOneJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	release := b.blockRenders()
	defer close(release)
	c := b.newDrumsProject(t, 4800)
	first, existing := c.queue("render", http.StatusAccepted)
	if existing {
		t.Errorf("the first render says it is an existing one")
	}
	for i := 0; i < 30; i++ {
		job, existing := c.queue("render", http.StatusOK)
		if job != first || !existing {
			t.Fatalf("repeat %d: job %s (existing %v), want %s", i, job, existing, first)
		}
	}
	c.putSession(-6)
	second, _ := c.queue("render", http.StatusAccepted)
	if second == first {
		t.Fatalf("a new session's render got the older job")
	}
	if again, _ := c.queue("render", http.StatusOK); again != second {
		t.Errorf("a repeat of the new session's render got %s, want %s", again, second)
	}
	var p ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if len(p.Jobs) != 2 || p.Jobs[0].ID != second || p.Jobs[1].ID != first {
		t.Fatalf("project lists %+v, want the two renders newest first", p.Jobs)
	}
	// Queuing the newer render cancelled the older before answering.
	var j JobView
	c.do("GET", c.p("/jobs/"+first), nil, "", http.StatusOK, &j)
	if j.State != "cancelled" || !strings.Contains(j.Error, "superseded") {
		t.Errorf("older render %+v, want cancelled as superseded", j)
	}
}

// TestActiveJobBounds: over the project's or the client's bound of active
// jobs, a request answers 429 too_many_jobs with Retry-After.
func TestActiveJobBounds(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.ActiveJobsPerProject = 1; c.ActiveJobsPerClient = 2 })
	release := b.blockRenders()
	defer close(release)
	c := b.newDrumsProject(t, 4800)
	c.queue("render", http.StatusAccepted)
	c.putSession(-6)
	assert429 := func(c *client, kind, says string) {
		t.Helper()
		res, err := http.DefaultClient.Do(c.request("POST", c.p("/"+kind), nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		ra := res.Header.Get("Retry-After")
		if res.StatusCode != http.StatusTooManyRequests || body.Error.Code != "too_many_jobs" || ra == "" ||
			!strings.Contains(body.Error.Message, says) || !strings.Contains(body.Error.Message, "(about "+ra+" s)") {
			t.Errorf("%s over the bound: %d %+v Retry-After %q, want 429 too_many_jobs naming %q", kind, res.StatusCode, body, res.Header.Get("Retry-After"), says)
		}
	}
	assert429(c, "render", "this project has 1")
	assert429(c, "check", "this project has 1")
	// The client's second job fits on another project, its third does
	// not.
	d := b.newDrumsProject(t, 4800)
	d.queue("render", http.StatusAccepted)
	e := b.newDrumsProject(t, 4800)
	assert429(e, "render", "you have 2")
	var p ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if len(p.Jobs) != 1 {
		t.Errorf("refused requests left jobs: %+v", p.Jobs)
	}
}

// TestJobBoundsBehindOneAddress: the active-job bound of an address is
// ClientsPerAddress times one client's, so the projects of people behind
// one NAT each get their jobs; each project keeps its own bound.
func TestJobBoundsBehindOneAddress(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.ActiveJobsPerProject = 1; c.ActiveJobsPerClient = 1; c.ClientsPerAddress = 2 })
	release := b.blockRenders()
	defer close(release)
	c := b.newDrumsProject(t, 4800)
	c.queue("render", http.StatusAccepted)
	c.putSession(-6)
	c.queue("render", http.StatusTooManyRequests)
	d := b.newDrumsProject(t, 4800)
	d.queue("render", http.StatusAccepted)
	e := b.newDrumsProject(t, 4800)
	e.queue("render", http.StatusTooManyRequests)
}

// TestRenderOutputsAreBounded: a render's outputs counted against no
// limit, and a session may ask for 8 outputs in each of 4 versions at up
// to 384 kHz in float: from 10 MB of FLAC silence, over 100 GB a render.
// A render that would store more than Limits.MaxOutputBytes (twice the
// project's upload limit, at least 256 MiB, by default) is refused with
// what it would take;
// a smaller one of the same song is queued.
func TestRenderOutputsAreBounded(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.Limits.MaxOutputBytes = 3_000_000 })
	c := b.newDrumsProject(t, 24000)
	// 0.5 s at 384 kHz in 32-bit float stereo: 1.5 MB an output, written
	// twice at worst (engine.Scratch), with the preview and the report's
	// 1 MiB: 4.3 MB. At 48 kHz in 24-bit: 1.5 MB.
	c.do("PUT", c.p("/session"), strings.NewReader(`{"stems":[{"file":"drums.wav"}],"outputs":[{"format":"wav","bit_depth":32,"sample_format":"float","sample_rate":384000}]}`), "application/json", http.StatusOK, nil)
	e := c.renderTooLarge()
	if e.Error.Code != "too_large" || e.Error.Field != "outputs" || !strings.Contains(e.Error.Message, "MB of outputs") {
		t.Errorf("a render over the output bound: %+v, want too_large on outputs naming the size", e.Error)
	}
	c.putWAVOutput()
	c.queue("render", http.StatusAccepted)
}

// TestRenderWorkIsBudgeted: a render whose estimated work is over the
// server's budget (Config.RenderWork) is refused before it is queued, 422
// over_budget on the session, the message naming the work, the budget and
// what the work is made of; on SQLite and PostgreSQL. Under the budget it
// is queued.
func TestRenderWorkIsBudgeted(t *testing.T) {
	t.Parallel()
	// A 2 s song at 48 kHz, one stem, main: 2/60 × (1 + 8) = 0.3; the one
	// queued is 1 s: 0.15.
	checkRenderBudget(t, func(cfg *Config) { cfg.RenderWork = 0.2 }, "work",
		"work is 0.3 stem-minutes", "song of 0:02 at 48 kHz; stems: 1, versions: 1", "over the 0.2 one render may")
}

// TestRenderMemoryIsBudgeted: the work budget bounds CPU, not memory (a
// one-stem 20-minute song at 384 kHz fits it and needs 3.8 GB); a render
// whose estimated memory is over Config.RenderMemory is refused before it
// is queued, 422 over_budget on the session naming both figures, on
// SQLite and PostgreSQL. Under it, it is queued.
func TestRenderMemoryIsBudgeted(t *testing.T) {
	t.Parallel()
	// A 2 s song at 48 kHz: 64 MiB, 5 MiB for the stem read and 768 kB of
	// bus, 73.1 MB; the one queued is 1 s: 72.7 MB.
	checkRenderBudget(t, func(cfg *Config) { cfg.RenderMemory = 73_000_000 }, "memory",
		"needs about 74 MB of memory", "a song of 0:02 at 48 kHz", "8 bytes a frame", "over the 73 MB one render may")
}

// TestBudgetFiguresReadOver: a render's need just over its bound reads
// over it in the message (need rounded up, bound down), where rounding
// both to the nearest gave one figure twice: 2.148 GB needed over the
// 2 GiB default read "2.1 GB, over the 2.1 GB", 524.3 MB over
// --render-memory-mb 500 "525 MB, over the 525 MB", and 1920.004
// stem-minutes over the 1920 budget "1920, over the 1920". A figure on
// the grid reads as itself either way.
func TestBudgetFiguresReadOver(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ need, most int64 }{
		{2_148_000_000, 2 << 30}, {524_300_000, 500 << 20}, {73_100_000, 73_000_000}, {1_000_100_000, 1e9},
	} {
		if n, m := memFigure(c.need, true), memFigure(c.most, false); n == m {
			t.Errorf("memory %d over %d both read %s", c.need, c.most, n)
		}
	}
	for _, c := range []struct{ need, most float64 }{{1920.004, 1920}, {0.3, 0.2}, {0.2999, 0.29}, {2.0001, 2}} {
		if n, m := workFigure(c.need, true), workFigure(c.most, false); n == m {
			t.Errorf("work %g over %g both read %s", c.need, c.most, n)
		}
	}
	for _, c := range []struct {
		got, want string
	}{
		{memFigure(73_000_000, false), "73 MB"}, {memFigure(73_000_000, true), "73 MB"}, {memFigure(2e9, true), "2 GB"},
		{memFigure(2<<30, false), "2.1 GB"}, {workFigure(0.2, false), "0.2"}, {workFigure(0.29, true), "0.29"}, {workFigure(1920, true), "1920"},
	} {
		if c.got != c.want {
			t.Errorf("figure %q, want %q", c.got, c.want)
		}
	}
}

// checkRenderBudget holds a budget of one render (set by budget): a render
// of a 2 s one-stem song over it is refused before it is queued, 422
// over_budget on the session with a message saying each of wants, and
// leaves no job, on SQLite and PostgreSQL; a 1 s one under it is queued.
func checkRenderBudget(t *testing.T, budget func(*Config), what string, wants ...string) {
	t.Helper()
	for name, dbURL := range frontEndDatabases(t) {
		t.Run(name, func(t *testing.T) {
			b := frontEndsWith(t, dbURL, 1, DefaultLimits, budget)[0]
			c := b.newProject(t)
			c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, 96_000, 100)}, []string{"drums.wav"}, http.StatusCreated, nil)
			var e apiError
			c.do("POST", c.p("/render"), nil, "", http.StatusUnprocessableEntity, &e)
			for _, want := range wants {
				if e.Error.Code != "over_budget" || e.Error.Field != "session" || !strings.Contains(e.Error.Message, want) {
					t.Errorf("a render over the %s budget: %+v, want over_budget on the session saying %q", what, e.Error, want)
				}
			}
			var jobs struct{ Jobs []any }
			c.do("GET", c.p("/jobs"), nil, "", http.StatusOK, &jobs)
			if len(jobs.Jobs) != 0 {
				t.Errorf("a refused render left jobs: %v", jobs.Jobs)
			}
		})
	}
	b := setupWith(t, budget)
	c := b.newDrumsProject(t, 48_000)
	c.queue("render", http.StatusAccepted)
}

// addressBoundRender sets up a server whose address may store maxBytes
// (Limits.MaxClientBytes) and a project on it of 0.5 s of drums (144 kB
// uploaded) whose session asks for one 24-bit WAV: a render of 1.5 MB at
// most.
func addressBoundRender(t *testing.T, maxBytes int64) (*testBundle, *client) {
	t.Helper()
	b := setupWith(t, func(c *Config) { c.Limits.MaxClientBytes = maxBytes })
	c := b.newDrumsProject(t, 24000)
	c.putWAVOutput()
	return b, c
}

// TestRenderOutputsCountAgainstTheAddress: a render whose outputs would
// take what the address's projects store over Limits.MaxClientBytes is
// refused 413 storage_full on outputs, however small the render. A
// project of no recorded client (made before clients were recorded)
// counts against no address, for its renders as for its uploads.
func TestRenderOutputsCountAgainstTheAddress(t *testing.T) {
	t.Parallel()
	b, c := addressBoundRender(t, 1_000_000)
	e := c.renderTooLarge()
	if e.Error.Code != "storage_full" || e.Error.Field != "outputs" || !strings.Contains(e.Error.Message, "this render") {
		t.Errorf("a render past the address's storage: %+v, want storage_full on outputs", e.Error)
	}
	if _, err := b.meta.DB().Exec(`UPDATE projects SET client = '', client_net = '' WHERE id = ?`, c.id); err != nil {
		t.Fatal(err)
	}
	c.queue("render", http.StatusAccepted)
}

// TestRenderWithUploadsInFlight: the uploads in flight to the address's
// projects count against its storage when a render is queued, as they do
// against another upload, and a render queued counts against the uploads
// that follow it: one anonymous client racing uploads against renders
// stored past its bound, each judged against what was recorded. Once the
// upload is cut, the render fits.
func TestRenderWithUploadsInFlight(t *testing.T) {
	t.Parallel()
	b, c := addressBoundRender(t, 1_900_000)
	other := b.newProject(t) // the same address's
	cut := holdUpload(t, b, other, "/stems", "a.wav", wavBytes(t, 48_000, 1000)[:250_000])
	e := c.renderTooLarge()
	if e.Error.Code != "storage_full" || e.Error.Field != "outputs" || !strings.Contains(e.Error.Message, "this render with the uploads and renders in flight") {
		t.Errorf("a render past the address's storage with an upload in flight: %+v, want storage_full on outputs naming what is in flight", e.Error)
	}
	cut()
	// The other way round: the render queued (held running), an upload
	// that would pass the bound with its outputs is refused.
	b.renderer.mu.Lock()
	b.renderer.block = make(chan struct{})
	b.renderer.mu.Unlock()
	defer close(b.renderer.block)
	c.queue("render", http.StatusAccepted)
	other.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 48_000, 1000)[:250_000]}, []string{"a.wav"}, http.StatusRequestEntityTooLarge, &e)
	if e.Error.Code != "storage_full" || !strings.Contains(e.Error.Message, "a.wav with the uploads and renders in flight") {
		t.Errorf("an upload past the address's storage with a render queued: %+v, want storage_full naming what is in flight", e.Error)
	}
}

// TestFinishedJobsArePruned: a project keeps its newest finished jobs of
// each kind (and those it names), however many checks a client asks for;
// a pruned job answers 410 job_pruned on every call that names it.
func TestFinishedJobsArePruned(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) { c.KeepFinishedJobs = 2 })
	c := b.newDrumsProject(t, 4800)
	var ids []string
	for i := 0; i < 6; i++ {
		if i > 0 {
			// New files: a check of them is a new job.
			c.upload("stems", map[string][]byte{"drums.wav": wavBytes(t, 4800+i, 100)}, []string{"drums.wav"}, http.StatusCreated, nil)
		}
		id, _ := c.queue("check", http.StatusAccepted)
		c.waitJob(id)
		ids = append(ids, id)
	}
	var page JobPageView
	c.do("GET", c.p("/jobs"), nil, "", http.StatusOK, &page)
	if len(page.Jobs) != 3 || page.Jobs[0].ID != ids[5] || page.Next != 0 {
		t.Errorf("after 6 checks the project keeps %+v, want 3 (2 kept when the last was queued, and the last)", page.Jobs)
	}
	for _, path := range []string{"/jobs/" + ids[0], "/jobs/" + ids[0] + "/events"} {
		var body struct {
			Error struct{ Code, Message string }
		}
		c.do("GET", c.p(path), nil, "", http.StatusGone, &body)
		if body.Error.Code != "job_pruned" || !strings.Contains(body.Error.Message, "pruned") {
			t.Errorf("GET %s of a pruned job: %+v, want job_pruned", path, body)
		}
	}
	c.do("POST", c.p("/jobs/"+ids[0]+"/cancel"), nil, "", http.StatusGone, nil)
	c.do("GET", c.p("/jobs/"+strings.Repeat("0", 32)+"/events"), nil, "", http.StatusNotFound, nil)
}

// TestDoneJobIsReused: asking again for a check or a render whose result
// the project shows answers that done job (200, existing) and runs
// nothing; once the inputs change, the request is a new job.
func TestDoneJobIsReused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	check, _ := c.queue("check", http.StatusAccepted)
	c.waitJob(check)
	if again, existing := c.queue("check", http.StatusOK); again != check || !existing {
		t.Errorf("check of unchanged files: job %s (existing %v), want done %s", again, existing, check)
	}
	render, _ := c.queue("render", http.StatusAccepted)
	if j := c.waitJob(render); j.State != store.StateDone {
		t.Fatalf("render: %+v", j)
	}
	var answer struct {
		Job, State string
		Existing   bool
	}
	c.do("POST", c.p("/render"), nil, "", http.StatusOK, &answer)
	if answer.Job != render || answer.State != store.StateDone || !answer.Existing {
		t.Errorf("render of the same session: %+v, want done %s", answer, render)
	}
	var page JobPageView
	c.do("GET", c.p("/jobs"), nil, "", http.StatusOK, &page)
	if len(page.Jobs) != 2 {
		t.Errorf("repeated requests made jobs: %+v", page.Jobs)
	}
	c.putSession(-6)
	if again, existing := c.queue("render", http.StatusAccepted); again == render || existing {
		t.Errorf("render of a new session answered %s (existing %v)", again, existing)
	}
}

// TestJobListsArePagedNewestFirst: the project lists its newest
// ProjectJobs jobs; GET …/jobs pages through all of them.
func TestJobListsArePagedNewestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t) // the jobs are recorded directly: no stems needed
	ctx := context.Background()
	const n = ProjectJobs + 5
	var want []string // newest first
	for i := 0; i < n; i++ {
		j := &store.Job{ID: fmt.Sprintf("%032d", i), ProjectID: c.id, Kind: store.JobCheck, State: store.StateDone, CreatedAt: time.Now().UTC()}
		if err := b.meta.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		want = append([]string{j.ID}, want...)
	}
	var p ProjectView
	c.do("GET", c.p(""), nil, "", http.StatusOK, &p)
	if len(p.Jobs) != ProjectJobs || p.Jobs[0].ID != want[0] || p.Jobs[ProjectJobs-1].ID != want[ProjectJobs-1] {
		t.Errorf("project lists %d jobs from %s, want the newest %d from %s", len(p.Jobs), p.Jobs[0].ID, ProjectJobs, want[0])
	}
	// The project's jobs_next pages on from its list.
	var rest JobPageView
	c.do("GET", c.p(fmt.Sprintf("/jobs?before=%d", p.JobsNext)), nil, "", http.StatusOK, &rest)
	if len(rest.Jobs) != n-ProjectJobs || rest.Jobs[0].ID != want[ProjectJobs] || rest.Next != 0 {
		t.Errorf("jobs_next %d lists %+v, want the %d older jobs", p.JobsNext, rest.Jobs, n-ProjectJobs)
	}
	var got []string
	path := c.p("/jobs?limit=7")
	for pages := 0; ; pages++ {
		if pages > n {
			t.Fatal("paging does not end")
		}
		var page JobPageView
		c.do("GET", path, nil, "", http.StatusOK, &page)
		for _, j := range page.Jobs {
			got = append(got, j.ID)
		}
		if page.Next == 0 {
			break
		}
		path = c.p(fmt.Sprintf("/jobs?limit=7&before=%d", page.Next))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("pages list %v, want %v", got, want)
	}
	for _, q := range []string{"limit=0", "limit=x", "before=-1", "before=x"} {
		c.do("GET", c.p("/jobs?"+q), nil, "", http.StatusBadRequest, nil)
	}
}

// TestManyClientsAtOnce: clients uploading, checking, rendering, asking
// again and deleting stems and projects all at once get no 5xx; every job
// ends; a deleted project leaves nothing in the blob store.
func TestManyClientsAtOnce(t *testing.T) {
	t.Parallel()
	// The renders queued at once count against the address's storage
	// by their estimated outputs: room for all of them.
	b := setupWith(t, func(c *Config) { c.CreatesPerMinute = 100; c.Limits.MaxClientBytes = 1 << 30 })
	const clients = 8
	cs := make([]*client, clients)
	for i := range cs {
		cs[i] = b.newDrumsProject(t, 4800)
	}
	type failure struct {
		what   string
		status int
		body   string
	}
	failures := make(chan failure, clients*32)
	call := func(c *client, what, method, path string, body io.Reader, ctype string) []byte {
		status, data := send(t, c.request(method, c.p(path), body, ctype))
		if status >= 500 || status == 0 {
			failures <- failure{what, status, string(data)}
		}
		return data
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var up sync.WaitGroup
			for k, name := range []string{"bass.wav", "vox.wav"} {
				up.Add(1)
				go func() {
					defer up.Done()
					body, ctype := multipartBody(map[string][]byte{name: wavBytes(t, 4800, float64(100*(k+2)))}, name)
					call(c, "upload", "POST", "/stems", body, ctype)
				}()
			}
			up.Wait()
			call(c, "check", "POST", "/check", nil, "")
			var job struct{ Job string }
			json.Unmarshal(call(c, "render", "POST", "/render", nil, ""), &job)
			call(c, "render again", "POST", "/render", nil, "")
			switch i % 3 {
			case 0:
				call(c, "delete stem", "DELETE", "/stems/bass.wav", nil, "")
			case 1:
				call(c, "delete project", "DELETE", "", nil, "")
				return
			}
			for deadline := time.Now().Add(time.Minute); job.Job != "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				var j JobView
				json.Unmarshal(call(c, "job", "GET", "/jobs/"+job.Job, nil, ""), &j)
				if store.Finished(j.State) {
					return
				}
			}
			failures <- failure{"job " + job.Job + " did not end", 0, ""}
		}()
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("%s: %d %s", f.what, f.status, f.body)
	}
	ctx := context.Background()
	for i, c := range cs {
		keys, err := b.blobs.Keys(ctx, store.ProjectPrefix(c.id))
		if err != nil {
			t.Fatal(err)
		}
		if deleted := i%3 == 1; deleted && len(keys) > 0 {
			t.Errorf("deleted project %d left %v", i, keys)
		}
	}
}
