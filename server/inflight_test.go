package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/store"
)

// frontEndDatabases opens, for each database the tests run on, a way to
// open handles on one database: a SQLite file, and, when
// STEMMASTER_TEST_POSTGRES names a database, a fresh schema of it
// (dropped when the test ends).
func frontEndDatabases(t *testing.T) map[string]string {
	t.Helper()
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "meta.sqlite")}
	base := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if base == "" {
		t.Log("STEMMASTER_TEST_POSTGRES is not set: SQLite only")
		return dbs
	}
	var b [4]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dbs["postgres"] = u.String()
	return dbs
}

// frontEnds starts n servers on one database (their own handles on it,
// as n processes have) and one blob store, with limits; they run no jobs.
func frontEnds(t *testing.T, dbURL string, n int, limits Limits) []*testBundle {
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
		srv := New(Config{Meta: meta, Blobs: blobs, Limits: limits, TempDir: t.TempDir(), MinFreeBytes: -1,
			CreatesPerMinute: 1000, Logger: testLogger(t)})
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
				var e apiErr
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
				clients := []*client{c, c.on(fe[1])}
				wav := wavBytes(t, 3*mib/6, 100)
				names := []string{"drums.wav", "bass.wav"}
				writers := make([]*io.PipeWriter, 2)
				bodies := make([][]byte, 2)
				codes := make([]int, 2)
				var wg sync.WaitGroup
				for i := range 2 {
					body, ctype := multipartBody(map[string][]byte{names[i]: wav}, names[i])
					bodies[i], _ = io.ReadAll(body)
					pr, pw := io.Pipe()
					writers[i] = pw
					req := clients[i].request("POST", clients[i].p("/stems"), pr, ctype)
					req.ContentLength = int64(len(bodies[i]))
					wg.Add(1)
					go func() {
						defer wg.Done()
						var data []byte
						codes[i], data = send(t, req)
						t.Logf("upload %d: %d %s", i, codes[i], bytes.TrimSpace(data))
					}()
				}
				// Each front end holds 2 MiB of its upload in flight.
				for i := range 2 {
					if _, err := writers[i].Write(bodies[i][:2*mib]); err != nil {
						t.Fatal(err)
					}
				}
				deadline := time.Now().Add(30 * time.Second)
				for fe[0].srv.spools.reserved() < 2*mib-64<<10 || fe[1].srv.spools.reserved() < 2*mib-64<<10 {
					if time.Now().After(deadline) {
						t.Fatalf("reserved %d and %d bytes after 30 s, want each upload's first 2 MiB", fe[0].srv.spools.reserved(), fe[1].srv.spools.reserved())
					}
					time.Sleep(5 * time.Millisecond)
				}
				// The rest of both files but their trailers: 6 MiB in
				// flight against room for 5, so one upload is cut while
				// both are in flight, before either can be recorded (a
				// request ends only once its trailer is read).
				const trailer = 64
				for i := range 2 {
					go writers[i].Write(bodies[i][2*mib : len(bodies[i])-trailer]) // a cut upload stops reading
				}
				// The cut upload's front end frees its spool at once (its
				// client hears of it only once it stops sending).
				deadline = time.Now().Add(30 * time.Second)
				for fe[0].srv.spools.reserved() > 0 && fe[1].srv.spools.reserved() > 0 {
					if time.Now().After(deadline) {
						t.Errorf("neither upload was cut in flight after 30 s (%d and %d bytes spooled): each front end counted only its own",
							fe[0].srv.spools.reserved(), fe[1].srv.spools.reserved())
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				for i := range 2 {
					go func() {
						writers[i].Write(bodies[i][len(bodies[i])-trailer:])
						writers[i].Close()
					}()
				}
				wg.Wait()
				stored, refused := 0, 0
				for _, code := range codes {
					switch code {
					case http.StatusCreated:
						stored++
					case http.StatusRequestEntityTooLarge:
						refused++
					}
				}
				if stored != 1 || refused != 1 {
					t.Errorf("codes %v, want one 201 and one 413", codes)
				}
			})
		})
	}
}
