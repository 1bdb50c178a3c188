package service

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"stemmaster"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/internal/audiotest"
	"stemmaster/jobs"
	"stemmaster/store"
)

// gatedRenderer renders like flakyRenderer's second call, but a render of
// a job in gates waits until its gate is closed.
type gatedRenderer struct {
	mu      sync.Mutex
	gates   map[string]chan struct{}
	started chan string
}

// Sessions are told apart by their stem's gain: "old" (-1 dB) and "new"
// (-2 dB).
func (g *gatedRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	data, err := os.ReadFile(filepath.Join(in.Dir, "drums.wav"))
	if err != nil {
		return nil, err
	}
	label := map[float64]string{-1: "old", -2: "new"}[in.Session.Stems[0].GainDB]
	// The output carries the session, so each render's bytes differ.
	if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), append(data, label...), 0o644); err != nil {
		return nil, err
	}
	g.mu.Lock()
	gate := g.gates[label]
	g.mu.Unlock()
	g.started <- label
	if gate != nil {
		<-gate
	}
	return &stemmaster.Report{Warnings: []string{label}}, nil
}

// reportLabel is the label a gatedRenderer put in a stored report.
func reportLabel(doc []byte) string {
	var rep stemmaster.Report
	if json.Unmarshal(doc, &rep) != nil || len(rep.Warnings) != 1 {
		return string(doc)
	}
	return rep.Warnings[0]
}

const (
	oldSession = `{"stems":[{"file":"drums.wav","gain_db":-1}]}`
	newSession = `{"stems":[{"file":"drums.wav","gain_db":-2}]}`
)

