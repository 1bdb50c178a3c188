package store

import (
	"context"
	"testing"
	"time"
)

// TestReturnAttempt: the attempt of a job queued again after a graceful
// shutdown is taken back once; a running or finished job keeps its count.
func TestReturnAttempt(t *testing.T) {
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := createProject(t, s, "ra-"+name, now)
		j := &Job{ID: "ra-job-" + name, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		attempt := func() int {
			got, err := s.Job(ctx, p.ID, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Attempt
		}
		for range 2 {
			if _, err := s.BeginAttempt(ctx, p.ID, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		// Running: nothing to take back.
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 2 {
			t.Errorf("running job: %v, attempt %d; want 2", err, attempt())
		}
		s.UpdateJob(ctx, j.ID, JobUpdate{State: StateQueued})
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 1 {
			t.Errorf("queued again: %v, attempt %d; want 1", err, attempt())
		}
		s.UpdateJob(ctx, j.ID, JobUpdate{State: StateDone})
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 1 {
			t.Errorf("done: %v, attempt %d; want 1 kept", err, attempt())
		}
	})
}
