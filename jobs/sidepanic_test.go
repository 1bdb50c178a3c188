package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/internal/testkit"
	"stemmaster/store"
)

// TestHeartbeatPanic: a panic in a running job's watcher (its heartbeat,
// internal/faultpoint) neither ends the process nor stops the watcher: it
// counts as a look the store did not answer, the watcher looks again, and
// the job, within its lease, runs on to its end. Not parallel: the point
// is armed for the process.
func TestHeartbeatPanic(t *testing.T) {
	b := setup(t)
	tick := make(chan time.Time)
	f := &fairness{r: b.worker, limits: Limits{Lease: time.Hour},
		looks: func() (<-chan time.Time, func()) { return tick, func() {} }}
	disarm := faultpoint.Arm("jobs.heartbeat:panic")
	defer disarm()
	started, finish := make(chan struct{}), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- f.run(context.Background(), store.JobRender, "p", "r1", func(ctx context.Context) error {
			close(started)
			select {
			case <-finish:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	<-started
	// A second tick taken means the first look, which panicked, is over
	// and the watcher lives on.
	for range 2 {
		select {
		case tick <- time.Now():
		case err := <-result:
			t.Fatalf("the job ended (%v) at a look that panicked", err)
		}
	}
	close(finish)
	if err := testkit.NoHang(t, time.Minute, func() error { return <-result }); err != nil {
		t.Errorf("the job returned %v; want it to run to its end", err)
	}
}

// TestRescuePanic: a panic in a round of the rescue of stale jobs is that
// round's error, naming the stage; the loop goes on to the next round.
func TestRescuePanic(t *testing.T) {
	disarm := faultpoint.Arm("jobs.rescue:panic")
	defer disarm()
	var pe *safego.PanicError
	if err := rescueOnce(context.Background(), nil, nil, time.Minute); !errors.As(err, &pe) || pe.Stage != "rescue of stale jobs" {
		t.Errorf("rescueOnce = %v; want the panic naming the rescue", err)
	}
}
