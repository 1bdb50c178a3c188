package service

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/s3test"
	"stemmaster/store"
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
		put(store.FileKey("p", store.KindStem, "drums.wav"))
	}
	now := time.Now()
	for _, j := range []struct{ id, state string }{{"r2", store.StateCancelled}, {"r3", store.StateRunning}} {
		addJob(t, b, j.id, now)
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
	keep := []string{published, store.JobPrefix("p", "r3") + "main.wav", store.FileKey("p", store.KindStem, "drums.wav")}
	drop := []string{
		store.JobPrefix("p", "r2") + "main.wav",          // cancelled
		store.JobPrefix("p", "zz") + "main.wav",          // no such job
		store.FileKey("p", store.KindStem, "killed.wav"), // upload never recorded
		store.FileKey("gone", store.KindStem, "bass.wav"),
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
