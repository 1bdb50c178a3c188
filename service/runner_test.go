package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"stemmaster"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
	"stemmaster/jobs"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

type testBundle struct {
	dir    string
	meta   *store.SQL
	blobs  *store.Blobs
	runner *Runner
}

func setup(t *testing.T, r Renderer) *testBundle {
	t.Helper()
	dir, meta, blobs := storetest.Open(t)
	return &testBundle{dir: dir, meta: meta, blobs: blobs, runner: &Runner{Meta: meta, Blobs: blobs, Renderer: r, WorkDir: dir, ProgressInterval: time.Millisecond}}
}

// project creates a project with one uploaded stem and a queued render job.
func (b *testBundle) project(t *testing.T, jobID string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if err := b.meta.CreateProject(ctx, &store.Project{ID: "p", TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		Session: []byte(`{"stems":[{"file":"drums.wav"}]}`)}); err != nil {
		t.Fatal(err)
	}
	path := audiotest.WriteWAV(t, b.dir, "drums.wav", audiotest.Sine(48000, 2, 24000, 100, -20, 0), 48000, 24)
	key := store.UploadKey("p", store.KindStem, "u1", "drums.wav")
	if _, err := b.blobs.PutFile(ctx, key, "audio/wav", path); err != nil {
		t.Fatal(err)
	}
	if err := b.meta.PutFile(ctx, &store.File{ProjectID: "p", Kind: store.KindStem, Name: "drums.wav", Size: 1, BlobKey: key, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := b.meta.CreateJob(ctx, &store.Job{ID: jobID, ProjectID: "p", Kind: store.JobRender, State: store.StateQueued, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
}

// wholeRenders is setup with a flakyRenderer past its failing call: it
// renders whole from the first.
func wholeRenders(t *testing.T) *testBundle {
	t.Helper()
	fr := &flakyRenderer{}
	fr.calls.Store(1)
	return setup(t, fr)
}

// flakyRenderer writes a partial output, then fails with a passing error
// on its first call (as a render cut off by a shutdown), and renders fully
// on the next.
type flakyRenderer struct{ calls atomic.Int32 }

func (f *flakyRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	n := f.calls.Add(1)
	if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), []byte("partial"), 0o644); err != nil {
		return nil, err
	}
	if n == 1 {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		return nil, cctx.Err()
	}
	src := filepath.Join(in.Dir, "drums.wav")
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), data, 0o644); err != nil {
		return nil, err
	}
	return &stemmaster.Report{Outputs: []stemmaster.OutputReport{{File: "main.wav", Measurement: stemmaster.Measurement{IntegratedLUFS: -14}}}}, nil
}

func TestRenderRetriesWithoutPublishingPartialOutputs(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	fr := &flakyRenderer{}
	b.runner.Renderer = fr
	b.project(t, "j1")
	ctx := context.Background()
	// Attempt 1 is cut off: River would retry; nothing is published.
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err == nil {
		t.Fatal("first attempt succeeded")
	}
	if outs, _ := b.meta.Outputs(ctx, "p"); len(outs) != 0 {
		t.Fatalf("outputs after a cut-off attempt: %v", outs)
	}
	j, _ := b.meta.Job(ctx, "p", "j1")
	if j.State != store.StateQueued {
		t.Errorf("job after a cut-off attempt: %+v, want queued for retry", j)
	}
	// Attempt 2 renders and publishes the whole file.
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 2, 3); err != nil {
		t.Fatal(err)
	}
	outs, _ := b.meta.Outputs(ctx, "p")
	var main *store.Output
	for i := range outs {
		if outs[i].Name == "main.wav" {
			main = &outs[i]
		}
	}
	if main == nil || main.Size < 1000 {
		t.Fatalf("outputs = %+v, want the full main.wav", outs)
	}
	if j, _ := b.meta.Job(ctx, "p", "j1"); j.State != store.StateDone || j.Attempt != 2 || j.Error != "" {
		t.Errorf("job = %+v", j)
	}
}

type failingRenderer struct{}

func (failingRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	return nil, errors.New(filepath.Join(in.Dir, "drums.wav") + ": corrupt at frame 10")
}

type panickingRenderer struct{}

func (panickingRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	panic("loudness: cannot meter a sample rate of 768000 Hz")
}

