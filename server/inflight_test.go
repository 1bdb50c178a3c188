package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/pgtest"
	"stemmaster/store"
)

// frontEndDatabases names the databases the tests run on: a SQLite file,
// and, when STEMMASTER_TEST_POSTGRES names a database, a fresh schema of
// it (pgtest.Schema).
func frontEndDatabases(t *testing.T) map[string]string {
	t.Helper()
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "meta.sqlite")}
	if pg := pgtest.Schema(t); pg != "" {
		dbs["postgres"] = pg
	} else {
		t.Log("STEMMASTER_TEST_POSTGRES is not set: SQLite only")
	}
	return dbs
}

// frontEnds starts n servers on one database (their own handles on it,
// as n processes have) and one blob store, with limits; they run no jobs.
func frontEnds(t *testing.T, dbURL string, n int, limits Limits) []*testBundle {
	t.Helper()
	return frontEndsWith(t, dbURL, n, limits, nil)
}

// frontEndsWith is frontEnds with each server's Config changed by edit.
func frontEndsWith(t *testing.T, dbURL string, n int, limits Limits, edit func(*Config)) []*testBundle {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := store.OpenBlobs(ctx, filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	var out []*testBundle
	for range n {
		meta, err := store.OpenSQL(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		cfg := Config{Meta: meta, Blobs: blobs, Limits: limits, TempDir: t.TempDir(), MinFreeBytes: -1,
			CreatesPerMinute: 1000, Logger: testLogger(t)}
		if edit != nil {
			edit(&cfg)
		}
		srv := New(cfg)
		hs := httptest.NewUnstartedServer(srv)
		hs.Config = NewHTTPServer(srv)
		hs.Start()
		t.Cleanup(func() {
			hs.Close()
			srv.Close()
			meta.Close()
		})
		out = append(out, &testBundle{url: hs.URL, meta: meta, blobs: blobs, limits: limits, srv: srv})
	}
	return out
}

// on is the project's client talking to another front end.
func (c *client) on(b *testBundle) *client {
	o := *c
	o.base = b.url
	return &o
}

// TestUploadsInFlightAcrossFrontEnds: the uploads in flight on one front
// end count against a project's size and its client's storage on every
// other (two servers on one database), from their first byte: counted in
// each front end's memory, N front ends let N times the bound in flight.
func TestUploadsInFlightAcrossFrontEnds(t *testing.T) {
	t.Parallel()
	for name, dbURL := range frontEndDatabases(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("client storage", func(t *testing.T) {
				limits := Limits{MaxFileBytes: 300_000, MaxTotalBytes: 700_000, MaxFiles: 4, MaxClientBytes: 300_000}
				fe := frontEnds(t, dbURL, 2, limits)
				one, other := fe[0].newProject(t), fe[0].newProject(t).on(fe[1])
				cut := holdUpload(t, fe[0], one, "/stems", "a.wav", wavBytes(t, 40_000, 1000)[:200_000]) // of 240 kB
				var e apiError
				small := wavBytes(t, 20_000, 440) // 120 kB: 320 kB with the first in flight
				other.upload("stems", map[string][]byte{"b.wav": small}, []string{"b.wav"}, http.StatusRequestEntityTooLarge, &e)
				if e.Error.Code != "storage_full" || !strings.Contains(e.Error.Message, "in flight") {
					t.Errorf("a stem past the address's storage with an upload in flight on the other front end: %+v, want storage_full", e.Error)
				}
				cut()
				other.upload("stems", map[string][]byte{"b.wav": small}, []string{"b.wav"}, http.StatusCreated, nil)
			})
			t.Run("project size", func(t *testing.T) {
				const mib = 1 << 20
				limits := Limits{MaxFileBytes: 16 * mib, MaxTotalBytes: 5 * mib, MaxFiles: 16}
				fe := frontEnds(t, dbURL, 2, limits)
				c := fe[0].newProject(t)
				raceUploads(t, [2]*testBundle{fe[0], fe[1]}, [2]*client{c, c.on(fe[1])}, wavBytes(t, 3*mib/6, 100), http.StatusRequestEntityTooLarge)
			})
		})
	}
}
