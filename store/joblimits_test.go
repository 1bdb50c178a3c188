package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// newJobWithin makes a queued job of kind in project p within lim.
func newJobWithin(t *testing.T, s *SQL, ctx context.Context, p, kind string, n int, lim JobLimits) (*Job, *Job, []string, error) {
	t.Helper()
	j := &Job{ID: fmt.Sprintf("%s-%s%d", p, kind, n), ProjectID: p, Kind: kind, State: StateQueued, CreatedAt: time.Now().UTC()}
	old, sup, err := s.CreateJobWithin(ctx, j, lim)
	return j, old, sup, err
}

// eachProject runs f on each test store with a new project p (named from
// prefix and the store).
func eachProject(t *testing.T, prefix string, f func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string)) {
	t.Helper()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := prefix + "-" + name
		createProject(t, s, p, now)
		f(t, s, ctx, now, p)
	})
}

func jobState(t *testing.T, s *SQL, ctx context.Context, p, id string) string {
	t.Helper()
	j, err := s.Job(ctx, p, id)
	if err != nil {
		t.Fatal(err)
	}
	return j.State
}

// TestCreateJobWithinSharesTheJobOfTheSameInputs: a request for the inputs
// of a queued or running job gets that job; new inputs (an upload) make a
// new job and cancel the queued one they supersede, never a running one.
func TestCreateJobWithinSharesTheJobOfTheSameInputs(t *testing.T) {
	t.Parallel()
	eachProject(t, "dedup", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		lim := JobLimits{Key: "check", PerProject: 4}
		first, old, sup, err := newJobWithin(t, s, ctx, p, JobCheck, 1, lim)
		if err != nil || old != nil || len(sup) != 0 {
			t.Fatalf("first check: existing %v, superseded %v, err %v", old, sup, err)
		}
		for i := 2; i < 6; i++ {
			_, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, i, lim)
			if err != nil || old == nil || old.ID != first.ID {
				t.Fatalf("repeat %d: existing %+v, err %v; want job %s", i, old, err, first.ID)
			}
		}
		// A render is another kind: not shared with the check.
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobRender, 1, JobLimits{Key: "render:a", PerProject: 4}); err != nil || old != nil {
			t.Fatalf("render beside the check: existing %v, err %v", old, err)
		}
		// Running: still shared while the inputs are the same.
		if err := s.UpdateJob(ctx, first.ID, JobUpdate{State: StateRunning}); err != nil {
			t.Fatal(err)
		}
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, 6, lim); err != nil || old == nil || old.ID != first.ID {
			t.Fatalf("repeat while running: existing %+v, err %v", old, err)
		}
		// An upload changes the inputs: a new check, queued beside the
		// running one (which is not cancelled).
		if err := s.PutFile(ctx, &File{ProjectID: p, Kind: KindStem, Name: "a.wav", Size: 1, BlobKey: "k", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		second, old, sup, err := newJobWithin(t, s, ctx, p, JobCheck, 7, lim)
		if err != nil || old != nil || len(sup) != 0 {
			t.Fatalf("check of new files: existing %v, superseded %v, err %v", old, sup, err)
		}
		if got := jobState(t, s, ctx, p, first.ID); got != StateRunning {
			t.Errorf("running check is %s after a newer request, want running", got)
		}
		// Another upload: the queued check of the older files is
		// superseded by the new one.
		if err := s.PutFile(ctx, &File{ProjectID: p, Kind: KindStem, Name: "b.wav", Size: 1, BlobKey: "k2", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		third, old, sup, err := newJobWithin(t, s, ctx, p, JobCheck, 8, lim)
		if err != nil || old != nil || !slices.Equal(sup, []string{second.ID}) {
			t.Fatalf("check of newer files: existing %v, superseded %v (want [%s]), err %v", old, sup, second.ID, err)
		}
		j, err := s.Job(ctx, p, second.ID)
		if err != nil || j.State != "cancelled" || j.Error != "superseded by a newer check" {
			t.Errorf("superseded check: %+v, %v", j, err)
		}
		if got := jobState(t, s, ctx, p, third.ID); got != StateQueued {
			t.Errorf("newest check is %s, want queued", got)
		}
	})
}

// TestCreateJobWithinBoundsActiveJobs: the per-project and per-client
// bounds count queued and running jobs only, and name the bound reached.
// The jobs are checks left running (a newer check supersedes only queued
// ones), so that they pile up.
func TestCreateJobWithinBoundsActiveJobs(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		a, b := "limA-"+name, "limB-"+name
		createProject(t, s, a, now)
		createProject(t, s, b, now)
		lim := JobLimits{Client: "192.0.2.1-" + name, PerProject: 2, PerClient: 3}
		running := func(project string, n int, lim JobLimits) (*Job, error) {
			t.Helper()
			j, _, _, err := newJobWithin(t, s, ctx, project, JobCheck, n, lim)
			if err == nil {
				err = s.UpdateJob(ctx, j.ID, JobUpdate{State: StateRunning})
			}
			return j, err
		}
		var made []*Job
		for i := 0; i < 2; i++ {
			j, err := running(a, i, lim)
			if err != nil {
				t.Fatalf("job %d: %v", i, err)
			}
			made = append(made, j)
		}
		_, err := running(a, 2, lim)
		var le *JobLimitError
		if !errors.As(err, &le) || le.Scope != "project" || le.Limit != 2 {
			t.Fatalf("third job of a project: %v, want the project's bound of 2", err)
		}
		if le.Wait < minWait || le.Wait > maxWait {
			t.Errorf("refusal's wait %s, want within %s…%s", le.Wait, minWait, maxWait)
		}
		// The client's third job, on the other project, fits; its fourth
		// does not, while another client's does.
		if _, err := running(b, 0, lim); err != nil {
			t.Fatal(err)
		}
		_, err = running(b, 1, lim)
		if !errors.As(err, &le) || le.Scope != "client" || le.Limit != 3 {
			t.Fatalf("fourth job of a client: %v, want the client's bound of 3", err)
		}
		other := lim
		other.Client = "198.51.100.7-" + name
		if _, err := running(b, 2, other); err != nil {
			t.Fatalf("another client: %v", err)
		}
		// A finished job frees its place; a running one does not.
		if _, err := running(a, 3, JobLimits{PerProject: 2}); !errors.As(err, &le) {
			t.Fatalf("with two running jobs: %v, want the project's bound", err)
		}
		if err := s.UpdateJob(ctx, made[0].ID, JobUpdate{State: StateDone}); err != nil {
			t.Fatal(err)
		}
		if _, err := running(a, 4, JobLimits{PerProject: 2}); err != nil {
			t.Fatalf("after a job finished: %v", err)
		}
		if _, _, err := s.CreateJobWithin(ctx, &Job{ID: "nope-" + name, ProjectID: "missing-" + name, Kind: JobCheck, State: StateQueued}, lim); !errors.Is(err, ErrNotFound) {
			t.Errorf("job of a missing project: %v, want ErrNotFound", err)
		}
	})
}

