package main

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/pgtest"
)

// runningRenders samples, every 10 ms until stop is called, how many
// renders the database holds running (a render is running from the
// moment it claims its place until it is published or ends), and returns
// the most seen at once.
func runningRenders(t *testing.T, db *sql.DB) (stop func() int) {
	t.Helper()
	done := make(chan struct{})
	most := 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'render' AND state = 'running'`).Scan(&n); err == nil {
				most = max(most, n)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() int {
		close(done)
		wg.Wait()
		return most
	}
}

// TestMaxRendersAcrossWorkers runs three worker processes on one
// PostgreSQL. Without a global limit they render side by side (the
// sampling sees it); with --max-renders 1 no two renders ever run at once
// in the whole deployment and every render completes, a project's second
// render too, queued while its first waits or runs (--renders-per-project
// 1).
func TestMaxRendersAcrossWorkers(t *testing.T) {
	skipShort(t, "runs PostgreSQL and four server processes")
	pg := pgtest.Start(t)
	db, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg.URL, "--no-work", "--blobs", blobs)
	stems := shortStems(t, 2, 2)
	// Each render is held 2 s once it runs, so renders that may overlap do.
	env := []string{"STEMMASTER_FAULT_DELAY=render-started*=2s"}
	workers := func(extra ...string) []*serverProc {
		var ws []*serverProc
		for i := 0; i < 3; i++ {
			ws = append(ws, startWorker(t, pg.URL, blobs, env, extra...))
		}
		return ws
	}
	type queued struct {
		c   *apiClient
		job string
	}
	// renders queues one render of each of n projects (and, with
	// supersede, a second render of the first project) and waits for all.
	renders := func(n int, supersede bool) (most int, ended []apiclient.Job) {
		var qs []queued
		var cs []*apiClient
		for i := 0; i < n; i++ {
			cs = append(cs, uploadProject(t, web.url, stems))
		}
		stop := runningRenders(t, db)
		for _, c := range cs {
			qs = append(qs, queued{c, c.queue(t, "render")})
		}
		if supersede {
			qs = append(qs, queued{qs[0].c, qs[0].c.renderNoted(t, "again")})
		}
		for _, q := range qs {
			ended = append(ended, waitEnded(t, q.c, q.job, 180*time.Second))
		}
		return stop(), ended
	}

	ws := workers()
	most, ended := renders(3, false)
	for _, j := range ended {
		if j.State != "done" {
			t.Errorf("without a global limit a render ended %+v", j)
		}
	}
	if most < 2 {
		t.Fatalf("three workers without a global limit ran at most %d render at once: the sampling cannot see an overlap", most)
	}
	t.Logf("without --max-renders: up to %d renders at once", most)
	for _, w := range ws {
		w.Kill()
	}

	workers("--max-renders", "1", "--renders-per-project", "1")
	most, ended = renders(4, true)
	if most != 1 {
		t.Errorf("with --max-renders 1 on three workers, %d renders ran at once", most)
	}
	for i, j := range ended {
		// The first is superseded by the last (cancelled), unless it
		// published first.
		if j.State != "done" && !(i == 0 && j.State == "cancelled") {
			t.Errorf("render %d ended %+v", i, j)
		}
	}
	t.Logf("with --max-renders 1: at most %d render at once; %d renders ended (the superseded one %s)", most, len(ended), ended[0].State)
}