// outOfOrderStores are the metadata stores to run on: SQLite, and
// PostgreSQL when STEMMASTER_TEST_POSTGRES names a database.
func outOfOrderStores(t *testing.T) map[string]*store.SQL {
	stores := map[string]*store.SQL{}
	dir := t.TempDir()
	lite, err := store.OpenSQL(context.Background(), filepath.Join(dir, "meta.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	stores["sqlite"] = lite
	if url := os.Getenv("STEMMASTER_TEST_POSTGRES"); url != "" {
		pg, err := store.OpenSQL(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		stores["postgres"] = pg
	}
	return stores
}

// TestRendersOutOfOrderNeverReplaceANewerOne runs two renders of one
// project on two runners (two workers) sharing the store and blobs; the
// older one finishes last and must not replace the newer.
func TestRendersOutOfOrderNeverReplaceANewerOne(t *testing.T) {
	for name, meta := range outOfOrderStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			blobs, err := store.OpenBlobs(ctx, filepath.Join(dir, "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			defer blobs.Close()
			g := &gatedRenderer{gates: map[string]chan struct{}{}, started: make(chan string, 4)}
			workers := []*Runner{
				{Meta: meta, Blobs: blobs, Renderer: g, WorkDir: t.TempDir()},
				{Meta: meta, Blobs: blobs, Renderer: g, WorkDir: t.TempDir()},
			}
			pid := NewID()
			now := time.Now()
			if err := meta.CreateProject(ctx, &store.Project{ID: pid, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Session: []byte(oldSession)}); err != nil {
				t.Fatal(err)
			}
			wav := audiotest.WriteWAV(t, dir, "drums.wav", audiotest.Sine(48000, 2, 4800, 100, -20, 0), 48000, 24)
			key := store.UploadKey(pid, store.KindStem, "u1", "drums.wav")
			blobs.PutFile(ctx, key, "audio/wav", wav)
			if _, err := meta.PutFileWithin(ctx, &store.File{ProjectID: pid, Kind: store.KindStem, Name: "drums.wav", Size: 1, BlobKey: key, CreatedAt: now}, store.FileLimits{}); err != nil {
				t.Fatal(err)
			}
			older := &store.Job{ID: NewID(), ProjectID: pid, Kind: store.JobRender, State: store.StateQueued, CreatedAt: now}
			if err := meta.CreateJob(ctx, older); err != nil {
				t.Fatal(err)
			}
			gate := make(chan struct{})
			g.gates["old"] = gate
			done := make(chan error, 1)
			go func() { done <- workers[0].Render(ctx, jobs.RenderArgs{ProjectID: pid, JobID: older.ID}, 1, 3) }()
			<-g.started // the older render holds its session
			if err := meta.SetSession(ctx, pid, []byte(newSession)); err != nil {
				t.Fatal(err)
			}
			newer := &store.Job{ID: NewID(), ProjectID: pid, Kind: store.JobRender, State: store.StateQueued, CreatedAt: now}
			if err := meta.CreateJob(ctx, newer); err != nil {
				t.Fatal(err)
			}
			go func() { <-g.started }()
			if err := workers[1].Render(ctx, jobs.RenderArgs{ProjectID: pid, JobID: newer.ID}, 1, 3); err != nil {
				t.Fatal(err)
			}
			close(gate)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			p, _ := meta.Project(ctx, pid)
			if p.RenderJob != newer.ID || reportLabel(p.Report) != "new" {
				t.Errorf("current render %s (report %q), want the newer %s", p.RenderJob, p.Report, newer.ID)
			}
			j, _ := meta.Job(ctx, pid, older.ID)
			if j.State != store.StateDone || j.Stage != "superseded" {
				t.Errorf("older job %+v, want done/superseded", j)
			}
			outs, _ := meta.Outputs(ctx, pid)
			for _, o := range outs {
				rc, err := blobs.Open(ctx, o.BlobKey)
				if err != nil {
					t.Errorf("the newer render's %s is gone: %v", o.Name, err)
					continue
				}
				rc.Close()
			}
			if len(outs) == 0 {
				t.Error("nothing published")
			}
			if keys, _ := blobs.Keys(ctx, store.JobPrefix(pid, older.ID)); len(keys) != 0 {
				t.Errorf("the superseded render's blobs were not swept: %v", keys)
			}
		})
	}
}

// blockingChecker blocks until release, then reports.
type blockingChecker struct {
	started chan struct{}
	release chan struct{}
}

func (c blockingChecker) Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	close(c.started)
	<-c.release
	return &stemmaster.CheckReport{}, nil
}

// TestStaleCheckNeverLands lets a check run while a stem is uploaded: its
// report, of the files before the upload, is not stored.
func TestStaleCheckNeverLands(t *testing.T) {
	for name, meta := range outOfOrderStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			blobs, err := store.OpenBlobs(ctx, filepath.Join(t.TempDir(), "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			defer blobs.Close()
			chk := blockingChecker{started: make(chan struct{}), release: make(chan struct{})}
			r := &Runner{Meta: meta, Blobs: blobs, Checker: chk, WorkDir: t.TempDir()}
			pid := NewID()
			now := time.Now()
			meta.CreateProject(ctx, &store.Project{ID: pid, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
			put := func(name string) {
				key := store.UploadKey(pid, store.KindStem, "u1", name)
				blobs.Put(ctx, key, "audio/wav", bytesReader("RIFF"))
				if _, err := meta.PutFileWithin(ctx, &store.File{ProjectID: pid, Kind: store.KindStem, Name: name, Size: 4, BlobKey: key, CreatedAt: now}, store.FileLimits{}); err != nil {
					t.Fatal(err)
				}
			}
			put("drums.wav")
			job := &store.Job{ID: NewID(), ProjectID: pid, Kind: store.JobCheck, State: store.StateQueued, CreatedAt: now}
			meta.CreateJob(ctx, job)
			done := make(chan error, 1)
			go func() { done <- r.Check(ctx, jobs.CheckArgs{ProjectID: pid, JobID: job.ID}, 1, 3) }()
			<-chk.started
			put("bass.wav") // the stems change while the check runs
			close(chk.release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			p, _ := meta.Project(ctx, pid)
			if p.Check != nil {
				t.Errorf("a check of replaced stems landed: %s", p.Check)
			}
			j, _ := meta.Job(ctx, pid, job.ID)
			if j.State != store.StateDone || j.Stage != "superseded" {
				t.Errorf("stale check job %+v, want done/superseded", j)
			}
		})
	}
}

func bytesReader(s string) io.Reader { return strings.NewReader(s) }