// TestCreateJobWithinPrunesFinishedJobs: finished jobs beyond the newest
// few of each kind go, except those the project still names; active jobs
// always stay.
func TestCreateJobWithinPrunesFinishedJobs(t *testing.T) {
	t.Parallel()
	eachProject(t, "prune", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		var ids []string
		for i := 0; i < 30; i++ {
			kind := JobCheck
			if i%3 == 0 {
				kind = JobRender
			}
			j, _, _, err := newJobWithin(t, s, ctx, p, kind, i, JobLimits{KeepFinished: 2})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
			state := StateDone
			if i%4 == 1 {
				state = StateFailed
			}
			if i < 29 {
				if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: state}); err != nil {
					t.Fatal(err)
				}
			}
			switch i {
			case 1: // the stored check names an old job
				if err := s.SetCheck(ctx, p, j.ID, []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			case 3: // a revision names an old render
				if _, err := s.AddRevision(ctx, &Revision{ProjectID: p, JobID: j.ID, CreatedAt: now}); err != nil {
					t.Fatal(err)
				}
			}
		}
		js, err := s.Jobs(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, j := range js {
			got = append(got, j.ID)
		}
		// Jobs 0…28 finished, 29 (a check) queued. Before job 29 was
		// made, the newest two finished checks were 26 and 28, renders 24
		// and 27; 1 and 3 are named.
		want := []string{ids[1], ids[3], ids[24], ids[26], ids[27], ids[28], ids[29]}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("jobs left %v, want %v", got, want)
		}
	})
}

