package main

import (
	"strings"
	"testing"
	"time"

	"stemmaster/store"
)

// TestRenderPutOffForDisk: a render whose scratch does not fit above
// --min-free-mb (the stems uploaded before the server restarted with a
// watermark above the disk's free space) is put off, not failed: the
// API shows it queued again, saying it waits for disk space; its last
// attempt fails saying how much is short, and the server answers on.
func TestRenderPutOffForDisk(t *testing.T) {
	t.Parallel()
	skipShort(t, "runs the server binary")
	data := t.TempDir()
	stems, _ := sidePanicFiles(t)
	srv := startEnv(t, data)
	c := uploadProject(t, srv.url, stems)
	srv.Kill()
	// A watermark no disk clears: 1 EiB.
	srv = startServerEnv(t, data, nil, "--min-free-mb", "1099511627776", "--keep-revisions", "1")
	c.Base = srv.url
	job := c.queue(t, "render")
	// Poll until the first attempt has put it off (or it ends at once,
	// as a refusal did).
	var j struct{ State, Stage, Error string }
	for end := time.Now().Add(2 * time.Minute); ; {
		if _, err := c.Do("GET", c.Path("/jobs/"+job), nil, "", &j); err != nil {
			t.Fatal(err)
		}
		if j.Stage == "retrying" || j.State == store.StateFailed || j.State == store.StateDone {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("job %+v: never put off", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if j.State != store.StateQueued || j.Error != "waiting for disk space on the server; will retry" {
		t.Fatalf("job after its first attempt %+v; want queued, waiting for disk space", j)
	}
	done, err := c.WaitJob(job, 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if done.State != store.StateFailed || !strings.Contains(done.Error, "short of disk space for this render") || done.Attempt != 3 {
		t.Errorf("job %+v; want failed on its third attempt, saying what is short", done)
	}
	if code, err := c.Do("GET", c.Path(""), nil, "", nil); err != nil || code != 200 {
		t.Errorf("GET project = %d, %v; want 200", code, err)
	}
}
