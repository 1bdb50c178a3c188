package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/faultpoint"
)

// TestS3KillAtEveryStage kills a worker of the scale-out layout (front end
// and workers on PostgreSQL, blobs on versitygw) with SIGKILL at each
// stage of a render and of its publication, while the project holds a
// published render. After each kill, before anything recovers: the
// published master and every other listed output download byte-identical
// to what they were (or, killed after the switch, are the new render's
// complete outputs), and the job reads queued or running, or done once
// published — never failed. Then a healthy worker takes the job over after
// the lease and publishes it, and nothing of the killed attempt is left in
// the bucket.
func TestS3KillAtEveryStage(t *testing.T) {
	const lease = "--job-lease=3s"
	d, _ := startS3ScaleOut(t, "kills workers of the scale-out layout", lease)
	c := d.project(t, faultStems(t))
	setGain := func(db int) {
		t.Helper()
		s := fmt.Sprintf(`{"stems":[{"file":"bass.wav","gain_db":%d},{"file":"drums.wav"}]}`, db)
		if _, err := c.Do("PUT", c.Path("/session"), strings.NewReader(s), "application/json", nil); err != nil {
			t.Fatal(err)
		}
	}
	// published reads the listing and downloads every output.
	published := func() map[string][]byte {
		t.Helper()
		outs, err := c.Outputs()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, o := range outs {
			code, body := c.get(t, c.Path("/outputs/"+o.Name))
			if code != 200 || int64(len(body)) != o.Size {
				t.Fatalf("%s: %d, %d bytes, listed %d", o.Name, code, len(body), o.Size)
			}
			got[o.Name] = body
		}
		return got
	}
	same := func(a, b map[string][]byte) bool {
		if len(a) != len(b) {
			return false
		}
		for n, x := range a {
			if !bytes.Equal(x, b[n]) {
				return false
			}
		}
		return true
	}

	healthy := d.addWorker(t, lease)
	first := c.queue(t, "render")
	if j := waitEnded(t, c, first, 120*time.Second); j.State != "done" {
		t.Fatalf("first render: %+v", j)
	}
	prev := published()
	if len(prev["main.wav"]) == 0 {
		t.Fatalf("first render published no main.wav: %v", prev)
	}
	healthy.Kill()

	for i, point := range []string{"render-started", "render-midway", "render-uploaded", "render-published"} {
		t.Run(point, func(t *testing.T) {
			setGain(-2 - 2*i) // every render's master differs from the one before
			doomed := startWorker(t, d.db, d.bucket, []string{faultpoint.Env + "=" + point}, lease)
			job := c.queue(t, "render")
			if !doomed.exited(120 * time.Second) {
				t.Fatalf("the worker did not die at %s", point)
			}
			j, err := c.Job(job)
			if err != nil {
				t.Fatal(err)
			}
			now := published()
			switch {
			case point == "render-published":
				if j.State != "done" || same(now, prev) {
					t.Fatalf("killed after the switch: job %+v, the listing unchanged %v; want done and the new render listed", j, same(now, prev))
				}
			case j.State != "queued" && j.State != "running":
				t.Fatalf("killed at %s: the job reads %+v, want queued or running until taken over", point, j)
			case !same(now, prev):
				t.Fatalf("killed at %s: the listed outputs changed before the render was published", point)
			}
			healthy := d.addWorker(t, lease)
			j = waitEnded(t, c, job, 120*time.Second)
			if j.State != "done" {
				t.Fatalf("after the kill at %s the render is %+v, want done", point, j)
			}
			after := published()
			if same(after, prev) {
				t.Fatalf("after the kill at %s the new render is not what is listed", point)
			}
			if point != "render-published" && j.Attempt < 2 {
				t.Errorf("killed at %s, the render finished on attempt %d: was it taken over?", point, j.Attempt)
			}
			// Nothing of the killed attempt is left under the job's keys:
			// every object there is a listed output.
			for k := range d.objects(t, "projects/"+c.ID+"/jobs/"+job+"/") {
				if _, listed := after[k[strings.LastIndexByte(k, '/')+1:]]; !listed {
					t.Errorf("object %s is no listed output of the render", k)
				}
			}
			healthy.Kill()
			prev = after
		})
	}
}
