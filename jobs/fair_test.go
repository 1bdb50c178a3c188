package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"stemmaster/store"
	"stemmaster/store/storetest"
)

// testBundle is a store and a blob store with a project "p" and a queued
// render "r1", and a Worker over them whose work the tests pass to the
// fairness limits themselves.
type testBundle struct {
	meta   *store.SQL
	blobs  *store.Blobs
	worker *storeWorker
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	ctx := context.Background()
	_, meta, blobs := storetest.Open(t)
	now := time.Now()
	if err := meta.CreateProject(ctx, &store.Project{ID: "p", TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	b := &testBundle{meta: meta, blobs: blobs, worker: &storeWorker{meta: meta, blobs: blobs}}
	storetest.QueuedRender(t, b.meta, "r1", now)
	return b
}

// storeWorker is the store side of a Worker; it does no work.
type storeWorker struct {
	meta  *store.SQL
	blobs *store.Blobs
}

func (storeWorker) Check(context.Context, CheckArgs, int, int) error   { return nil }
func (storeWorker) Render(context.Context, RenderArgs, int, int) error { return nil }
func (storeWorker) Expire(context.Context, time.Time) (int, error)     { return 0, nil }
func (storeWorker) Sweep(context.Context)                              {}
func (storeWorker) CleanOrphans(context.Context, time.Duration) (int, error) {
	return 0, nil
}
func (w *storeWorker) DiscardRender(ctx context.Context, projectID, jobID string) error {
	return w.blobs.DeletePrefix(ctx, store.JobPrefix(projectID, jobID))
}
func (w *storeWorker) Store() store.Metadata { return w.meta }
func (storeWorker) Log() *slog.Logger        { return slog.New(slog.DiscardHandler) }

// TestClaimLimits: one render per project at a time, a global bound across
// projects, and a dead worker's claim expiring with its lease. The lease
// is given per claim: an hour where a heartbeat must count as fresh,
// whatever the machine's speed, and a short one where it must have run out
// (the test sleeps past it).
func TestClaimLimits(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	now := time.Now()
	storetest.QueuedRender(t, b.meta, "r2", now.Add(time.Millisecond))
	const long, short = time.Hour, 50 * time.Millisecond
	claimWithin := func(job string, per, global int, lease time.Duration) store.Claim {
		c, err := b.meta.ClaimJob(ctx, "p", job, store.JobRender, per, global, lease)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	claim := func(job string, per, global int) store.Claim { return claimWithin(job, per, global, long) }
	if c := claim("r1", 1, 0); c != store.Claimed {
		t.Fatalf("first render: %v, want claimed", c)
	}
	if c := claim("r1", 0, 0); c != store.ClaimHeld {
		t.Errorf("the running render handed out again, its heartbeat fresh: %v, want ClaimHeld", c)
	}
	if c := claim("r2", 1, 0); c != store.ClaimProject {
		t.Errorf("second render of the project while the first runs: %v, want ClaimProject", c)
	}
	if c := claim("r2", 2, 1); c != store.ClaimGlobal {
		t.Errorf("second render against a global limit of 1: %v, want ClaimGlobal", c)
	}
	if c := claim("r2", 2, 2); c != store.Claimed {
		t.Errorf("second render with room: %v, want claimed", c)
	}
	// r2 ends; r1's worker dies (no heartbeat): after the lease a new
	// render of the project may start.
	b.meta.UpdateJob(ctx, "r2", store.JobUpdate{State: store.StateDone})
	storetest.QueuedRender(t, b.meta, "r3", now.Add(2*time.Millisecond))
	if c := claim("r3", 1, 0); c != store.ClaimProject {
		t.Errorf("render while r1's heartbeat is fresh: %v, want ClaimProject", c)
	}
	time.Sleep(short + 10*time.Millisecond) // r1's heartbeat is now older than short
	if c := claimWithin("r3", 1, 0, short); c != store.Claimed {
		t.Errorf("render after r1's lease ran out: %v, want claimed", c)
	}
	if c := claim("r2", 1, 0); c != store.ClaimFinished {
		t.Errorf("claim of a finished job: %v, want ClaimFinished", c)
	}
	if stale, err := b.meta.StaleJobs(ctx, []string{"r1", "r3"}, short); err != nil || !stale["r1"] {
		t.Errorf("stale jobs after r1's lease: %v %v, want r1 among them", stale, err)
	}
	if stale, err := b.meta.StaleJobs(ctx, []string{"r1", "r3"}, long); err != nil || len(stale) != 0 {
		t.Errorf("stale jobs within a lease of an hour: %v %v, want none", stale, err)
	}
	// r1's worker is dead: another takes r1 over, and holds it.
	if c := claimWithin("r1", 0, 0, short); c != store.Claimed {
		t.Errorf("r1 after its lease ran out: %v, want claimed", c)
	}
	if c := claim("r1", 0, 0); c != store.ClaimHeld {
		t.Errorf("r1 handed out once more: %v, want ClaimHeld", c)
	}
}

// TestSupersedeAndCancel: a newer render cancels older queued or running
// ones as it is recorded; a cancelled job stays cancelled whatever its
// worker reports; a running job is stopped by its watcher's first look
// begun after the cancel (a look a second in service) and its partial files
// deleted. The test paces the watcher's looks itself, so it waits on the
// job's state and never on the machine's speed.
func TestSupersedeAndCancel(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	tick := make(chan time.Time)
	f := &fairness{r: b.worker, limits: Limits{Lease: 5 * time.Second},
		looks: func() (<-chan time.Time, func()) { return tick, func() {} }}

	started := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- f.run(ctx, store.JobRender, "p", "r1", func(ctx context.Context) error {
			b.blobs.Put(ctx, store.JobPrefix("p", "r1")+"main.wav", "audio/wav", strings.NewReader("partial"))
			close(started)
			<-ctx.Done()
			// The worker keeps reporting progress for a moment.
			b.meta.UpdateJob(context.WithoutCancel(ctx), "r1", store.JobUpdate{State: store.StateRunning, Progress: 0.5})
			return ctx.Err()
		})
	}()
	<-started
	// The watcher takes a tick only between looks: a second tick taken
	// means the first look is over, and it kept the live render running.
	for _, what := range []string{"the first look", "the second look: the first look at a live render stopped it"} {
		select {
		case tick <- time.Now():
		case err := <-result:
			t.Fatalf("render ended (%v) before %s", err, what)
		}
	}
	_, ids, err := b.meta.CreateJobWithin(ctx, &store.Job{ID: "r2", ProjectID: "p", Kind: store.JobRender, State: store.StateQueued, CreatedAt: time.Now()}, store.JobLimits{})
	if err != nil || len(ids) != 1 || ids[0] != "r1" {
		t.Fatalf("a newer render superseded %v (%v), want [r1]", ids, err)
	}
	// The second look may have read the state before or after the
	// supersede; the first look begun after it must stop the render.
	hang := time.After(time.Minute) // only a hang guard: no wall-clock bound
	select {
	case err = <-result:
	case tick <- time.Now():
		select {
		case err = <-result:
		case tick <- time.Now():
			t.Fatal("the watcher looked again: its first look begun after the supersede did not stop the render")
		case <-hang:
			t.Fatal("superseded render still running a minute after the watcher's look")
		}
	case <-hang:
		t.Fatal("superseded render still running a minute after the supersede")
	}
	if !errors.Is(err, errCancelled) || !isJobCancel(err) {
		t.Errorf("superseded render returned %v, want River's JobCancel", err)
	}
	j, _ := b.meta.Job(ctx, "p", "r1")
	if j.State != store.StateCancelled || !strings.Contains(j.Error, "superseded") {
		t.Errorf("superseded job: %+v", j)
	}
	if keys, _ := b.blobs.Keys(ctx, store.JobPrefix("p", "r1")); len(keys) != 0 {
		t.Errorf("cancelled render left %v", keys)
	}
	// A cancelled queued job never runs.
	if ok, err := Cancel(ctx, b.meta, "p", "r2"); !ok || err != nil {
		t.Fatalf("cancel queued: %v %v", ok, err)
	}
	ran := false
	if err := f.run(ctx, store.JobRender, "p", "r2", func(context.Context) error { ran = true; return nil }); err != nil || ran {
		t.Errorf("a cancelled queued job ran (%v) or failed: %v", ran, err)
	}
	if ok, err := Cancel(ctx, b.meta, "p", "r2"); ok || err != nil {
		t.Errorf("second cancel: %v %v, want false, nil", ok, err)
	}
	if _, err := Cancel(ctx, b.meta, "p", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancel of a missing job: %v", err)
	}
}

func isJobCancel(err error) bool {
	var jc *river.JobCancelError
	return errors.As(err, &jc)
}

func (w *storeWorker) ReturnAttempt(ctx context.Context, jobID string) error {
	return w.meta.ReturnAttempt(ctx, jobID)
}

// TestRequeueQueuesLostJobsOnce: Requeue queues a job the store lists as
// unfinished whose insert in the queue was lost, and never doubles one the
// queue holds, a render queued with its confirmations and note among them
// (the River job keeps them).
func TestRequeueQueuesLostJobsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t) // r1: recorded, its insert lost
	ctx := context.Background()
	q, path := openTestQueue(t, b)
	storetest.QueuedRender(t, b.meta, "r2", time.Now())
	if err := q.Enqueue(ctx, RenderArgs{ProjectID: "p", JobID: "r2", Confirmed: []string{"offset"}, Note: "louder"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := Requeue(ctx, b.meta, q); err != nil {
			t.Fatal(err)
		}
	}
	got := queuedRenders(t, path)
	if len(got) != 2 || got[0].JobID != "r2" || got[0].Note != "louder" || got[1].JobID != "r1" {
		t.Errorf("queue holds %+v, want r2 with its note, then r1", got)
	}
}

// TestRequeueKeepsRenderArgs: a render whose insert in the queue was lost
// is queued again with the confirmations and the note it was recorded
// with, by either way of recording a job; a render without them stays
// without.
func TestRequeueKeepsRenderArgs(t *testing.T) {
	t.Parallel()
	b := setup(t) // r1: recorded without confirmations or note
	ctx := context.Background()
	q, path := openTestQueue(t, b)
	now := time.Now()
	if err := b.meta.CreateJob(ctx, &store.Job{ID: "r2", ProjectID: "p", Kind: store.JobRender, State: store.StateQueued,
		CreatedAt: now.Add(time.Millisecond), Confirmed: []string{"offset", "clipping"}, Note: "louder"}); err != nil {
		t.Fatal(err)
	}
	// In a project of its own: a render recorded within limits supersedes
	// the project's older renders.
	if err := b.meta.CreateProject(ctx, &store.Project{ID: "p2", TokenHash: []byte{2}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.meta.CreateJobWithin(ctx, &store.Job{ID: "r3", ProjectID: "p2", Kind: store.JobRender, State: store.StateQueued,
		CreatedAt: now.Add(2 * time.Millisecond), Confirmed: []string{"rate"}, Note: "warmer"}, store.JobLimits{}); err != nil {
		t.Fatal(err)
	}
	if err := Requeue(ctx, b.meta, q); err != nil {
		t.Fatal(err)
	}
	want := []RenderArgs{
		{ProjectID: "p", JobID: "r1"},
		{ProjectID: "p", JobID: "r2", Confirmed: []string{"offset", "clipping"}, Note: "louder"},
		{ProjectID: "p2", JobID: "r3", Confirmed: []string{"rate"}, Note: "warmer"},
	}
	if got := queuedRenders(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("queue holds %+v, want %+v", got, want)
	}
}

// openTestQueue opens an insert-only SQLite queue on b's worker, closed
// with the test, and returns it with its file's path.
func openTestQueue(t *testing.T, b *testBundle) (Queue, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "river.sqlite")
	q, err := OpenSQLiteQueue(context.Background(), path, b.worker, QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q, path
}

// queuedRenders reads the args of the River jobs in the SQLite queue at
// path, in insertion order.
func queuedRenders(t *testing.T, path string) []RenderArgs {
	t.Helper()
	db, err := sql.Open("sqlite", store.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT json(args) FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []RenderArgs
	for rows.Next() {
		var raw []byte
		var a RenderArgs
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestExpiryTimeIsTheDatabasesWhenAhead: the periodic expiry counted
// retention by the worker's clock alone, so a worker a month ahead
// deleted every live project with its delivered masters. ExpiryTime is
// the database's clock when the worker's is ahead of it, and the
// worker's otherwise.
func TestExpiryTimeIsTheDatabasesWhenAhead(t *testing.T) {
	t.Parallel()
	b := setup(t) // project p: retention ends in an hour
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	at := ExpiryTime(ctx, b.meta, time.Now().Add(30*24*time.Hour), log)
	if d := time.Since(at).Abs(); d > time.Minute {
		t.Errorf("a clock a month ahead: expiry at %v, want the database's now", at)
	}
	if ids, err := b.meta.ExpiredProjects(ctx, at); err != nil || len(ids) != 0 {
		t.Errorf("expired at %v: %v, %v; want no live project", at, ids, err)
	}
	behind := time.Now().Add(-time.Hour)
	if at := ExpiryTime(ctx, b.meta, behind, log); !at.Equal(behind) {
		t.Errorf("a clock behind: expiry at %v, want its own %v", at, behind)
	}
}

// TestShutdownReturnsTheAttempt: a job cut off by a graceful shutdown is
// snoozed (River does not count it) and its attempt is taken back in the
// store; one cut off otherwise, or ended for good, keeps its error and its
// attempt.
func TestShutdownReturnsTheAttempt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	f := &fairness{r: b.worker}
	begin := func() {
		t.Helper()
		if _, err := b.meta.BeginAttempt(ctx, "p", "r1"); err != nil {
			t.Fatal(err)
		}
		// The runner's retry records the job queued again.
		if err := b.meta.UpdateJob(ctx, "r1", store.JobUpdate{State: store.StateQueued}); err != nil {
			t.Fatal(err)
		}
	}
	attempt := func() int {
		j, err := b.meta.Job(ctx, "p", "r1")
		if err != nil {
			t.Fatal(err)
		}
		return j.Attempt
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cut := context.Canceled

	begin()
	if err := f.interrupted(cancelled, store.JobRender, "r1", cut); err != cut || attempt() != 1 {
		t.Errorf("cut off while not stopping: %v, attempt %d; want the error and attempt 1", err, attempt())
	}
	f.stopping.Store(true)
	final := river.JobCancel(errors.New("failed"))
	if err := f.interrupted(cancelled, store.JobRender, "r1", final); err != final || attempt() != 1 {
		t.Errorf("failed for good while stopping: %v, attempt %d; want the JobCancel and attempt 1", err, attempt())
	}
	if err := f.interrupted(ctx, store.JobRender, "r1", cut); err != cut {
		t.Errorf("an error with the job's context alive while stopping: %v; want it unchanged", err)
	}
	err := f.interrupted(cancelled, store.JobRender, "r1", cut)
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) || attempt() != 0 {
		t.Errorf("cut off by the shutdown: %v, attempt %d; want a snooze and the attempt taken back (0)", err, attempt())
	}
}

// stuckRiver is the part of River's database the rescue reads and writes:
// its running jobs, each with the database's time of its attempt's
// start, and the rescue it was told.
type stuckRiver struct {
	riverdriver.Executor
	running []*rivertype.JobRow
	rescued *riverdriver.JobRescueManyParams
}

func (r *stuckRiver) JobGetStuck(_ context.Context, p *riverdriver.JobGetStuckParams) ([]*rivertype.JobRow, error) {
	var stuck []*rivertype.JobRow
	for _, j := range r.running {
		if j.AttemptedAt.Before(p.StuckHorizon) {
			stuck = append(stuck, j)
		}
	}
	return stuck, nil
}

func (r *stuckRiver) JobRescueMany(_ context.Context, p *riverdriver.JobRescueManyParams) (*struct{}, error) {
	r.rescued = p
	return &struct{}{}, nil
}

// dbBehind is a store whose database's clock is an hour behind this
// machine's: the machine runs an hour ahead.
type dbBehind struct{ *store.SQL }

func (d dbBehind) Now() time.Time { return d.SQL.Now().Add(-time.Hour) }

// TestRescueOnTheDatabaseClock: a dead worker's job is put back in the
// queue to run at once by the database's clock, the one River runs
// scheduled jobs by. On the rescuing machine's clock, an hour ahead, it
// was scheduled an hour late.
func TestRescueOnTheDatabaseClock(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	if c, err := b.meta.ClaimJob(ctx, "p", "r1", store.JobRender, 1, 0, time.Hour); err != nil || c != store.Claimed {
		t.Fatalf("claim: %v %v", c, err)
	}
	ls := dbBehind{b.meta}
	started := ls.Now().Add(-time.Minute)
	river := &stuckRiver{running: []*rivertype.JobRow{{ID: 7, Attempt: 1, MaxAttempts: 3, AttemptedAt: &started,
		EncodedArgs: []byte(`{"project_id":"p","job_id":"r1"}`)}}}
	// The worker dies; its heartbeat is older than a lease of 1 ms once
	// 5 ms have passed.
	time.Sleep(5 * time.Millisecond)
	if err := rescueStale(ctx, river, ls, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	p := river.rescued
	if p == nil || len(p.ID) != 1 || p.ID[0] != 7 || p.State[0] != string(rivertype.JobStateAvailable) {
		t.Fatalf("rescue %+v, want job 7 available again", p)
	}
	if d := p.ScheduledAt[0].Sub(ls.Now()); d > time.Second {
		t.Errorf("the rescued job is scheduled %v after the database's now: it waits that long", d.Round(time.Second))
	}
}