// TestJobPage: pages are newest first, disjoint, and together every job.
func TestJobPage(t *testing.T) {
	t.Parallel()
	eachProject(t, "page", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		var want []string
		for i := 0; i < 7; i++ {
			j, _, _, err := newJobWithin(t, s, ctx, p, JobCheck, i, JobLimits{})
			if err != nil {
				t.Fatal(err)
			}
			want = append([]string{j.ID}, want...)
		}
		for _, limit := range []int{1, 3, 7, 10} {
			var got []string
			before, pages := int64(0), 0
			for {
				page, next, err := s.JobPage(ctx, p, before, limit)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(page) > limit || pages > 10 {
					t.Fatalf("limit %d: page %d has %d jobs", limit, pages, len(page))
				}
				for _, j := range page {
					got = append(got, j.ID)
				}
				if next == 0 {
					break
				}
				before = next
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d: pages give %v, want %v", limit, got, want)
			}
			if wantPages := (7 + limit - 1) / limit; pages != wantPages {
				t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
			}
		}
	})
}

var _ BoundedJobs = (*SQL)(nil)

// TestCreateJobWithinConcurrentRequests: requests of one project racing
// each other make one job between them and never pass the bound.
func TestCreateJobWithinConcurrentRequests(t *testing.T) {
	t.Parallel()
	eachProject(t, "race", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		const n = 8
		errs := make(chan error, n)
		ids := make(chan string, n)
		for i := 0; i < n; i++ {
			go func() {
				j, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, i, JobLimits{Key: "check", PerProject: 1})
				if old != nil {
					j = old
				}
				if err == nil {
					ids <- j.ID
				}
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		js, err := s.Jobs(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || len(js) != 1 {
			t.Errorf("%d racing requests answered %d jobs and made %d, want 1", n, len(seen), len(js))
		}
	})
}

// TestCreateJobWithinConcurrentClient: one client's requests racing on
// different projects never pass its bound.
func TestCreateJobWithinConcurrentClient(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		const n, bound = 8, 3
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("client-race-%s-%d", name, i)
			createProject(t, s, p, now)
			go func() {
				_, _, _, err := newJobWithin(t, s, ctx, p, JobRender, 0, JobLimits{Client: "203.0.113.9-" + name, PerClient: bound})
				errs <- err
			}()
		}
		made := 0
		for i := 0; i < n; i++ {
			var le *JobLimitError
			switch err := <-errs; {
			case err == nil:
				made++
			case !errors.As(err, &le):
				t.Errorf("request %d: %v", i, err)
			}
		}
		if made != bound {
			t.Errorf("%d racing requests of one client made %d jobs, want its bound %d", n, made, bound)
		}
	})
}

