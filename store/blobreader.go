package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocloud.dev/gcerrors"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// Reading an object in place: a render decodes its stems straight from the
// bucket, by ranges, instead of copying each to local disk first. A reader
// holds one read-ahead buffer, never the object.
const (
	// chunkSize is what one ranged request asks for while a stream is
	// read in order, and aheadDepth how many run ahead of the reader: a
	// store's first-byte latency is hidden while aheadDepth chunks take
	// longer to decode than one request takes to start, and a reader holds
	// aheadDepth+1 chunks (4 MiB), so a render of a dozen stems holds a
	// few tens of MiB.
	chunkSize  = 1 << 20
	aheadDepth = 3
	// firstRead is what a request asks for at the start and after a jump
	// (a decoder reading a header, seeking to a chunk): a header read
	// does not pay for megabytes it never looks at.
	firstRead = 64 << 10
)

// InputReadAhead is the most memory one reader of an object in place
// (OpenInput on S3) holds: its buffer and the chunks read ahead of it.
const InputReadAhead = (aheadDepth + 1) * chunkSize

// OpenInput opens the object at key for reading in place, seekable. A
// bucket on a local directory opens the object's file itself; other
// buckets (S3) read it by ranged requests through a read-ahead buffer,
// retrying a request that fails on the way (see ObjectReader). ctx bounds
// every request of the reader.
func (b *Blobs) OpenInput(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if p, ok := b.localPath(key); ok {
		f, err := os.Open(p)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("store: open %s: %w", key, err)
		}
		// The key may be stored under an escaped name: ask the bucket.
	}
	r := &ObjectReader{ctx: ctx, b: b, key: key, size: -1}
	if err := r.fill(0); err != nil {
		return nil, err
	}
	return r, nil
}

// localPath returns the file of key in a local-directory bucket when the
// key needs none of fileblob's escaping (control characters, "//", "../",
// a trailing slash, or text that looks like an escape).
func (b *Blobs) localPath(key string) (string, bool) { return localFile(b.dir, key) }

// localFile is the file of key in the local bucket at dir ("" for none).
func localFile(dir, key string) (string, bool) {
	if dir == "" || key == "" || strings.Contains(key, "//") || strings.Contains(key, "../") ||
		strings.HasSuffix(key, "/") || strings.Contains(key, "__") || strings.ContainsRune(key, filepath.Separator) && filepath.Separator != '/' {
		return "", false
	}
	for _, c := range key {
		if c < 32 {
			return "", false
		}
	}
	return filepath.Join(dir, filepath.FromSlash(key)), true
}

// ObjectReader reads a stored object by ranges: a Read inside its buffer
// costs nothing, one past it asks the bucket for the next chunkSize bytes
// (firstRead after a jump). While a stream is read in order, the next
// aheadDepth chunks are already on their way, so a store's latency
// overlaps the decoding instead of adding to it. A request that fails or
// breaks off part-way is sent again for what is missing, up to
// resumeTries times in a row with a growing pause, so a store that
// restarts under a render costs the render a wait, not the job. Keys name
// immutable objects, so the pieces always belong to one object.
//
// A reader is used by one goroutine at a time, as an *os.File is.
type ObjectReader struct {
	ctx    context.Context
	b      *Blobs
	key    string
	size   int64 // the object's size; -1 until the first request
	off    int64 // the read position
	buf    []byte
	bufOff int64        // the object offset of buf[0]
	ahead  []*readAhead // requests for the chunks after buf, in order
	spares [][]byte     // buffers for the next requests
	closed bool
}

// readAhead is one request running beside the reader.
type readAhead struct {
	off    int64
	want   int64 // the bytes asked for
	buf    []byte
	err    error
	cancel context.CancelFunc
	done   chan struct{}
}

var _ io.ReadSeekCloser = (*ObjectReader)(nil)

// Read implements io.Reader.
func (r *ObjectReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.off < r.bufOff || r.off >= r.bufOff+int64(len(r.buf)) {
		if err := r.fill(r.off); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf[r.off-r.bufOff:])
	r.off += int64(n)
	return n, nil
}

// Seek implements io.Seeker; it sends nothing.
func (r *ObjectReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("store: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("store: seek: negative position")
	}
	r.off = offset
	return offset, nil
}

// Size returns the object's size.
func (r *ObjectReader) Size() int64 { return r.size }

// Close stops the read-ahead and releases the buffers.
func (r *ObjectReader) Close() error {
	r.drop()
	r.closed = true
	r.buf, r.spares = nil, nil
	return nil
}

// drop cancels the requests running ahead and waits for them.
func (r *ObjectReader) drop() {
	for _, a := range r.ahead {
		a.cancel()
	}
	for _, a := range r.ahead {
		<-a.done
		r.spares = append(r.spares, a.buf[:0])
	}
	r.ahead = nil
}

