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
// internal/faultpoint) neither ends the process nor leaves the job running
// unwatched: the job's context ends with the panic as its cause, naming the
// stage (which the Worker records as the job's failure), and run returns
// it. Not parallel: the point is armed for the process.
func TestHeartbeatPanic(t *testing.T) {
	b := setup(t)
	tick := make(chan time.Time, 1)
	f := &fairness{r: b.worker, limits: Limits{Lease: time.Hour},
		looks: func() (<-chan time.Time, func()) { return tick, func() {} }}
	disarm := faultpoint.Arm("jobs.heartbeat:panic")
	defer disarm()
	err := testkit.NoHang(t, time.Minute, func() error {
		return f.run(context.Background(), store.JobRender, "p", "r1", func(ctx context.Context) error {
			tick <- time.Now()
			<-ctx.Done()
			var pe *safego.PanicError
			if cause := context.Cause(ctx); !errors.As(cause, &pe) || pe.Stage != "job's heartbeat" {
				t.Errorf("the job's context ended with %v; want the heartbeat's panic", cause)
			}
			return ctx.Err()
		})
	})
	var pe *safego.PanicError
	if !errors.As(err, &pe) || pe.Stage != "job's heartbeat" {
		t.Errorf("run returned %v; want the heartbeat's panic", err)
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