// publishTestRender runs job j (a render) to publication with one output.
func publishTestRender(t *testing.T, s *SQL, ctx context.Context, j *Job) {
	t.Helper()
	b, err := s.BeginAttempt(ctx, j.ProjectID, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := []Output{{Name: "main.wav", Kind: "audio", Size: 1, ContentType: "audio/wav", BlobKey: "k-" + j.ID}}
	if pub, err := s.PublishRender(ctx, j.ID, b.Attempt, []byte(`{}`), out, nil); err != nil || !pub.Published {
		t.Fatalf("publish %s: %+v, %v", j.ID, pub, err)
	}
}

// TestCreateJobWithinReusesADoneJob: a request for the inputs of a done job
// whose result the project still shows gets that job (the stored check,
// the current render), and supersedes what was queued for other inputs
// since; a done job the project no longer shows is not reused.
func TestCreateJobWithinReusesADoneJob(t *testing.T) {
	t.Parallel()
	eachProject(t, "reuse", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		check := JobLimits{Key: "check"}
		c1, _, _, err := newJobWithin(t, s, ctx, p, JobCheck, 1, check)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateJob(ctx, c1.ID, JobUpdate{State: StateDone}); err != nil {
			t.Fatal(err)
		}
		// Done but not stored (a stale check): not reused.
		c2, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, 2, check)
		if err != nil || old != nil {
			t.Fatalf("check after an unstored one: existing %v, %v; want a new job", old, err)
		}
		if err := s.UpdateJob(ctx, c2.ID, JobUpdate{State: StateDone}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCheck(ctx, p, c2.ID, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, 3, check); err != nil || old == nil || old.ID != c2.ID || old.State != StateDone {
			t.Fatalf("check of unchanged files: existing %+v, %v; want done %s", old, err, c2.ID)
		}
		// New files: the stored check is dropped, and so is the reuse.
		if err := s.PutFile(ctx, &File{ProjectID: p, Kind: KindStem, Name: "a.wav", Size: 1, BlobKey: "k", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobCheck, 4, check); err != nil || old != nil {
			t.Fatalf("check of new files: existing %v, %v; want a new job", old, err)
		}

		ra, rb := JobLimits{Key: "render:a"}, JobLimits{Key: "render:b"}
		a1, _, _, err := newJobWithin(t, s, ctx, p, JobRender, 1, ra)
		if err != nil {
			t.Fatal(err)
		}
		publishTestRender(t, s, ctx, a1)
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobRender, 2, ra); err != nil || old == nil || old.ID != a1.ID {
			t.Fatalf("render of the current inputs: existing %+v, %v; want done %s", old, err, a1.ID)
		}
		// B queued; A asked again: A is still what the project shows, and
		// the queued B is superseded by the request.
		b1, _, _, err := newJobWithin(t, s, ctx, p, JobRender, 3, rb)
		if err != nil {
			t.Fatal(err)
		}
		_, old, sup, err := newJobWithin(t, s, ctx, p, JobRender, 4, ra)
		if err != nil || old == nil || old.ID != a1.ID || !slices.Equal(sup, []string{b1.ID}) {
			t.Fatalf("render A after B queued: existing %+v, superseded %v, %v; want %s superseding [%s]", old, sup, err, a1.ID, b1.ID)
		}
		if j, err := s.Job(ctx, p, b1.ID); err != nil || j.State != StateCancelled || j.Error != "superseded by a newer render" {
			t.Errorf("render B: %+v, %v; want cancelled as superseded", j, err)
		}
		// B published: A is no longer what the project shows; asking for
		// it renders it again.
		b2, _, _, err := newJobWithin(t, s, ctx, p, JobRender, 5, rb)
		if err != nil {
			t.Fatal(err)
		}
		publishTestRender(t, s, ctx, b2)
		if _, old, _, err := newJobWithin(t, s, ctx, p, JobRender, 6, ra); err != nil || old != nil {
			t.Fatalf("render A once B is current: existing %+v, %v; want a new job", old, err)
		}
	})
}

