package main

import (
	"strings"
	"testing"
	"time"

	"stemmaster/internal/faultpoint"
)

// TestScaleOutOutOfOrder runs the web front end and two workers on
// PostgreSQL (STEMMASTER_TEST_POSTGRES, an empty database). Worker A is
// slow: it holds its first render 4 s before publishing and its first
// check 4 s before storing it. A render queued first on A finishes after a
// newer one on B: the newer stays published. Then, with A alone, a stem is
// uploaded while A checks: the stale check is not stored.
func TestScaleOutOutOfOrder(t *testing.T) {
	pg := pgTestURL(t)
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg, "--blobs", blobs, "--no-work", "--min-free-mb", "-1")
	startWorker(t, pg, blobs, []string{faultpoint.DelayEnv + "=render-uploaded=4s,check-measured=4s"})

	stems := faultStems(t)
	f := newFaultRun(t, web.url, stems, nil)
	for _, p := range stems[:1] {
		if err := f.upload(p); err != nil {
			t.Fatal(err)
		}
	}
	put := func(session string) {
		if _, err := f.c.Do("PUT", f.c.Path("/session"), strings.NewReader(session), "application/json", nil); err != nil {
			t.Fatal(err)
		}
	}
	render := func() string {
		var q struct{ Job string }
		if _, err := f.c.Do("POST", f.c.Path("/render"), nil, "", &q); err != nil {
			t.Fatal(err)
		}
		return q.Job
	}
	put(`{"stems":[{"file":"drums.wav","gain_db":-3}]}`)
	older := render()
	// Worker A, the only one, takes it and holds it before publishing.
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := f.c.Job(older)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "running" && j.Progress >= 0.9 {
			break
		}
		if j.State == "done" || time.Now().After(deadline) {
			t.Fatalf("the older render was not held on worker A: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := startWorker(t, pg, blobs, nil)
	put(`{"stems":[{"file":"drums.wav","gain_db":-6}]}`)
	newer := render()
	if err := f.waitDone(newer); err != nil {
		t.Fatal(err)
	}
	published, err := f.listing()
	if err != nil {
		t.Fatal(err)
	}
	// The newer render cancels the older when it is queued (superseded);
	// should the older reach publication first, the generation check
	// still refuses it. Either way it publishes nothing.
	j := waitEnded(t, f.c, older, 60*time.Second)
	var view struct {
		Jobs []struct{ ID, Stage string } `json:"jobs"`
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &view)
	for _, v := range view.Jobs {
		if v.ID == older && v.Stage != "superseded" && !(j.State == "cancelled" && strings.Contains(j.Error, "superseded")) {
			t.Errorf("the older render finished %+v (stage %q), want superseded", j, v.Stage)
		}
	}
	after, err := f.listing()
	if err != nil {
		t.Fatal(err)
	}
	if len(published) == 0 || !equalDigests(published, after) {
		t.Errorf("the older render, finishing last, changed the published outputs:\nbefore %v\nafter  %v", published, after)
	}
	t.Logf("out of order: the newer render (worker B) published, the older (worker A, 4 s late) superseded; outputs unchanged")

	// A stale check: worker B goes, A checks slowly while a stem arrives.
	b.Kill()
	var q struct{ Job string }
	if _, err := f.c.Do("POST", f.c.Path("/check"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // A has fetched the one stem and is measuring
	if err := f.upload(stems[1]); err != nil {
		t.Fatal(err)
	}
	if err := f.waitDone(q.Job); err != nil {
		t.Fatal(err)
	}
	var proj struct {
		Check any                          `json:"check"`
		Jobs  []struct{ ID, Stage string } `json:"jobs"`
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &proj)
	if proj.Check != nil {
		t.Errorf("a check of the stems before the upload landed: %v", proj.Check)
	}
	for _, v := range proj.Jobs {
		if v.ID == q.Job && v.Stage != "superseded" {
			t.Errorf("stale check job stage %q, want superseded", v.Stage)
		}
	}
	// Checked again, the current stems' report lands.
	if _, err := f.c.Do("POST", f.c.Path("/check"), nil, "", &q); err != nil {
		t.Fatal(err)
	}
	if err := f.waitDone(q.Job); err != nil {
		t.Fatal(err)
	}
	f.c.Do("GET", f.c.Path(""), nil, "", &proj)
	if proj.Check == nil {
		t.Error("the check of the current stems did not land")
	}
}
