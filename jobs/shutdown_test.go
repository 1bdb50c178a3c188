package jobs

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"stemmaster/store"
)

// TestShutdownReturnsTheAttempt: a job cut off by a graceful shutdown is
// snoozed (River does not count it) and its attempt is taken back in the
// store; one cut off otherwise, or ended for good, keeps its error and its
// attempt.
func TestShutdownReturnsTheAttempt(t *testing.T) {
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
