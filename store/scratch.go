package store

import (
	"context"
	"fmt"
	"os"
)

// DownloadScratch copies the object at key to a new local file at path
// that only the calling job reads and that dies with it: unlike Download
// it neither syncs the file nor renames it into place, since durability
// buys a working copy nothing and syncing hundreds of megabytes of stems
// costs seconds. A failed copy removes the partial file.
func (b *Blobs) DownloadScratch(ctx context.Context, key, path string) error {
	r, err := b.Open(ctx, key)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		r.Close()
		return fmt.Errorf("store: download %s: %w", key, err)
	}
	// copyObject closes r.
	err = b.copyObject(ctx, key, r, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: download %s: %w", key, err)
	}
	return nil
}