// TestRenderFailureIsFinal: a renderer's error (a file the engine
// refuses) fails the job for good with the file's name, never the server
// path; so does a panic (a bug, but one a strange upload has triggered) —
// River would recover it itself but retry it and never update the store,
// leaving the job "running" forever.
func TestRenderFailureIsFinal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		renderer Renderer
		want     string
	}{
		{"error", failingRenderer{}, "drums.wav: corrupt at frame 10"},
		{"panic", panickingRenderer{}, "internal error in the job (a bug in stemmaster; the log has its stack): loudness: cannot meter a sample rate of 768000 Hz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, tc.renderer)
			b.project(t, "j1")
			err := b.runner.Render(context.Background(), jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3)
			// river.JobCancel wraps the error so that River does not retry.
			var jce *river.JobCancelError
			if !errors.As(err, &jce) {
				t.Errorf("err = %v, want a river.JobCancelError (no retry)", err)
			}
			j, _ := b.meta.Job(context.Background(), "p", "j1")
			if j.State != store.StateFailed || j.Error != tc.want {
				t.Errorf("job = %+v, want failed with %q", j, tc.want)
			}
		})
	}
}

// countingRenderer counts its calls and renders nothing.
type countingRenderer struct{ calls atomic.Int32 }

func (c *countingRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	c.calls.Add(1)
	return nil, errors.New("countingRenderer: not expected to be called")
}

// countingChecker counts its calls.
type countingChecker struct{ calls atomic.Int32 }

func (c *countingChecker) Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	c.calls.Add(1)
	return nil, errors.New("countingChecker: not expected to be called")
}

// TestJobOfDeletedProjectEndsQuietly: a render or check queued for a project
// that is deleted before the job runs ends without error (nothing to
// retry), without calling the renderer or the checker, and writes nothing
// to the blob store.
func TestJobOfDeletedProjectEndsQuietly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &countingRenderer{}
	c := &countingChecker{}
	b := setup(t, r)
	b.runner.Checker = c
	b.project(t, "j1")
	if err := DeleteProject(ctx, b.meta, b.blobs, "p"); err != nil {
		t.Fatal(err)
	}
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Errorf("render: err = %v, want nil", err)
	}
	if err := b.runner.Check(ctx, jobs.CheckArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Errorf("check: err = %v, want nil", err)
	}
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "never", JobID: "j"}, 1, 3); err != nil {
		t.Errorf("render of a project that never existed: err = %v, want nil", err)
	}
	if n := r.calls.Load(); n != 0 {
		t.Errorf("the renderer was called %d times for a deleted project", n)
	}
	if n := c.calls.Load(); n != 0 {
		t.Errorf("the checker was called %d times for a deleted project", n)
	}
	if keys, err := b.blobs.Keys(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("blobs after the jobs of a deleted project: %v (%v), want none", keys, err)
	}
}

