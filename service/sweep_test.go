package service

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/s3test"
	"stemmaster/jobs"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// TestCleanOrphans runs the list-and-compare sweep on a directory and on
// S3 (versitygw).
func TestCleanOrphans(t *testing.T) {
	t.Run("dir", func(t *testing.T) { testCleanOrphans(t, "") })
	t.Run("s3", func(t *testing.T) {
		srv := s3test.Start(t)
		testCleanOrphans(t, srv.Bucket(t, "sweep"))
	})
}

// testCleanOrphans lays out a published render, a cancelled one, a
// running one, a recorded and an orphaned upload, and a deleted project's
// leftovers, then sweeps: exactly the orphans go.
func testCleanOrphans(t *testing.T, bucket string) {
	b := setup(t, nil)
	if bucket != "" {
		blobs, err := store.OpenBlobs(context.Background(), bucket)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { blobs.Close() })
		b.blobs, b.runner.Blobs = blobs, blobs
	}
	b.project(t, "r1") // stem drums.wav, render job r1
	ctx := context.Background()
	put := func(key string) {
		if _, err := b.blobs.Put(ctx, key, "application/octet-stream", strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	if bucket != "" {
		put(store.UploadKey("p", store.KindStem, "u1", "drums.wav"))
	}
	now := time.Now()
	for _, j := range []struct{ id, state string }{{"r2", store.StateCancelled}, {"r3", store.StateRunning}} {
		storetest.QueuedRender(t, b.meta, j.id, now)
		b.meta.UpdateJob(ctx, j.id, store.JobUpdate{State: j.state})
	}
	published := store.JobPrefix("p", "r1") + "main.wav"
	put(published)
	j, err := b.meta.BeginAttempt(ctx, "p", "r1")
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := b.meta.PublishRender(ctx, "r1", j.Attempt, []byte(`{}`), []store.Output{{Name: "main.wav", Kind: store.OutputAudio, Size: 1, ContentType: "audio/wav", BlobKey: published}}, nil); err != nil || !pub.Published {
		t.Fatalf("publish: %+v %v", pub, err)
	}
	keep := []string{published, store.JobPrefix("p", "r3") + "main.wav", store.UploadKey("p", store.KindStem, "u1", "drums.wav")}
	drop := []string{
		store.JobPrefix("p", "r2") + "main.wav",                  // cancelled
		store.JobPrefix("p", "zz") + "main.wav",                  // no such job
		store.UploadKey("p", store.KindStem, "u1", "killed.wav"), // upload never recorded
		store.UploadKey("gone", store.KindStem, "u1", "bass.wav"),
		store.JobPrefix("gone", "r9") + "main.wav",
	}
	for _, k := range append(keep[1:2], drop...) {
		put(k)
	}
	// Young uploads and leftovers of deleted projects wait for the grace;
	// outputs of finished jobs that are not published go at once.
	young, err := b.runner.CleanOrphans(ctx, time.Hour)
	if err != nil || young != 2 {
		t.Fatalf("sweep with a grace of an hour: %d deleted (%v), want the 2 unpublished job outputs", young, err)
	}
	n, err := b.runner.CleanOrphans(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	n += young
	keys, err := b.blobs.Keys(ctx, "projects/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	slices.Sort(keep)
	if !slices.Equal(keys, keep) || n != len(drop) {
		t.Errorf("after sweep (%d deleted): %v, want %v", n, keys, keep)
	}
}

// TestOldRevisionsSwept keeps one revision: publishing a second render
// sweeps the first one's files and forgets its revision.
func TestOldRevisionsSwept(t *testing.T) {
	t.Parallel()
	b := setup(t, &flakyRenderer{})
	b.runner.KeepRevisions = 1
	b.runner.Renderer.(*flakyRenderer).calls.Store(1)
	ctx := context.Background()
	b.renderTwice(t)
	if keys, _ := b.blobs.Keys(ctx, store.JobPrefix("p", "j1")); len(keys) != 0 {
		t.Errorf("revision 1 is past the kept window but its blobs are left: %v", keys)
	}
	if keys, _ := b.blobs.Keys(ctx, store.JobPrefix("p", "j2")); len(keys) == 0 {
		t.Error("the current render lost its blobs")
	}
	list, err := b.meta.ListRevisions(ctx, "p")
	if err != nil || len(list) != 1 || list[0].JobID != "j2" {
		t.Errorf("revisions = %+v, %v; want only j2's", list, err)
	}
}

// TestSweepNeverTouchesTheCurrentRender publishes two renders and checks
// that the sweeper keeps the current one and the replaced one (a revision),
// and that orphans of jobs no record owns are removed.
func TestSweepNeverTouchesTheCurrentRender(t *testing.T) {
	t.Parallel()
	b := setup(t, &flakyRenderer{})
	b.runner.Renderer.(*flakyRenderer).calls.Store(1)
	ctx := context.Background()
	b.renderTwice(t)
	// The replaced render is revision 1: its files stay with the project.
	if keys, _ := b.blobs.Keys(ctx, store.JobPrefix("p", "j1")); len(keys) == 0 {
		t.Error("the replaced render (revision 1) lost its blobs")
	}
	// A bogus sweep entry for the current render is skipped.
	b.meta.AddSweep(ctx, store.Sweep{ProjectID: "p", JobID: "j2"})
	b.runner.Sweep(ctx)
	outs, _ := b.meta.Outputs(ctx, "p")
	for _, o := range outs {
		if _, err := b.blobs.ModTime(ctx, o.BlobKey); err != nil {
			t.Errorf("current output %s: %v", o.Name, err)
		}
	}
	if len(outs) == 0 {
		t.Error("no outputs")
	}
	// Orphans: a blob of a job that does not exist, and a stale temporary file.
	b.blobs.Put(ctx, store.JobPrefix("p", "ghost")+"a1/main.wav", "audio/wav", strings.NewReader("x"))
	// A recorded stem's stream preview stays; one of a stem gone does not.
	kept := store.UploadKey("p", store.KindStem, "u1", "drums.wav") + ".preview.pcm"
	b.blobs.Put(ctx, kept, "application/octet-stream", strings.NewReader("x"))
	b.blobs.Put(ctx, store.UploadKey("p", store.KindStem, "u1", "gone.wav")+".preview.pcm", "application/octet-stream", strings.NewReader("x"))
	// A temporary file of a write cut off beside a recorded stem goes.
	b.blobs.Put(ctx, kept+".18a2b3c4d5e6f708.tmp", "application/octet-stream", strings.NewReader("x"))
	n, err := b.runner.CleanOrphans(ctx, 0)
	if err != nil || n != 3 {
		t.Errorf("orphans removed: %d, %v; want 3", n, err)
	}
	if _, err := b.blobs.ModTime(ctx, kept); err != nil {
		t.Errorf("a recorded stem's preview was removed: %v", err)
	}
	for _, o := range outs {
		if _, err := b.blobs.ModTime(ctx, o.BlobKey); err != nil {
			t.Errorf("current output %s after orphan clean-up: %v", o.Name, err)
		}
	}
}

// renderTwice publishes two renders of the project, j1 then j2.
func (b *testBundle) renderTwice(t *testing.T) {
	t.Helper()
	b.project(t, "j1")
	ctx := context.Background()
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Fatal(err)
	}
	storetest.QueuedRender(t, b.meta, "j2", time.Now())
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j2"}, 1, 3); err != nil {
		t.Fatal(err)
	}
}

// clockBehind is a metadata store whose database's clock is behind this
// machine's by ahead: the machine's clock runs ahead.
type clockBehind struct {
	*store.SQL
	ahead time.Duration
}

func (c clockBehind) Now() time.Time { return c.SQL.Now().Add(-c.ahead) }

// TestOrphanAgeOnTheDatabaseClock: on a worker whose clock runs 2 hours
// ahead of the database and the blob store, an upload stored a moment ago
// and not yet recorded is not an orphan: its age is counted by the earlier
// of the two clocks. Counted by the worker's alone, the sweep deleted it,
// and the stem was then recorded without its audio.
func TestOrphanAgeOnTheDatabaseClock(t *testing.T) {
	b := setup(t, nil)
	b.project(t, "r1")
	ctx := context.Background()
	const ahead = 2 * time.Hour
	b.runner.Meta = clockBehind{b.meta, ahead}
	key := store.UploadKey("p", store.KindStem, "u1", "bass.wav")
	if _, err := b.blobs.Put(ctx, key, "audio/wav", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	// The blob store dates the object by its own clock, the database's.
	stored := time.Now().Add(-ahead)
	if err := os.Chtimes(filepath.Join(b.dir, "blobs", filepath.FromSlash(key)), stored, stored); err != nil {
		t.Fatal(err)
	}
	if n, err := b.runner.CleanOrphans(ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("sweep on a clock %v ahead: %d deleted (%v), want none", ahead, n, err)
	}
	if keys, _ := b.blobs.Keys(ctx, store.UploadKey("p", store.KindStem, "u1", "")); !slices.Contains(keys, key) {
		t.Errorf("the upload not yet recorded is gone: %v", keys)
	}
}
