package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"stemmaster/internal/atomicfile"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/gcerrors"
)

// Blobs stores file contents by key in a gocloud.dev bucket.
// Keys are built by the Key functions below; nothing lists a bucket to the
// outside, so no client ever sees a directory listing.
type Blobs struct {
	bucket  *blob.Bucket
	dir     string // the directory of a bucket opened by path; "" for others
	folders string // the directory of a local bucket (a path or file:// URL); "" for others
	s3Name  string // the bucket's name on S3; "" for other stores
	// direct is set when the store's signed links reach the store from
	// where the clients are (public_endpoint, public_links); presign
	// (every S3 store) signs them, against the public endpoint when there
	// is one.
	direct  bool
	presign *s3.PresignClient
	ranges  atomic.Int64 // ranged requests sent by ObjectReaders
	// synced, when set, is told each file and folder a local Put syncs.
	synced func(path string)
	// RetryPause, when set, is the wait before an ObjectReader sends a
	// failed request again, fails being the failures in a row so far; it
	// returns ctx's error when ctx ends first. nil waits fails × 500 ms.
	// Tests pass their own to act at the moment a read fails instead of
	// guessing how long an outage takes to be seen.
	RetryPause func(ctx context.Context, fails int) error
}

// OpenBlobs opens a bucket. url is a gocloud.dev bucket URL ("file:///dir",
// "mem://", "s3://…" when its driver is linked in) or a plain directory path,
// which becomes a fileblob bucket created on demand.
func OpenBlobs(ctx context.Context, url string) (*Blobs, error) {
	if !strings.Contains(url, "://") {
		dir, err := filepath.Abs(url)
		if err != nil {
			return nil, fmt.Errorf("store: blobs %s: %w", url, err)
		}
		// Temporary files beside the data, so the final rename never
		// crosses file systems; metadata sidecars are not needed.
		b, err := fileblob.OpenBucket(dir, &fileblob.Options{CreateDir: true, NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
		if err != nil {
			return nil, fmt.Errorf("store: blobs %s: %w", url, err)
		}
		return &Blobs{bucket: b, dir: dir, folders: dir}, nil
	}
	if IsS3(url) {
		return openS3Blobs(ctx, url)
	}
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("store: blobs %s: %w", url, err)
	}
	return &Blobs{bucket: b, folders: fileURLDir(url)}, nil
}

// Close closes the bucket.
func (b *Blobs) Close() error { return b.bucket.Close() }

// Put streams r to key. The object appears whole or not at all: gocloud.dev
// writers commit on Close, and an error aborts the write. In a local
// bucket the object is on the disk when Put returns (see syncLocal).
func (b *Blobs) Put(ctx context.Context, key, contentType string, r io.Reader) (int64, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := b.bucket.NewWriter(wctx, key, writerOptions(contentType))
	if err != nil {
		return 0, fmt.Errorf("store: put %s: %w", key, err)
	}
	n, err := io.Copy(w, r)
	if err != nil {
		cancel() // aborts the write
		w.Close()
		return n, fmt.Errorf("store: put %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return n, fmt.Errorf("store: put %s: %w", key, err)
	}
	if err := b.syncLocal(key); err != nil {
		return n, fmt.Errorf("store: put %s: %w", key, err)
	}
	return n, nil
}

// syncLocal syncs a local bucket's object at key, and the folders from
// its own up to the bucket's, to the disk. fileblob renames its temporary
// file into place without syncing either: after a power cut or a kernel
// crash the database, which syncs, could name a published master whose
// file is empty or gone (ext4 and XFS allocate a new file's blocks late).
// An S3 bucket is durable when the write returns.
func (b *Blobs) syncLocal(key string) error {
	path, ok := localFile(b.folders, key)
	if !ok {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	b.noteSync(path)
	root := filepath.Clean(b.folders)
	for dir := filepath.Dir(path); strings.HasPrefix(dir, root); dir = filepath.Dir(dir) {
		if err := atomicfile.SyncDir(dir); err != nil {
			return err
		}
		b.noteSync(dir)
		if dir == root {
			break
		}
	}
	return nil
}

func (b *Blobs) noteSync(path string) {
	if b.synced != nil {
		b.synced(path)
	}
}

// PutFile copies a local file to key.
func (b *Blobs) PutFile(ctx context.Context, key, contentType, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("store: put %s: %w", key, err)
	}
	defer f.Close()
	return b.Put(ctx, key, contentType, f)
}

// Open returns a reader of the object at key.
func (b *Blobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := b.bucket.NewReader(ctx, key, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, fmt.Errorf("%w: blob %s", ErrNotFound, key)
		}
		return nil, fmt.Errorf("store: open %s: %w", key, err)
	}
	return r, nil
}

// Download copies the object at key to a new local file at path, through a
// temporary name renamed on success.
func (b *Blobs) Download(ctx context.Context, key, path string) error {
	r, err := b.Open(ctx, key)
	if err != nil {
		return err
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		r.Close()
		return fmt.Errorf("store: download %s: %w", key, err)
	}
	// copyObject closes r.
	if err := b.copyObject(ctx, key, r, f); err != nil {
		f.Abort()
		return fmt.Errorf("store: download %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: download %s: %w", key, err)
	}
	return nil
}

// Delete removes one object; a missing object is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	if err := b.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("store: delete %s: %w", key, err)
	}
	b.pruneAfterDelete(key)
	return nil
}

// DeletePrefix removes every object whose key starts with prefix (and, in
// a local bucket, the folders under a prefix ending in "/").
func (b *Blobs) DeletePrefix(ctx context.Context, prefix string) error {
	if err := b.Walk(ctx, prefix, func(o ObjectInfo) error { return b.Delete(ctx, o.Key) }); err != nil {
		return err
	}
	b.pruneUnder(prefix)
	return nil
}

// ModTime returns when the object at key was last written.
func (b *Blobs) ModTime(ctx context.Context, key string) (time.Time, error) {
	a, err := b.bucket.Attributes(ctx, key)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return time.Time{}, fmt.Errorf("%w: blob", ErrNotFound)
		}
		return time.Time{}, fmt.Errorf("store: attributes: %w", err)
	}
	return a.ModTime, nil
}

// Keys lists the keys under prefix (for tests and maintenance).
func (b *Blobs) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	err := b.Walk(ctx, prefix, func(o ObjectInfo) error { keys = append(keys, o.Key); return nil })
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// ProjectPrefix is the key prefix of everything a project owns.
func ProjectPrefix(projectID string) string { return projectsPrefix + projectID + "/" }

// projectsPrefix is the prefix of every project's.
const projectsPrefix = "projects/"

// ProjectOfKey is the project whose prefix holds key, "" when none does
// (the shared demo stems).
func ProjectOfKey(key string) string {
	rest, ok := strings.CutPrefix(key, projectsPrefix)
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return id
}

// UploadKey is the key of one upload of a stem or mix: unique per upload
// (id), so a replacement is written beside the file it replaces and the
// switch happens in the database.
func UploadKey(projectID, kind, id, name string) string {
	return ProjectPrefix(projectID) + kind + "/" + id + "/" + name
}

// JobPrefix is the key prefix of everything a job's attempts wrote.
func JobPrefix(projectID, jobID string) string {
	return ProjectPrefix(projectID) + "jobs/" + jobID + "/"
}

// AttemptPrefix is the key prefix of one attempt's outputs: attempts never
// write into each other's space.
func AttemptPrefix(projectID, jobID string, attempt int) string {
	return JobPrefix(projectID, jobID) + "a" + strconv.Itoa(attempt) + "/"
}