// TestPrunedJobAnswersPruned: a pruned job's id answers ErrPruned (still
// an ErrNotFound), an id never made ErrNotFound only; a project keeps the
// newest maxTombstones tombstones.
func TestPrunedJobAnswersPruned(t *testing.T) {
	t.Parallel()
	eachProject(t, "pruned", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		var ids []string
		n := maxTombstones + 5
		for i := 0; i < n; i++ {
			j, _, _, err := newJobWithin(t, s, ctx, p, JobCheck, i, JobLimits{KeepFinished: 1})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateFailed}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		// Jobs n-2 (the newest finished when n-1 was made) and n-1 are
		// kept, n-3 is the newest pruned; the newest maxTombstones pruned
		// answer pruned, the older ones unknown.
		for _, id := range ids[n-2:] {
			if _, err := s.Job(ctx, p, id); err != nil {
				t.Fatalf("kept job: %v", err)
			}
		}
		for i, id := range ids[:n-2] {
			_, err := s.Job(ctx, p, id)
			pruned := i >= n-2-maxTombstones
			if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrPruned) != pruned {
				t.Fatalf("job %d of %d: %v; want not found, pruned %v", i, n, err, pruned)
			}
		}
		if _, err := s.Job(ctx, p, "never-made"); !errors.Is(err, ErrNotFound) || errors.Is(err, ErrPruned) {
			t.Errorf("unknown job: %v, want not found and not pruned", err)
		}
		if _, err := s.CancelJob(ctx, p, ids[n-3], "x"); !errors.Is(err, ErrPruned) {
			t.Errorf("cancel of a pruned job: %v, want ErrPruned", err)
		}
		var kept int
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM pruned_jobs WHERE project_id = ?`), p).Scan(&kept); err != nil || kept != maxTombstones {
			t.Errorf("tombstones kept %d (%v), want %d", kept, err, maxTombstones)
		}
	})
}

// TestLimitWait: a refusal's wait is the jobs ahead of the scope's oldest
// active job times the kind's recent mean time, over the jobs of the kind
// running at once.
func TestLimitWait(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		setTimes := func(id string, started, updated time.Time) {
			t.Helper()
			if _, err := s.db.ExecContext(ctx, s.q(`UPDATE jobs SET started_at = ?, updated_at = ? WHERE id = ?`), ms(started), ms(updated), id); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(p string, n int, created time.Time, state string) *Job {
			t.Helper()
			createProject(t, s, fmt.Sprintf("%s-%s-%d", p, name, n), now)
			j := &Job{ID: fmt.Sprintf("%s-%s-%d-r", p, name, n), ProjectID: fmt.Sprintf("%s-%s-%d", p, name, n), Kind: JobRender, State: StateQueued, CreatedAt: created}
			if _, _, err := s.CreateJobWithin(ctx, j, JobLimits{}); err != nil {
				t.Fatal(err)
			}
			if state != StateQueued {
				if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: state}); err != nil {
					t.Fatal(err)
				}
			}
			return j
		}
		// No render timed yet: the default time per job.
		base := now.Add(-time.Hour)
		mk("running", 0, base, StateRunning)
		mk("ahead", 0, base.Add(time.Second), StateQueued)
		mine := mk("mine", 0, base.Add(2*time.Second), StateQueued)
		mk("behind", 0, base.Add(3*time.Second), StateQueued)
		wait := func() time.Duration {
			t.Helper()
			_, _, err := s.CreateJobWithin(ctx, &Job{ID: "refused-" + name, ProjectID: mine.ProjectID, Kind: JobRender, State: StateQueued, CreatedAt: now}, JobLimits{PerProject: 1})
			var le *JobLimitError
			if !errors.As(err, &le) || le.Scope != "project" {
				t.Fatalf("request over the bound: %v", err)
			}
			return le.Wait
		}
		// Ahead of mine: the running render, the one queued before, mine.
		if got, want := wait(), 3*defaultJobTime; got != want {
			t.Errorf("wait with no render timed %s, want %s", got, want)
		}
		// Two renders done in 30 s and 50 s: 40 s each.
		d1 := mk("done", 1, base.Add(-time.Minute), StateDone)
		d2 := mk("done", 2, base.Add(-time.Minute), StateDone)
		setTimes(d1.ID, base, base.Add(30*time.Second))
		setTimes(d2.ID, base, base.Add(50*time.Second))
		if got, want := wait(), 3*40*time.Second; got != want {
			t.Errorf("wait %s, want %s", got, want)
		}
		// A second render running at once halves it (and counts as ahead).
		r1 := mk("running", 1, base, StateRunning)
		if got, want := wait(), 4*40*time.Second/2; got != want {
			t.Errorf("wait with two renders running %s, want %s", got, want)
		}
		// What a running render has done is taken off, up to the mean:
		// one that has run 30 s has 10 s left; one past the mean, none.
		// Started by the store's clock (the database's), which the wait
		// counts by: the machine's may run a little ahead of it.
		setTimes(r1.ID, s.Now().Add(-30*time.Second), s.Now())
		if got, want := wait(), (4*40-30)*time.Second/2; got < want-10*time.Second || got > want {
			t.Errorf("wait with a render 30 s in %s, want %s (less the seconds the test took)", got, want)
		}
		setTimes(r1.ID, s.Now().Add(-time.Hour), s.Now())
		if got, want := wait(), (4*40-40)*time.Second/2; got != want {
			t.Errorf("wait with a render past the mean %s, want %s", got, want)
		}
	})
}

// TestProjectChangesRacingDoNotDeadlock: uploads, deletes, job requests,
// publications and heartbeats of one project racing each other wait for
// each other (every transaction takes the project's row first) instead of
// failing as deadlocked on PostgreSQL.
func TestProjectChangesRacingDoNotDeadlock(t *testing.T) {
	t.Parallel()
	eachProject(t, "race", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		const workers, rounds = 6, 10
		errs := make(chan error, workers*rounds*5)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					f := &File{ProjectID: p, Kind: KindStem, Name: "drums.wav", Size: 1, BlobKey: fmt.Sprintf("k%d-%d", w, i), CreatedAt: now}
					if _, err := s.PutFileWithin(ctx, f, FileLimits{}); err != nil {
						errs <- err
					}
					if err := s.DeleteFile(ctx, p, KindStem, "drums.wav"); !errors.Is(err, ErrNotFound) {
						errs <- err
					}
					j := &Job{ID: fmt.Sprintf("%s-%d-%d", p, w, i), ProjectID: p, Kind: JobRender, State: StateQueued, CreatedAt: time.Now()}
					old, _, err := s.CreateJobWithin(ctx, j, JobLimits{Key: fmt.Sprintf("render:%d", i%3), KeepFinished: 2})
					errs <- err
					if err != nil || old != nil {
						continue
					}
					if _, err := s.Heartbeat(ctx, j.ID); !errors.Is(err, ErrNotFound) {
						errs <- err
					}
					b, err := s.BeginAttempt(ctx, p, j.ID)
					if err != nil {
						if !errors.Is(err, ErrNotFound) { // superseded and pruned
							errs <- err
						}
						continue
					}
					out := []Output{{Name: "main.wav", Kind: "audio", Size: 1, ContentType: "audio/wav", BlobKey: "o-" + j.ID}}
					if _, err := s.PublishRender(ctx, j.ID, b.Attempt, []byte(`{}`), out, nil); !errors.Is(err, ErrNotFound) {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("racing changes: %v", err)
			}
		}
	})
}

// TestStaleJobsAreActiveOnly: a job whose last change is older than the
// lease is stale only while it is queued or running (its worker died); a
// done, failed or cancelled one is not, however old, nor is a fresh
// running one or an unknown id.
func TestStaleJobsAreActiveOnly(t *testing.T) {
	t.Parallel()
	eachProject(t, "stale", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		const lease = time.Minute
		old := ms(now.Add(-time.Hour))
		jobs := map[string]struct {
			state string
			aged  bool
			stale bool
		}{
			"running-old":   {StateRunning, true, true},
			"queued-old":    {StateQueued, true, true},
			"running-fresh": {StateRunning, false, false},
			"done-old":      {StateDone, true, false},
			"failed-old":    {StateFailed, true, false},
			"cancelled-old": {StateCancelled, true, false},
		}
		var ids []string
		for name, c := range jobs {
			id := p + "-" + name
			ids = append(ids, id)
			if err := s.CreateJob(ctx, &Job{ID: id, ProjectID: p, Kind: JobRender, State: c.state, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if c.aged {
				if _, err := s.db.ExecContext(ctx, s.q(`UPDATE jobs SET updated_at = ? WHERE id = ?`), old, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		stale, err := s.StaleJobs(ctx, append(ids, p+"-unknown"), lease)
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range jobs {
			if got := stale[p+"-"+name]; got != c.stale {
				t.Errorf("%s: stale %v, want %v", name, got, c.stale)
			}
		}
		if len(stale) != 2 {
			t.Errorf("stale %v, want the two active old jobs only", stale)
		}
	})
}

// TestJobChangedWakesWaiters: a channel from JobChanged closes when the
// job's state, stage, progress or attempt changes: at once, in this
// process, on SQLite (and not for a heartbeat or another job's change);
// on PostgreSQL through LISTEN/NOTIFY when another process (another
// handle on the database) makes the change.
func TestJobChangedWakesWaiters(t *testing.T) {
	t.Parallel()
	eachProject(t, "watch", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		writer := s
		if s.dialect == Postgres {
			other, err := OpenSQL(ctx, os.Getenv("STEMMASTER_TEST_POSTGRES"))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			writer = other
			// Listening starts with the first waiter, and wakes it.
			ch, release := s.JobChanged("none")
			waitClosed(t, ch, "the listener's start")
			release()
		}
		job, other := p+"-job", p+"-other"
		for _, id := range []string{job, other} {
			if err := s.CreateJob(ctx, &Job{ID: id, ProjectID: p, Kind: JobRender, State: StateQueued, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		changes := []struct {
			name string
			f    func() error
		}{
			{"claim", func() error {
				_, err := writer.ClaimJob(ctx, p, job, JobRender, 0, 0, time.Minute)
				return err
			}},
			{"progress", func() error {
				return writer.UpdateJob(ctx, job, JobUpdate{State: StateRunning, Stage: "render", Progress: 0.5})
			}},
			{"cancel", func() error {
				_, err := writer.CancelJob(ctx, p, job, "test")
				return err
			}},
		}
		for _, c := range changes {
			ch, release := s.JobChanged(job)
			defer release()
			if s.dialect == SQLite {
				if _, err := writer.Heartbeat(ctx, job); err != nil {
					t.Fatal(err)
				}
				if err := writer.UpdateJob(ctx, other, JobUpdate{Stage: "x"}); err != nil {
					t.Fatal(err)
				}
				select {
				case <-ch:
					t.Fatalf("%s: woken by a heartbeat or another job's change", c.name)
				default:
				}
			}
			if err := c.f(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if s.dialect == SQLite {
				select {
				case <-ch:
				default:
					t.Fatalf("%s: not woken at once", c.name)
				}
				continue
			}
			waitClosed(t, ch, c.name)
		}
		if s.dialect == Postgres {
			// The database ends the listening session (a restart, an
			// operator): its waiters are woken, and so is one waiting
			// while it listens again (by its return or by the notice).
			ch, release := s.JobChanged(job)
			defer release()
			if _, err := writer.db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN `+jobChannel+`' AND datname = current_database()`); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, ch, "the listening session ended")
			ch, release = s.JobChanged(job)
			defer release()
			if err := writer.UpdateJob(ctx, job, JobUpdate{Stage: "after"}); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, ch, "a change while listening again")
		}
		// A reader that stops waiting leaves nothing behind: not even for
		// a job that never changes again, or does not exist.
		_, release1 := s.JobChanged(other)
		_, release2 := s.JobChanged(other)
		_, release3 := s.JobChanged(p + "-unknown")
		release1()
		release1() // once is all a release does
		if s.watching() != 2 {
			t.Errorf("%d jobs watched with a reader left on each of two, want 2", s.watching())
		}
		release2()
		release3()
		if s.watching() != 0 {
			t.Errorf("%d jobs watched after every reader left", s.watching())
		}
	})
}

// watching is how many jobs the store keeps a channel for.
func (s *SQL) watching() int {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	return len(s.watch.waiting)
}

// waitClosed fails the test when ch is not closed within a generous time.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no notice within 30 s", what)
	}
}
