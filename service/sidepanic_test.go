package service

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"stemmaster"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/internal/testkit"
	"stemmaster/jobs"
	"stemmaster/store"
)

// TestSideGoroutinePanics panics (internal/faultpoint) in each side
// goroutine of a render job (the progress reporter, an output's upload,
// an input's prefetch): the job fails for good (no retry of a bug) with
// the stage named, within a deadline, and leaves no goroutine behind. Not
// parallel: the goroutines are counted for the process.
func TestSideGoroutinePanics(t *testing.T) {
	for _, tc := range []struct{ point, stage string }{
		{"render.progress", "render's progress report"},
		{"render.upload", "render's upload of main.wav"},
		{"render.prefetch", "render's prefetch of drums.wav"},
	} {
		t.Run(tc.point, func(t *testing.T) {
			// The renderer reads its stem through the job's open, reports
			// progress and hands an output over as it is final.
			b := setup(t, rendererFunc(func(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
				f, err := in.Open(filepath.Join(in.Dir, "drums.wav"))
				if err != nil {
					return nil, err
				}
				data, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					return nil, err
				}
				in.Progress("render", 0.5)
				if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), data, 0o644); err != nil {
					return nil, err
				}
				in.Finished("main.wav")
				return &stemmaster.Report{Outputs: []stemmaster.OutputReport{{File: "main.wav"}}}, nil
			}))
			b.runner.ReadInPlace = true
			b.project(t, "j")
			ctx := context.Background()
			before := runtime.NumGoroutine()
			disarm := faultpoint.Arm(tc.point + ":panic")
			defer disarm()
			err := testkit.NoHang(t, time.Minute, func() error {
				return b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j"}, 1, 3)
			})
			var jce *river.JobCancelError
			if !errors.As(err, &jce) {
				t.Errorf("err = %v; want a river.JobCancelError (a bug is not retried)", err)
			}
			j, _ := b.meta.Job(ctx, "p", "j")
			if j.State != store.StateFailed || !strings.Contains(j.Error, "internal error in the "+tc.stage) || !strings.Contains(j.Error, "fault point "+tc.point) {
				t.Errorf("job = %+v; want failed naming %q", j, tc.stage)
			}
			disarm()
			testkit.Settled(t, before)
		})
	}
}

// TestHeartbeatPanicFailsTheJob: a job whose context the heartbeat ended
// with its panic as the cause (jobs: the watcher's look panicked) fails
// for good naming the heartbeat, where a cancelled context alone is an
// interruption, retried.
func TestHeartbeatPanicFailsTheJob(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	b := setup(t, rendererFunc(func(context.Context, RenderInput) (*stemmaster.Report, error) {
		cancel(safego.FromPanic("job's heartbeat", "fault point jobs.heartbeat"))
		return nil, ctx.Err()
	}))
	b.project(t, "j")
	failsNamingHeartbeat(t, b, b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j"}, 1, 3))
}

// TestHeartbeatPanicRefusedDisk: a render refused disk while its
// heartbeat panicked (the job's context ended with the panic as its
// cause) fails for good naming the heartbeat; it is not put off as
// waiting for disk, which another attempt would meet the bug again after.
func TestHeartbeatPanicRefusedDisk(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	b := setup(t, rendererFunc(func(context.Context, RenderInput) (*stemmaster.Report, error) {
		t.Error("a render refused disk ran")
		return nil, errors.New("ran")
	}))
	b.runner.Disk = &Disk{MinFreeBytes: 1, FreeBytes: func() (uint64, error) {
		cancel(safego.FromPanic("job's heartbeat", "fault point jobs.heartbeat"))
		return 0, nil
	}}
	b.project(t, "j")
	failsNamingHeartbeat(t, b, b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j"}, 1, 3))
}

// failsNamingHeartbeat wants err, job j's render, to be one River does not
// retry, and the job failed for good naming its heartbeat (not waiting for
// disk, nor interrupted).
func failsNamingHeartbeat(t *testing.T, b *testBundle, err error) {
	t.Helper()
	var jce *river.JobCancelError
	if !errors.As(err, &jce) {
		t.Errorf("err = %v; want a river.JobCancelError (a bug is not retried)", err)
	}
	j, _ := b.meta.Job(context.Background(), "p", "j")
	if j.State != store.StateFailed || !strings.Contains(j.Error, "internal error in the job's heartbeat") {
		t.Errorf("job = %+v; want failed naming the heartbeat, not waiting for disk", j)
	}
}
