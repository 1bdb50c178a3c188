package store

import (
	"context"
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
