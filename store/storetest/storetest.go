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
