package main

import (
	"syscall"
	"testing"
	"time"

	"stemmaster/internal/faultpoint"
)

// TestShutdownDoesNotUseAnAttempt stops the server with SIGTERM while a
// render runs, then kills it (SIGKILL) in the same render, then lets the
// render finish: the graceful shutdown queues the render again without
// using an attempt, the crash uses one, so the render ends done on its
// second attempt (a shutdown that counted would make it the third).
func TestShutdownDoesNotUseAnAttempt(t *testing.T) {
	skipShort(t, "stops and restarts the server binary")
	data := t.TempDir()
	stems := faultStems(t)
	start := func(env ...string) *serverProc {
		return startServerEnv(t, data, env, "--min-free-mb", "-1", "--stop-wait", "100ms")
	}
	// Past a third of the render every progress report is held for a
	// second, so the render (some five reports from its end when it is
	// seen running) is still running when the shutdown's wait is up.
	srv := start(faultpoint.DelayEnv + "=render-midway*=1s")
	f := newFaultRun(t, srv.url, stems, nil)
	for _, p := range stems {
		if err := f.upload(p); err != nil {
			t.Fatal(err)
		}
	}
	job := f.c.queue(t, "render")
	f.c.waitRunning(t, job, 60*time.Second)
	if err := srv.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !srv.exited(60 * time.Second) {
		t.Fatal("the server did not stop within 60 s of SIGTERM")
	}
	if !srv.Cmd.ProcessState.Success() {
		t.Errorf("SIGTERM: the server exited with %v", srv.Cmd.ProcessState)
	}

	// The next start crashes in the render.
	srv = start(faultpoint.Env + "=render-midway")
	if !srv.exited(60 * time.Second) {
		t.Fatal("the server armed to crash in the render is still up after 60 s")
	}

	srv = start()
	f.c.Base = srv.url
	j, err := f.c.WaitJob(job, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != "done" || j.Attempt != 2 {
		t.Errorf("render after a shutdown and a crash: %+v; want done on attempt 2 (the crash counts, the shutdown does not)", j)
	}
	t.Logf("graceful shutdown then crash: the render finished on attempt %d", j.Attempt)
}