// TestInterruptedJobRunsAfterRestart leaves a River job in the running
// state, as a process killed mid-render does, and checks that opening the
// embedded queue runs it again at once.
func TestInterruptedJobRunsAfterRestart(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.project(t, "j1")
	ctx := context.Background()
	riverPath := filepath.Join(b.dir, "river.sqlite")

	// Make River's tables, then insert a job that a dead process was working.
	q, err := jobs.OpenSQLiteQueue(ctx, riverPath, b.runner, jobs.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	db, err := sql.Open("sqlite", store.SQLiteDSN(riverPath))
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(jobs.RenderArgs{ProjectID: "p", JobID: "j1"})
	started := time.Now().Add(-time.Minute)
	// The dead process had begun attempt 1.
	if _, err := b.meta.BeginAttempt(ctx, "p", "j1"); err != nil {
		t.Fatal(err)
	}
	_, err = riversqlite.New(db).GetExecutor().JobInsertFull(ctx, &riverdriver.JobInsertFullParams{
		Attempt: 1, AttemptedAt: &started, AttemptedBy: []string{"dead-process"}, EncodedArgs: args, Kind: jobs.KindRender,
		MaxAttempts: 3, Metadata: []byte(`{}`), Priority: 1, Queue: jobs.QueueRender, State: rivertype.JobStateRunning,
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	q, err = jobs.OpenSQLiteQueue(ctx, riverPath, b.runner, jobs.QueueOptions{Work: true, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		q.Stop(sctx)
	}()
	// Generous: River's start, its rescue and the render on a loaded
	// machine; only a job that is never run again takes this long.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if j, _ := b.meta.Job(ctx, "p", "j1"); j.State == store.StateDone {
			if j.Attempt != 2 {
				t.Errorf("attempt = %d, want 2 (the interrupted one was 1)", j.Attempt)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	j, _ := b.meta.Job(ctx, "p", "j1")
	t.Fatalf("interrupted job not rerun after restart: %+v", j)
}

// TestRerunAfterPublicationKeepsOutputs is the crash between publication
// and River's record of completion: River runs the job again, which must
// neither render again nor delete what is published.
func TestRerunAfterPublicationKeepsOutputs(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.project(t, "j1")
	ctx := context.Background()
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Fatal(err)
	}
	before, _ := b.meta.Outputs(ctx, "p")
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 2, 3); err != nil {
		t.Fatal(err)
	}
	after, _ := b.meta.Outputs(ctx, "p")
	if len(before) == 0 || len(after) != len(before) {
		t.Fatalf("outputs before %d, after the re-run %d", len(before), len(after))
	}
	b.outputsStored(t, after, "lost")
	if n := b.runner.Renderer.(*flakyRenderer).calls.Load(); n != 2 {
		t.Errorf("renderer called %d times in all, want once after the first (cut-off) call", n-1)
	}
}

// TestAttemptBoundSurvivesCrashes begins a render three times without
// finishing it, as three crashes would, and checks that the fourth start
// fails it for good with a clear message instead of running it.
func TestAttemptBoundSurvivesCrashes(t *testing.T) {
	t.Parallel()
	b := setup(t, &flakyRenderer{})
	b.project(t, "j1")
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := b.meta.BeginAttempt(ctx, "p", "j1"); err != nil {
			t.Fatal(err)
		}
	}
	err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Errorf("err = %v, want a cancel (no retry)", err)
	}
	j, _ := b.meta.Job(ctx, "p", "j1")
	if j.State != store.StateFailed || !strings.Contains(j.Error, "crashed the worker 3 times") {
		t.Errorf("job = %+v, want failed: crashed the worker 3 times", j)
	}
	if n := b.runner.Renderer.(*flakyRenderer).calls.Load(); n != 0 {
		t.Errorf("renderer ran %d times past the bound", n)
	}
}

// TestDeadJobsWorkDirsRemoved: the work directories a killed process left
// go when a job starts, whatever their job became (ended, deleted, queued
// again, running on a process gone silent); a job some process works on,
// or that has just ended, keeps its directory, and nothing else in
// WorkDir is touched.
func TestDeadJobsWorkDirsRemoved(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	work := t.TempDir()
	b.runner.WorkDir = work
	now := time.Now().UTC()
	if err := b.meta.CreateProject(ctx, &store.Project{ID: "p", TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	job := func(n int, state string) string {
		id := strings.Repeat(string(rune('a'+n)), 32)
		if err := b.meta.CreateJob(ctx, &store.Job{ID: id, ProjectID: "p", Kind: store.JobRender, State: store.StateQueued, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if state != store.StateQueued {
			if err := b.meta.UpdateJob(ctx, id, store.JobUpdate{State: state}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	// Every job is an hour silent (its process died then), but for those
	// a process is working on or that have just ended.
	live := job(0, store.StateRunning)
	justEnded := job(5, store.StateCancelled)
	silent := job(1, store.StateRunning)
	done, queued, cancelled := job(2, store.StateDone), job(3, store.StateQueued), job(4, store.StateCancelled)
	for _, id := range []string{silent, done, queued, cancelled} {
		if _, err := b.meta.DB().ExecContext(ctx, `UPDATE jobs SET updated_at = ? WHERE id = ?`, now.Add(-time.Hour).UnixMilli(), id); err != nil {
			t.Fatal(err)
		}
	}
	dirs := map[string]bool{ // name → kept
		"render-" + live + "-123":                  true,
		"check-" + live + "-9":                     true,
		"render-" + silent + "-4":                  false,
		"render-" + done + "-5":                    false,
		"check-" + queued + "-6":                   false,
		"render-" + strings.Repeat("9", 32) + "-7": false, // deleted
		"render-" + cancelled + "-8":               false,
		"render-" + justEnded + "-10":              true,
		"upload-123":                               true, // not a job's
		"render-notahexid-1":                       true,
	}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(work, d, "out"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b.runner.cleanWorkDirs(ctx)
	for d, kept := range dirs {
		if _, err := os.Stat(filepath.Join(work, d)); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", d, err == nil, kept)
		}
	}
}

// TestProjectDeletedMidRender: a project deleted while its render runs
// keeps nothing the render stores after the delete; the job ends without
// error (nothing to retry).
func TestProjectDeletedMidRender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var b *testBundle
	b = setup(t, rendererFunc(func(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
		if err := DeleteProject(ctx, b.meta, b.blobs, "p"); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), []byte("RIFF"), 0o644); err != nil {
			return nil, err
		}
		in.Finished("main.wav")
		return &stemmaster.Report{Outputs: []stemmaster.OutputReport{{File: "main.wav"}}}, nil
	}))
	b.project(t, "j1")
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Errorf("render: err = %v, want nil", err)
	}
	if keys, err := b.blobs.Keys(ctx, store.ProjectPrefix("p")); err != nil || len(keys) != 0 {
		t.Errorf("blobs of the deleted project after its render: %v (%v), want none", keys, err)
	}
	// Nor its folders: the render's outputs recreated projects/p/jobs,
	// which no later delete of the project would remove.
	if _, err := os.Stat(filepath.Join(b.dir, "blobs", "projects", "p")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the deleted project's folder after its render: %v, want it gone", err)
	}
}

// lockedLog is a log that goroutines write one line at a time.
type lockedLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestJobLinesNameTheRequest: the worker's lines of a job carried no
// request id, and a job queued again after its insert was lost (as here:
// the queue dropped it) could not be joined to the request that asked
// for it. The job keeps the id with its record, and every line of its
// run names it, whatever the queue's args say.
func TestJobLinesNameTheRequest(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.project(t, "j0")
	var log lockedLog
	b.runner.Logger = slog.New(slog.NewTextHandler(&log, nil))
	ctx := context.Background()
	ps := &Projects{Meta: b.meta, Blobs: b.blobs, Queue: &fakeQueue{}, Logger: b.runner.Logger}
	job, _, err := ps.QueueJobWithin(ctx, "p", store.JobRender, JobRequest{RequestID: "req-7f3a"}, store.JobLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: job.ID}, 1, 3); err != nil {
		t.Fatal(err)
	}
	var lines int
	for _, line := range strings.Split(log.String(), "\n") {
		if !strings.Contains(line, "job="+job.ID) {
			continue
		}
		lines++
		if !strings.Contains(line, "request=req-7f3a") {
			t.Errorf("a line of the job lacks its request: %s", line)
		}
	}
	if lines < 3 { // queued, running, done at least
		t.Errorf("%d lines of the job in\n%s", lines, log.String())
	}
}

// fullDiskRenderer writes part of its master, then finds the disk full,
// as the engine does when another process filled the worker's disk past
// what the render reserved.
type fullDiskRenderer struct {
	// stored, when set, lists what the attempt has stored: a version
	// whole before the disk fills is handed over and waited for.
	stored func() []string
}

func (f fullDiskRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	if f.stored != nil {
		if err := os.WriteFile(filepath.Join(in.OutDir, "instrumental.wav"), []byte("whole"), 0o644); err != nil {
			return nil, err
		}
		in.Finished("instrumental.wav")
		for len(f.stored()) == 0 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}
	path := filepath.Join(in.OutDir, "main.wav")
	if err := os.WriteFile(path, []byte("partial"), 0o644); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("master: %w", &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC})
}

// TestRenderIntoAFullDiskRetries: a render that finds the worker's disk
// full is no fault of the stems: it is queued again (River retries it,
// here or on another worker) with nothing published, and only its last
// attempt fails, saying the server was short of disk, and nothing of it stays
// stored. It failed at once,
// for good, with "write main.wav: no space left on device", as if the
// delivery were at fault.
func TestRenderIntoAFullDiskRetries(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx := context.Background()
	b.runner.Renderer = fullDiskRenderer{stored: func() []string {
		keys, _ := b.blobs.Keys(ctx, store.JobPrefix("p", "j1"))
		return keys
	}}
	b.project(t, "j1")
	for attempt := 1; attempt <= 3; attempt++ {
		err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, attempt, 3)
		var jce *river.JobCancelError
		j, _ := b.meta.Job(ctx, "p", "j1")
		if attempt < 3 {
			if err == nil || errors.As(err, &jce) || j.State != store.StateQueued {
				t.Fatalf("attempt %d into a full disk: %v, job %+v; want an error River retries, the job queued", attempt, err, j)
			}
			continue
		}
		if !errors.As(err, &jce) || j.State != store.StateFailed || !strings.Contains(j.Error, "short of disk space") {
			t.Errorf("last attempt into a full disk: %v, job %+v; want failed, naming the server's disk", err, j)
		}
	}
	if outs, _ := b.meta.Outputs(ctx, "p"); len(outs) != 0 {
		t.Errorf("outputs of renders into a full disk: %v", outs)
	}
	// What the last attempt stored goes with its failure, not with the
	// next sweep an hour on: the store may be the disk that is full.
	if keys, err := b.blobs.Keys(ctx, store.JobPrefix("p", "j1")); err != nil || len(keys) != 0 {
		t.Errorf("the failed render left %v (%v) in the blob store", keys, err)
	}
}

// TestStoreFullIsShortOfDisk: a render whose outputs the blob store
// refuses for want of disk (gocloud's error around ENOSPC) is put off
// waiting for disk, and its last attempt fails saying the server is
// short of disk, not that it could not finish.
func TestStoreFullIsShortOfDisk(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.project(t, "j1")
	ctx := context.Background()
	full := fmt.Errorf("store: put projects/p/jobs/j1/a1/main.wav: blob: %w", &os.PathError{Op: "write", Path: "/blobs/x.tmp", Err: syscall.ENOSPC})
	for attempt, last := range []bool{false, true} {
		job, err := b.meta.BeginAttempt(ctx, "p", "j1")
		if err != nil {
			t.Fatal(err)
		}
		b.runner.retry(ctx, job, last, full)
		j, _ := b.meta.Job(ctx, "p", "j1")
		if want := []string{errWaitingForDisk.Error(), errShortOfDisk.Error()}[attempt]; j.Error != want {
			t.Errorf("attempt %d, the store's disk full: job error %q, want %q", attempt+1, j.Error, want)
		}
	}
}

// jobTimeout is the context River gives an attempt, with its deadline
// (30 minutes off) reached when expire is called rather than by the clock.
type jobTimeout struct {
	context.Context
	deadline time.Time
	done     chan struct{}
	once     sync.Once
}

func newJobTimeout() *jobTimeout {
	return &jobTimeout{Context: context.Background(), deadline: time.Now().Add(30 * time.Minute), done: make(chan struct{})}
}

func (c *jobTimeout) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *jobTimeout) Done() <-chan struct{}       { return c.done }
func (c *jobTimeout) expire()                     { c.once.Do(func() { close(c.done) }) }