// fill loads the buffer from off: the first request running ahead when it
// holds off, else chunkSize bytes when off continues the buffer (a stream
// read in order), firstRead otherwise. A stream read in order keeps
// aheadDepth requests running ahead.
func (r *ObjectReader) fill(off int64) error {
	inOrder := r.size >= 0 && len(r.buf) > 0 && off == r.bufOff+int64(len(r.buf))
	if len(r.ahead) > 0 && r.ahead[0].off == off {
		a := r.ahead[0]
		<-a.done
		r.ahead = r.ahead[1:]
		if a.err == nil {
			r.spares = append(r.spares, r.buf[:0])
			r.buf, r.bufOff = a.buf, off
			r.readAhead()
			return nil
		}
		r.spares = append(r.spares, a.buf[:0]) // and ask again below, in the foreground
		var pe *safego.PanicError
		if errors.As(a.err, &pe) {
			r.drop()
			return pe // a bug, which asking again would meet again
		}
	}
	r.drop()
	want := int64(firstRead)
	if inOrder {
		want = chunkSize
	}
	if r.size >= 0 {
		want = min(want, r.size-off)
	}
	if int64(cap(r.buf)) < want {
		r.buf = make([]byte, want)
	}
	buf := r.buf[:want]
	r.buf = r.buf[:0] // empty until the request succeeds
	n, err := r.fetch(r.ctx, off, buf)
	if err != nil {
		return err
	}
	r.buf, r.bufOff = buf[:n], off
	if inOrder {
		r.readAhead()
	}
	return nil
}

// readAhead starts requests for the chunks after the buffer and those
// already running until aheadDepth run.
func (r *ObjectReader) readAhead() {
	off := r.bufOff + int64(len(r.buf))
	if n := len(r.ahead); n > 0 {
		off = r.ahead[n-1].off + r.ahead[n-1].want
	}
	for len(r.ahead) < aheadDepth && off < r.size {
		want := min(int64(chunkSize), r.size-off)
		var buf []byte
		if n := len(r.spares); n > 0 {
			buf, r.spares = r.spares[n-1], r.spares[:n-1]
		}
		if int64(cap(buf)) < want {
			buf = make([]byte, want)
		}
		ctx, cancel := context.WithCancel(r.ctx)
		a := &readAhead{off: off, want: want, buf: buf[:want], cancel: cancel, done: make(chan struct{})}
		r.ahead = append(r.ahead, a)
		off += want
		go func() {
			defer close(a.done)
			defer cancel()
			// A panic here (a bug) is the request's error, which fill
			// hands to the reader's caller rather than asking again.
			defer safego.Recover("read-ahead of a stored file", func(err error) { a.err = err })
			faultpoint.Hit("store.readahead")
			var n int64
			n, a.err = r.fetch(ctx, a.off, a.buf)
			a.buf = a.buf[:n]
		}()
	}
}

// fetch fills p from the object at off (less at the object's end) and
// returns how many bytes it read, retrying as ObjectReader says.
func (r *ObjectReader) fetch(ctx context.Context, off int64, p []byte) (int64, error) {
	got, fails := int64(0), 0
	for got < int64(len(p)) {
		n, err := r.get(ctx, off+got, p[got:])
		got += n
		if r.size >= 0 && int64(len(p)) > r.size-off {
			p = p[:max(r.size-off, 0)] // the first answer told the size
		}
		if err == nil {
			continue
		}
		if errors.Is(err, ErrNotFound) || ctx.Err() != nil {
			return got, err
		}
		if n > 0 {
			fails = 0
		}
		fails++
		if fails >= resumeTries {
			return got, fmt.Errorf("store: read %s at %d: %w", r.key, off+got, err)
		}
		if err := r.b.retryPause(ctx, fails); err != nil {
			return got, err
		}
	}
	return int64(len(p)), nil
}

// retryPause waits before a failed request is sent again (RetryPause).
func (b *Blobs) retryPause(ctx context.Context, fails int) error {
	if b.RetryPause != nil {
		return b.RetryPause(ctx, fails)
	}
	t := time.NewTimer(time.Duration(fails) * 500 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// get sends one ranged request for len(p) bytes at off and reads its
// answer into p; the first request (never a read-ahead) learns the
// object's size. A short answer that ends the object is not an error.
func (r *ObjectReader) get(ctx context.Context, off int64, p []byte) (int64, error) {
	r.b.ranges.Add(1)
	rr, err := r.b.bucket.NewRangeReader(ctx, r.key, off, int64(len(p)), nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return 0, fmt.Errorf("%w: blob %s", ErrNotFound, r.key)
		}
		return 0, err
	}
	defer rr.Close()
	if r.size < 0 {
		r.size = rr.Size()
	}
	n, err := io.ReadFull(rr, p[:min(int64(len(p)), max(r.size-off, 0))])
	return int64(n), err
}
