// Package storetest opens the embedded store — metadata in SQLite and
// blobs in a directory — in a test's temporary directory, for the tests
// of the packages above store.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"stemmaster/store"
)

// Open opens a store in a new temporary directory of t, closed when the
// test ends, and returns the directory with it.
func Open(t testing.TB) (dir string, meta *store.SQL, blobs *store.Blobs) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	meta, err := store.OpenSQL(ctx, filepath.Join(dir, "meta.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	blobs, err = store.OpenBlobs(ctx, filepath.Join(dir, "blobs"))
	if err != nil {
		meta.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close(); meta.Close() })
	return dir, meta, blobs
}

// QueuedRender records a queued render job id of project "p", created at
// created, for tests of the claim order and the sweeps.
func QueuedRender(t testing.TB, meta store.Metadata, id string, created time.Time) {
	t.Helper()
	if err := meta.CreateJob(context.Background(), &store.Job{ID: id, ProjectID: "p", Kind: store.JobRender, State: store.StateQueued, CreatedAt: created}); err != nil {
		t.Fatal(err)
	}
}