func (c *jobTimeout) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// slowRenderer renders until the job's time is up, as a render too long
// for the server's limit on one job does.
type slowRenderer struct {
	calls   atomic.Int32
	timeout *jobTimeout
}

func (s *slowRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	s.calls.Add(1)
	s.timeout.expire()
	<-ctx.Done()
	return nil, fmt.Errorf("stem drums.wav: %w", ctx.Err())
}

// TestRenderPastTheJobTimeoutFails: a render River stops at the job
// timeout (its context's deadline) would be stopped there again on every
// attempt: it fails at once, saying it ran past the server's limit on one
// job and what renders in time. It was put off as "interrupted; will
// retry" and run again twice (8 stems of 20 minutes at 384 kHz held the
// only render worker 90 minutes for one request), then failed with "try
// again later". (A shutdown's cancellation is
// still retried: TestRenderRetriesWithoutPublishingPartialOutputs.)
func TestRenderPastTheJobTimeoutFails(t *testing.T) {
	t.Parallel()
	ctx := newJobTimeout()
	sr := &slowRenderer{timeout: ctx}
	b := setup(t, sr)
	b.project(t, "j1")
	err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3)
	var jce *river.JobCancelError
	j, _ := b.meta.Job(context.Background(), "p", "j1")
	if !errors.As(err, &jce) || j.State != store.StateFailed || !strings.Contains(j.Error, "ran longer than the 30 minutes the server allows one job") ||
		!strings.Contains(j.Error, "lower sample rate") {
		t.Errorf("render past the job timeout: %v, job %+v; want failed for good, naming the time limit", err, j)
	}
	if sr.calls.Load() != 1 {
		t.Errorf("renderer called %d times, want 1", sr.calls.Load())
	}
}

