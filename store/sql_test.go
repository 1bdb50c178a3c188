package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestCancelledJobKeepsItsStage: a worker that has not yet noticed the
// cancellation reports on (progress, or "retrying" as its render stops
// with a cancelled context); the job still reads as cancelled in every
// field, so no client sees a cancelled job "retrying".
func TestCancelledJobKeepsItsStage(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		createProject(t, s, "p1", now)
		if err := s.CreateJob(ctx, &Job{ID: "j1", ProjectID: "p1", Kind: JobRender, State: StateQueued, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateJob(ctx, "j1", JobUpdate{State: StateRunning, Progress: 0.4, Stage: "master"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.CancelJob(ctx, "p1", "j1", "cancelled by the client"); err != nil || !ok {
			t.Fatalf("cancel: %v %v", ok, err)
		}
		for _, u := range []JobUpdate{
			{State: StateRunning, Progress: 0.8, Stage: "main.wav"},
			{State: StateQueued, Stage: "retrying", Error: "interrupted; will retry"},
		} {
			if err := s.UpdateJob(ctx, "j1", u); err != nil {
				t.Fatal(err)
			}
			j, err := s.Job(ctx, "p1", "j1")
			if err != nil {
				t.Fatal(err)
			}
			if j.State != StateCancelled || j.Stage != "cancelled" || j.Progress != 0.4 || j.Error != "cancelled by the client" {
				t.Errorf("after %+v: state %q, stage %q, progress %g, error %q; want cancelled, cancelled, 0.4, cancelled by the client",
					u, j.State, j.Stage, j.Progress, j.Error)
			}
		}
	})
}

// TestJobKeepsRenderArgs: a job recorded either way keeps the confirmations
// and the note of its render and the request that asked for it, read back by Job and UnfinishedJobs (what
// jobs.Requeue queues again); a job without them reads back without.
func TestJobKeepsRenderArgs(t *testing.T) {
	t.Parallel()
	eachProject(t, "args", func(t *testing.T, s *SQL, ctx context.Context, now time.Time, p string) {
		plain := &Job{ID: p + "-c", ProjectID: p, Kind: JobCheck, State: StateQueued, CreatedAt: now}
		if err := s.CreateJob(ctx, plain); err != nil {
			t.Fatal(err)
		}
		created := &Job{ID: p + "-r1", ProjectID: p, Kind: JobRender, State: StateQueued, CreatedAt: now.Add(time.Millisecond),
			Confirmed: []string{"offset", "clipping"}, Note: "louder, \"warmer\"", RequestID: "req-1"}
		if err := s.CreateJob(ctx, created); err != nil {
			t.Fatal(err)
		}
		within := &Job{ID: p + "-r2", ProjectID: p, Kind: JobRender, State: StateQueued, CreatedAt: now.Add(2 * time.Millisecond),
			Confirmed: []string{"rate"}, Note: "second", RequestID: "req-2"}
		if _, _, err := s.CreateJobWithin(ctx, within, JobLimits{}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []*Job{plain, created, within} {
			got, err := s.Job(ctx, p, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Confirmed, want.Confirmed) || got.Note != want.Note || got.RequestID != want.RequestID {
				t.Errorf("job %s: confirmed %q note %q request %q, want %q %q %q", want.ID, got.Confirmed, got.Note, got.RequestID, want.Confirmed, want.Note, want.RequestID)
			}
		}
		unfinished, err := s.UnfinishedJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(unfinished, func(j Job) bool { return j.ID == within.ID })
		if i < 0 {
			t.Fatalf("unfinished jobs %+v lack %s", unfinished, within.ID)
		}
		if j := unfinished[i]; !slices.Equal(j.Confirmed, within.Confirmed) || j.Note != within.Note || j.RequestID != within.RequestID {
			t.Errorf("unfinished %s: confirmed %q note %q, want %q %q", j.ID, j.Confirmed, j.Note, within.Confirmed, within.Note)
		}
	})
}

// TestSQLiteSyncsEveryCommit: the metadata database, and River's through
// the same DSN, sync the journal at every commit (synchronous FULL = 2).
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t).DB()
	db.SetMaxOpenConns(2)
	for i := range 2 { // each connection of the pool
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var level int
		if err := conn.QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&level); err != nil {
			t.Fatal(err)
		}
		if level != 2 {
			t.Errorf("connection %d: synchronous = %d, want 2 (FULL)", i, level)
		}
	}
}
