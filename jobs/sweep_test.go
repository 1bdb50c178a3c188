package jobs

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/s3test"
	"stemmaster/store"
)

func TestSweep(t *testing.T) {
	t.Run("dir", func(t *testing.T) { testSweep(t, "") })
	t.Run("s3", func(t *testing.T) {
		srv := s3test.Start(t)
		testSweep(t, srv.Bucket(t, "sweep"))
	})
}

// testSweep lays out a published render, a cancelled one, a running one,
// a recorded and an orphaned upload, and a deleted project's leftovers,
// then sweeps: exactly the orphans go.
func testSweep(t *testing.T, bucket string) {
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
	if _, err := b.meta.CompleteRender(ctx, "r1", []byte(`{}`), []store.Output{{Name: "main.wav", Kind: store.OutputAudio, Size: 1, ContentType: "audio/wav", BlobKey: published}}); err != nil {
		t.Fatal(err)
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
	// Too young: nothing goes.
	if res, err := b.runner.Sweep(ctx, time.Hour); err != nil || res.Objects != 0 {
		t.Fatalf("sweep with a grace of an hour: %+v %v", res, err)
	}
	res, err := b.runner.Sweep(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := b.blobs.Keys(ctx, "projects/")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	slices.Sort(keep)
	if !slices.Equal(keys, keep) || res.Objects != len(drop) {
		t.Errorf("after sweep (%+v): %v, want %v", res, keys, keep)
	}
}