// TestRecordToADeletedProject: an upload or a reference recorded after
// its project's delete is refused, and leaves no folder behind: deleting
// its own blob kept projects/p/stems (and projects/p/reference), which no
// later delete of the project removes.
func TestRecordToADeletedProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, nil)
	b.project(t, "j1")
	if err := DeleteProject(ctx, b.meta, b.blobs, "p"); err != nil {
		t.Fatal(err)
	}
	ps := &Projects{Meta: b.meta, Blobs: b.blobs}
	noFolder := func(what string) {
		t.Helper()
		if _, err := os.Stat(filepath.Join(b.dir, "blobs", "projects", "p")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the deleted project's folder after %s: %v, want it gone", what, err)
		}
	}
	f := &store.File{ProjectID: "p", Kind: store.KindStem, Name: "bass.wav", Size: 4, BlobKey: store.UploadKey("p", store.KindStem, "u1", "bass.wav"), CreatedAt: time.Now()}
	if err := ps.RecordFile(ctx, f, strings.NewReader("RIFF"), store.FileLimits{MaxFiles: 16, MaxTotalBytes: 1 << 20}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a stem recorded to a deleted project: %v, want ErrNotFound", err)
	}
	noFolder("the stem")
	err := ps.RecordReference(ctx, "p", &FileInfo{Name: "ref.wav", Size: 4}, 1, strings.NewReader("RIFF"), ReferenceLimits{MaxReferences: 4, MaxTotalBytes: 1 << 20})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a reference recorded to a deleted project: %v, want ErrNotFound", err)
	}
	noFolder("the reference")
	// The writers that record nothing look for themselves.
	if err := ps.SetTitle(ctx, "p", "My Song"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a title stored to a deleted project: %v, want ErrNotFound", err)
	}
	noFolder("the title")
	if err := ps.ParkStems(ctx, "p", &stemmaster.Session{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stems parked in a deleted project: %v, want ErrNotFound", err)
	}
	noFolder("the parked stems")
	if err := ps.PutPreview(ctx, f.BlobKey, strings.NewReader("0123"), []byte(`{}`)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a preview stored to a deleted project: %v, want ErrNotFound", err)
	}
	noFolder("the preview")
}

