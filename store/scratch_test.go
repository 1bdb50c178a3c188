package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// localBlobs opens a bucket on a new local directory, blobs under dir,
// closed when the test ends.
func localBlobs(t *testing.T) (b *Blobs, dir string) {
	t.Helper()
	dir = t.TempDir()
	b, err := OpenBlobs(context.Background(), filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, dir
}

func TestDownloadScratch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, dir := localBlobs(t)
	data := bytes.Repeat([]byte("stem"), 50_000)
	if _, err := b.Put(ctx, "p/stems/a.wav", "audio/wav", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a.wav")
	if err := b.DownloadScratch(ctx, "p/stems/a.wav", path); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("copy differs from the object (%d bytes, %v)", len(got), err)
	}
	// An existing file is never overwritten.
	if err := b.DownloadScratch(ctx, "p/stems/a.wav", path); err == nil || !strings.Contains(err.Error(), "p/stems/a.wav") {
		t.Errorf("download over an existing file: %v, want an error naming the key", err)
	}
	missing := filepath.Join(dir, "missing.wav")
	if err := b.DownloadScratch(ctx, "p/stems/none.wav", missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing object: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a failed download left %s", missing)
	}
}
