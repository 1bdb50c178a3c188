package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// postgresTurn serialises the tests on the shared PostgreSQL database.
var postgresTurn sync.Mutex

// eachStore runs f as a subtest on each store openTestStores opens (named
// "sqlite" or "postgres"), with a background context and the time the
// subtest starts.
func eachStore(t *testing.T, f func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time)) {
	t.Helper()
	for name, s := range openTestStores(t) {
		t.Run(name, func(t *testing.T) {
			f(t, name, s, context.Background(), time.Now().UTC())
		})
	}
}

// openTestSQLite opens the SQLite store in a temp dir, closed when the
// test ends.
func openTestSQLite(t *testing.T) *SQL {
	t.Helper()
	s, err := OpenSQL(context.Background(), filepath.Join(t.TempDir(), "meta.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openTestStores opens the SQLite store in a temp dir and, when
// STEMMASTER_TEST_POSTGRES names a database URL, the PostgreSQL one too.
func openTestStores(t *testing.T) map[string]*SQL {
	t.Helper()
	ctx := context.Background()
	stores := map[string]*SQL{"sqlite": openTestSQLite(t)}
	url := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if url == "" {
		t.Log("STEMMASTER_TEST_POSTGRES is not set: SQLite only (scripts/test.sh runs PostgreSQL too)")
	}
	if url != "" {
		// The PostgreSQL database is one for every test and is emptied
		// below: the tests that use it take turns, parallel or not.
		postgresTurn.Lock()
		t.Cleanup(postgresTurn.Unlock)
		p, err := OpenSQL(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"sweep", "outputs", "jobs", "files", "projects"} {
			p.db.Exec("DELETE FROM " + table)
		}
		t.Cleanup(func() { p.Close() })
		stores["postgres"] = p
	}
	return stores
}

// TestOpenSQLNamesTheProblem: --db mysql://… is not opened as a SQLite
// file of that name failing "unable to open database file (14)", which
// names neither the URL nor the file: an unsupported scheme is named (and
// nothing after it, which may hold a password), and a SQLite file that
// cannot be opened is named.
func TestOpenSQLNamesTheProblem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := OpenSQL(ctx, "mysql://app:hunter2@db/x"); err == nil || !strings.Contains(err.Error(), `scheme "mysql" is not supported`) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("mysql URL: %v, want the scheme named as unsupported, without the password", err)
	}
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "meta.sqlite")
	if _, err := OpenSQL(ctx, "sqlite:"+missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("SQLite file in a missing directory: %v, want its path named", err)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "meta.sqlite")
	for i := 0; i < 2; i++ {
		s, err := OpenSQL(context.Background(), "sqlite:"+path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM stemmaster_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		entries, _ := migrations.ReadDir("migrations")
		if n != len(entries) {
			t.Errorf("open %d: %d migrations recorded, want %d", i, n, len(entries))
		}
		s.Close()
	}
}

func TestProjectLifecycle(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		now = now.Truncate(time.Millisecond)
		p := &Project{ID: "p1-" + name, TokenHash: []byte{1, 2, 3}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		old := endedProject(t, s, "p0-"+name, now)
		got, err := s.Project(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.TokenHash, p.TokenHash) || !got.ExpiresAt.Equal(p.ExpiresAt) || got.Session != nil {
			t.Errorf("project read back as %+v, want %+v", got, p)
		}
		if err := s.SetSession(ctx, p.ID, []byte(`{"stems":[]}`)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCheck(ctx, p.ID, "j0", []byte(`{"findings":[]}`)); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Project(ctx, p.ID)
		if string(got.Session) != `{"stems":[]}` || got.CheckJob != "j0" || string(got.Check) != `{"findings":[]}` {
			t.Errorf("session/check not stored: %+v", got)
		}
		expired, err := s.ExpiredProjects(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(expired) != 1 || expired[0] != old.ID {
			t.Errorf("expired = %v, want [%s]", expired, old.ID)
		}
		// The database's clock, which expiry goes by, is this machine's
		// within the test's reach (same host).
		if db, err := s.Clock(ctx); err != nil || time.Until(db).Abs() > time.Minute {
			t.Errorf("database clock %v, %v; want about now", db, err)
		}
		// A deletion's first step: expired at once, first in the sweep's
		// list, whatever the clocks say.
		gone := &Project{ID: "p2-" + name, TokenHash: []byte{7}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateProject(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if err := s.ExpireProject(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ExpireProject(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("expiring a project that is not there: %v, want ErrNotFound", err)
		}
		if expired, err := s.ExpiredProjects(ctx, now.Add(-48*time.Hour)); err != nil || len(expired) != 1 || expired[0] != gone.ID {
			t.Errorf("expired two days ago = %v, %v; want [%s]", expired, err, gone.ID)
		}
		if err := s.DeleteProject(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}

		// Live projects by creator: an address, and an IPv6 /48 across
		// its /64s; "" counts no network, an expired project nobody.
		for i, c := range []struct{ client, net string }{{"192.0.2.1", ""}, {"192.0.2.1", ""}, {"2001:db8::/64", "2001:db8::/48"}, {"2001:db8:0:1::/64", "2001:db8::/48"}} {
			if err := s.CreateProject(ctx, &Project{ID: fmt.Sprintf("c%d-%s", i, name), TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Client: c.client, ClientNet: c.net}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ExpireProject(ctx, "c1-"+name); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			client, net    string
			byClient, net2 int
		}{{"192.0.2.1", "", 1, 0}, {"2001:db8:0:1::/64", "2001:db8::/48", 1, 2}, {"192.0.2.2", "", 0, 0}} {
			if a, n, err := s.LiveProjectsOf(ctx, c.client, c.net, now); err != nil || a != c.byClient || n != c.net2 {
				t.Errorf("live projects of %s (%q): %d, %d, %v; want %d, %d", c.client, c.net, a, n, err, c.byClient, c.net2)
			}
		}

		// Files: upsert by (kind, name).
		f := File{ProjectID: p.ID, Kind: KindStem, Name: "drums.wav", Size: 10, BlobKey: "k1", CreatedAt: now}
		if err := s.PutFile(ctx, &f); err != nil {
			t.Fatal(err)
		}
		f.Size = 20
		if err := s.PutFile(ctx, &f); err != nil {
			t.Fatal(err)
		}
		mix := File{ProjectID: p.ID, Kind: KindMix, Name: "mix.wav", Size: 5, BlobKey: "k2", CreatedAt: now}
		if err := s.PutFile(ctx, &mix); err != nil {
			t.Fatal(err)
		}
		files, err := s.Files(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 2 || files[0].Name != "drums.wav" || files[0].Size != 20 {
			t.Errorf("files = %+v, want drums.wav (20 bytes) then mix.wav", files)
		}
		if err := s.DeleteFile(ctx, p.ID, KindStem, "nope.wav"); !errors.Is(err, ErrNotFound) {
			t.Errorf("delete missing file: %v, want ErrNotFound", err)
		}

		// Jobs and publication of outputs.
		for _, id := range []string{"r1-" + name, "r2-" + name} {
			if err := s.CreateJob(ctx, &Job{ID: id, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		r1, r2 := "r1-"+name, "r2-"+name
		if err := s.UpdateJob(ctx, r1, JobUpdate{State: StateRunning, Progress: 0.5, Stage: "master", Attempt: 1}); err != nil {
			t.Fatal(err)
		}
		j, err := s.Job(ctx, p.ID, r1)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != StateRunning || j.Progress != 0.5 || j.Stage != "master" || j.Attempt != 1 {
			t.Errorf("job after update = %+v", j)
		}
		if _, err := s.Job(ctx, "other", r1); !errors.Is(err, ErrNotFound) {
			t.Errorf("job of another project: %v, want ErrNotFound", err)
		}
		outs, _ := s.Outputs(ctx, p.ID)
		if len(outs) != 0 {
			t.Errorf("outputs before any render completed: %v", outs)
		}
		for _, id := range []string{r1, r2} {
			if _, err := s.BeginAttempt(ctx, p.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		pub, err := s.PublishRender(ctx, r1, 2, []byte(`{"r":1}`), []Output{{Name: "main.wav", Kind: OutputAudio, Size: 3, ContentType: "audio/wav", BlobKey: "b1"}}, nil)
		if err != nil || !pub.Published || pub.Previous != "" {
			t.Fatalf("publish r1: %+v, %v", pub, err)
		}
		pub, err = s.PublishRender(ctx, r2, 1, []byte(`{"r":2}`), []Output{{Name: "main.flac", Kind: OutputAudio, Size: 4, ContentType: "audio/flac", BlobKey: "b2"}}, nil)
		if err != nil || !pub.Published || pub.Previous != r1 {
			t.Fatalf("publish r2: %+v (want previous %q), %v", pub, r1, err)
		}
		if sw, _ := s.Sweeps(ctx); len(sw) != 1 || sw[0].JobID != r1 {
			t.Errorf("sweeps after r2 replaced r1: %+v", sw)
		}
		outs, _ = s.Outputs(ctx, p.ID)
		if len(outs) != 1 || outs[0].Name != "main.flac" || outs[0].JobID != r2 {
			t.Errorf("outputs after second render = %+v, want only main.flac of %s", outs, r2)
		}
		got, _ = s.Project(ctx, p.ID)
		if got.RenderJob != r2 || string(got.Report) != `{"r":2}` {
			t.Errorf("project render = %q %s", got.RenderJob, got.Report)
		}
		jobs, _ := s.Jobs(ctx, p.ID)
		if len(jobs) != 2 || jobs[1].State != StateDone || jobs[1].Progress != 1 {
			t.Errorf("jobs = %+v", jobs)
		}

		// Deleting the project removes everything it owns.
		if err := s.DeleteProject(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Project(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted project: %v", err)
		}
		if files, _ := s.Files(ctx, p.ID); len(files) != 0 {
			t.Errorf("files of deleted project: %v", files)
		}
		if jobs, _ := s.Jobs(ctx, p.ID); len(jobs) != 0 {
			t.Errorf("jobs of deleted project: %v", jobs)
		}
		if err := s.DeleteProject(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
}

func TestBlobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, dir := localBlobs(t)
	key := UploadKey("p1", KindStem, "u1", "drums.wav")
	if n, err := b.Put(ctx, key, "audio/wav", strings.NewReader("RIFF....")); err != nil || n != 8 {
		t.Fatalf("put: %d, %v", n, err)
	}
	if _, err := b.Put(ctx, JobPrefix("p1", "j1")+"main.wav", "audio/wav", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	r, err := b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r)
	r.Close()
	if string(data) != "RIFF...." {
		t.Errorf("read back %q", data)
	}
	local := filepath.Join(dir, "drums.wav")
	if err := b.Download(ctx, key, local); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(local); string(data) != "RIFF...." {
		t.Errorf("downloaded %q", data)
	}

	// A write that fails halfway leaves nothing under the key.
	bad := io.MultiReader(strings.NewReader("partial"), errReader{})
	if _, err := b.Put(ctx, "projects/p1/stem/broken.wav", "audio/wav", bad); err == nil {
		t.Error("put from a failing reader succeeded")
	}
	if _, err := b.Open(ctx, "projects/p1/stem/broken.wav"); !errors.Is(err, ErrNotFound) {
		t.Errorf("aborted write left an object: %v", err)
	}

	if err := b.DeletePrefix(ctx, ProjectPrefix("p1")); err != nil {
		t.Fatal(err)
	}
	keys, err := b.Keys(ctx, "projects/")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("keys after DeletePrefix: %v", keys)
	}
	if _, err := b.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("open deleted: %v, want ErrNotFound", err)
	}
}

// TestLocalPutIsSynced: a local bucket's object, and every folder from
// its own up to the bucket's (new ones among them), are synced before Put
// returns, as a published master must survive a power cut once the
// database names it; both as a path and as a file:// URL.
func TestLocalPutIsSynced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, dir := localBlobs(t)
	if err := os.Mkdir(filepath.Join(dir, "url"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{filepath.Join(dir, "blobs"), "file://" + filepath.ToSlash(filepath.Join(dir, "url"))} {
		b, err := OpenBlobs(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var synced []string
		b.synced = func(p string) { synced = append(synced, p) }
		key := JobPrefix("p1", "j1") + "main.wav"
		if _, err := b.Put(ctx, key, "audio/wav", strings.NewReader("RIFF....")); err != nil {
			t.Fatal(err)
		}
		root := strings.TrimPrefix(url, "file://")
		want := []string{filepath.Join(root, filepath.FromSlash(key))}
		for p := filepath.Dir(want[0]); ; p = filepath.Dir(p) {
			want = append(want, p)
			if p == root {
				break
			}
		}
		if fmt.Sprint(synced) != fmt.Sprint(want) {
			t.Errorf("%s: Put synced %q, want %q", url, synced, want)
		}
	}
}

// createProject stores a project with the given id, created at now and
// expiring an hour later.
func createProject(t *testing.T, s *SQL, id string, now time.Time) *Project {
	t.Helper()
	p := &Project{ID: id, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateProject(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// endedProject stores a project with the given id whose retention has
// ended: created two hours before now, expired an hour before it.
func endedProject(t *testing.T, s *SQL, id string, now time.Time) *Project {
	t.Helper()
	return createProject(t, s, id, now.Add(-2*time.Hour))
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