// cancelAtPublish is a store whose PublishRender is preceded by the job's
// cancellation: a client's cancel arriving while the render publishes.
type cancelAtPublish struct {
	*store.SQL
	projectID string
}

func (c cancelAtPublish) PublishRender(ctx context.Context, jobID string, attempt int, report []byte, outputs []store.Output, rev *store.Revision) (store.Publication, error) {
	if _, err := c.CancelJob(ctx, c.projectID, jobID, "cancelled by its client"); err != nil {
		return store.Publication{}, err
	}
	return c.SQL.PublishRender(ctx, jobID, attempt, report, outputs, rev)
}

// TestCancelMidPublication: a render cancelled as it publishes stays
// cancelled; the master published before it stays the project's, whole;
// nothing of the cancelled attempt stays in the blob store; its disk
// reservation is given back.
func TestCancelMidPublication(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.runner.Disk = &Disk{}
	b.project(t, "j1")
	ctx := context.Background()
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Fatal(err)
	}
	before, _ := b.meta.Outputs(ctx, "p")
	if err := b.meta.CreateJob(ctx, &store.Job{ID: "j2", ProjectID: "p", Kind: store.JobRender, State: store.StateQueued, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b.runner.Meta = cancelAtPublish{SQL: b.meta, projectID: "p"}
	b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j2"}, 1, 3)
	if j, _ := b.meta.Job(ctx, "p", "j2"); j == nil || j.State != store.StateCancelled {
		t.Errorf("the render cancelled as it published: %+v, want cancelled", j)
	}
	after, _ := b.meta.Outputs(ctx, "p")
	if len(after) == 0 || len(after) != len(before) {
		t.Fatalf("outputs before %d, after the cancelled render %d", len(before), len(after))
	}
	for _, o := range after {
		if o.JobID != "j1" {
			t.Errorf("output %s is the cancelled render's", o.Name)
		}
	}
	b.outputsStored(t, after, "published before the cancelled render lost")
	if keys, err := b.blobs.Keys(ctx, store.JobPrefix("p", "j2")); err != nil || len(keys) != 0 {
		t.Errorf("the cancelled attempt left %v (%v) in the blob store", keys, err)
	}
	if n := b.runner.Disk.Reserved(); n != 0 {
		t.Errorf("%d bytes still reserved after the cancelled render", n)
	}
}

// gatedFailRenderer tells it has started, then waits for release and
// fails as a bad input does.
type gatedFailRenderer struct{ started, release chan struct{} }

func (g gatedFailRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	close(g.started)
	<-g.release
	return nil, errors.New("drums.wav: unreadable")
}

// TestStaleAttemptFailingKeepsThePublishedRender: two workers on one job
// (its lease ran out while the first still worked, and it was given to a
// second): the second publishes; the first then fails. The job stays
// done and its published master whole: a stale attempt's failure neither
// marks a published render failed nor deletes its files.
func TestStaleAttemptFailingKeepsThePublishedRender(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.project(t, "j1")
	ctx := context.Background()
	stale := *b.runner
	gate := gatedFailRenderer{started: make(chan struct{}), release: make(chan struct{})}
	stale.Renderer = gate
	done := make(chan error, 1)
	go func() { done <- stale.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3) }()
	<-gate.started
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 2, 3); err != nil {
		t.Fatal(err)
	}
	close(gate.release)
	<-done
	if j, _ := b.meta.Job(ctx, "p", "j1"); j == nil || j.State != store.StateDone {
		t.Errorf("the published job after its stale attempt failed: %+v, want done", j)
	}
	outs, _ := b.meta.Outputs(ctx, "p")
	if len(outs) == 0 {
		t.Fatal("no outputs published")
	}
	b.outputsStored(t, outs, "lost to the stale attempt's failure")
}

// outputsStored fails the test for each of outs the blob store cannot
// open, saying it was lost as lost says.
func (b *testBundle) outputsStored(t *testing.T, outs []store.Output, lost string) {
	t.Helper()
	for _, o := range outs {
		rc, err := b.blobs.Open(context.Background(), o.BlobKey)
		if err != nil {
			t.Errorf("published %s %s: %v", o.Name, lost, err)
			continue
		}
		rc.Close()
	}
}

// outageStore is a store whose job updates fail while down is set, as
// under a database outage.
type outageStore struct {
	*store.SQL
	down atomic.Bool
}

func (o *outageStore) UpdateJob(ctx context.Context, id string, u store.JobUpdate) error {
	if o.down.Load() {
		return errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")
	}
	return o.SQL.UpdateJob(ctx, id, u)
}

// TestProgressOutageLoggedOnce: a job's progress writes under a database
// outage logged a warning each (every 250 ms, for as long as it lasted);
// it logs one when they start failing and one, with the outage's length,
// when they succeed again.
func TestProgressOutageLoggedOnce(t *testing.T) {
	t.Parallel()
	b := wholeRenders(t)
	b.project(t, "j1")
	ctx := context.Background()
	job, err := b.meta.BeginAttempt(ctx, "p", "j1")
	if err != nil {
		t.Fatal(err)
	}
	var log lockedLog
	meta := &outageStore{SQL: b.meta}
	b.runner.Meta = meta
	b.runner.Logger = slog.New(slog.NewTextHandler(&log, nil))
	p := b.runner.newJobProgress(job)
	p.write(ctx, "render", 0.1)
	meta.down.Store(true)
	for i := range 40 {
		p.write(ctx, "render", 0.2+float64(i)/100)
	}
	meta.down.Store(false)
	p.write(ctx, "render", 0.7)
	p.write(ctx, "render", 0.8)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "connection refused") ||
		!strings.Contains(lines[1], "recorded again") || !strings.Contains(lines[1], "outage=") || !strings.Contains(lines[1], "failed_writes=40") {
		t.Errorf("the log of an outage over 40 progress writes:\n%s\nwant one warning as it starts and one, with its length, as it ends", log.String())
	}
	got, err := b.meta.Job(ctx, "p", "j1")
	if err != nil || got.Progress != 0.8 {
		t.Errorf("progress after the outage: %v %v, want 0.8", got, err)
	}
}
