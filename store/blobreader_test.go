package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/s3test"
	"stemmaster/internal/safego"
	"stemmaster/store"
)

// readPattern reads r as a decoder does: a header, seeks back and forth,
// reads of odd sizes, and compares every byte with want.
func readPattern(t *testing.T, r io.ReadSeeker, want []byte) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 70_000)
	for i := 0; i < 200; i++ {
		off := rng.Int64N(int64(len(want)) + 10)
		if i%3 == 0 { // from the end
			if _, err := r.Seek(off-int64(len(want)), io.SeekEnd); err != nil {
				t.Fatal(err)
			}
		} else if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		n, err := io.ReadFull(r, buf[:1+rng.IntN(len(buf)-1)])
		if off >= int64(len(want)) {
			if n != 0 || err != io.EOF {
				t.Fatalf("read at %d past the end (%d): %d bytes, %v", off, len(want), n, err)
			}
			continue
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			t.Fatalf("read at %d: %v", off, err)
		}
		if !bytes.Equal(buf[:n], want[off:off+int64(n)]) {
			t.Fatalf("read at %d: %d bytes differ from the object", off, n)
		}
	}
	// A whole pass in order, from the start.
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("a read in order gives %d bytes (%v), want the object's %d", len(got), err, len(want))
	}
}

// openBlobs opens the bucket at url for the test and closes it after.
func openBlobs(t testing.TB, url string) *store.Blobs {
	t.Helper()
	b, err := store.OpenBlobs(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func putRandom(t *testing.T, b *store.Blobs, key string, n int) []byte {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7919>>5) ^ byte(i>>13)
	}
	if _, err := b.Put(context.Background(), key, "audio/wav", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestObjectReader reads an object in place by ranges (a bucket opened by
// URL is read through the driver, as S3 is): every byte as stored
// whatever the seeks, and a read in order costs one small request and then
// one per MiB.
func TestObjectReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := openBlobs(t, "file://"+filepath.ToSlash(t.TempDir()))
	want := putRandom(t, b, "p/stem/u/a.wav", 5<<20+123)
	r, err := b.OpenInput(ctx, "p/stem/u/a.wav")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.(*store.ObjectReader); !ok {
		t.Fatalf("a bucket opened by URL gives a %T, want an *ObjectReader", r)
	}
	readPattern(t, r, want)
	r.Close()

	before := b.RangeRequests()
	r, err = b.OpenInput(ctx, "p/stem/u/a.wav")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, r); err != nil || n != int64(len(want)) {
		t.Fatalf("read %d bytes (%v)", n, err)
	}
	// 64 KiB, then 1 MiB at a time (the last a little less).
	if got := b.RangeRequests() - before; got != 6 {
		t.Errorf("reading 5 MiB in order took %d requests, want 6", got)
	}
	if _, err := r.Read(make([]byte, 1)); err == nil {
		t.Error("a read past the end succeeded")
	}
	r.Close()

	if _, err := b.OpenInput(ctx, "p/stem/u/none.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing object: %v, want ErrNotFound", err)
	}
	empty := putRandom(t, b, "p/stem/u/empty.wav", 0)
	if r, err := b.OpenInput(ctx, "p/stem/u/empty.wav"); err != nil {
		t.Errorf("an empty object: %v", err)
	} else if got, err := io.ReadAll(r); err != nil || len(got) != len(empty) {
		t.Errorf("an empty object reads %d bytes (%v)", len(got), err)
	}
}

// TestOpenInputLocal opens objects of a local-directory bucket as files,
// with no request, and falls back to the bucket for a key stored under an
// escaped name.
func TestOpenInputLocal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := openBlobs(t, t.TempDir())
	for _, key := range []string{"p/stem/u/a.wav", "p/stem/u/odd__0x2f__name.wav"} {
		want := putRandom(t, b, key, 300_000)
		r, err := b.OpenInput(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		readPattern(t, r, want)
		r.Close()
	}
	r, _ := b.OpenInput(ctx, "p/stem/u/a.wav")
	if _, ok := r.(*os.File); !ok {
		t.Errorf("a local bucket gives a %T, want the *os.File", r)
	}
	r.Close()
	if _, err := b.OpenInput(ctx, "p/stem/u/none.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing object: %v, want ErrNotFound", err)
	}
}

// TestObjectReaderS3Outage reads an object from versitygw while the server
// is stopped: a request fails, the reader pauses (the server is started
// again during the first pause, whenever that comes) and retries, and
// every byte arrives as stored.
// Not parallel: s3test.Start sets the AWS credentials in the environment.
func TestObjectReaderS3Outage(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and restarts a server; skipped with -short")
	}
	srv := s3test.Start(t)
	ctx := context.Background()
	// One attempt a request: the SDK's own retries would ride out the
	// outage for it (up to half a minute), where this tests the reader's.
	b := openBlobs(t, srv.Bucket(t, "reader-test")+"&max_attempts=1")
	// Read-ahead requests fail side by side: the first pause after the
	// stop starts the server again, the others wait for it.
	var stopped atomic.Bool
	var restart sync.Once
	var rerr error
	var pauses atomic.Int64
	b.RetryPause = func(ctx context.Context, fails int) error {
		if stopped.Load() {
			pauses.Add(1)
			restart.Do(func() { rerr = srv.Restart() })
		}
		return ctx.Err()
	}
	want := putRandom(t, b, "p/stem/u/a.wav", 9<<20)
	r, err := b.OpenInput(ctx, "p/stem/u/a.wav")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 3<<20)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	stopped.Store(true)
	rest, err := io.ReadAll(r)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if pauses.Load() == 0 {
		t.Fatal("no request failed while the server was stopped: the outage was not tested")
	}
	if err != nil {
		t.Fatalf("the read across the outage failed: %v", err)
	}
	if got := append(head, rest...); !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes across the outage, differing from the object's %d", len(got), len(want))
	}
}

// TestStreamInputs lays a job's files out by path without writing them
// anywhere and opens them by those paths: a mix alone becomes the one
// stem, a file deleted under the job is reported as such (not as a fault
// of the store), and a path of no file is not found.
func TestStreamInputs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := openBlobs(t, t.TempDir())
	want := putRandom(t, b, "p/stem/u/a.wav", 1000)
	putRandom(t, b, "p/mix/u/m.wav", 10)
	dir := filepath.Join(t.TempDir(), "files")
	in := b.StreamInputs(ctx, []store.File{
		{Kind: store.KindStem, Name: "a.wav", BlobKey: "p/stem/u/a.wav"},
		{Kind: store.KindStem, Name: "gone.wav", BlobKey: "p/stem/u/gone.wav"},
		{Kind: store.KindMix, Name: "m.wav", BlobKey: "p/mix/u/m.wav"},
	}, dir)
	if len(in.Stems) != 2 || in.Stems[0] != filepath.Join(dir, "a.wav") || in.Mix != filepath.Join(dir, "m.wav") {
		t.Fatalf("stems %v, mix %q", in.Stems, in.Mix)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the inputs' directory exists (%v): nothing should be written", err)
	}
	r, err := in.Open(in.Stems[0])
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want) {
		t.Errorf("read %d bytes (%v), want the object's %d", len(got), err, len(want))
	}
	r.Close()
	if _, err := in.Open(in.Stems[1]); !errors.Is(err, store.ErrInputDeleted) {
		t.Errorf("a deleted input: %v, want ErrInputDeleted", err)
	}
	if _, err := in.Open(filepath.Join(dir, "other.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a path of no input: %v, want not found", err)
	}
	if in.StoreFailed() {
		t.Error("StoreFailed after a deleted input: the store did not fail")
	}
	alone := b.StreamInputs(ctx, []store.File{{Kind: store.KindMix, Name: "m.wav", BlobKey: "p/mix/u/m.wav"}}, dir)
	if len(alone.Stems) != 1 || alone.Mix != "" {
		t.Errorf("a mix alone: stems %v, mix %q; want it as the one stem", alone.Stems, alone.Mix)
	}
}

// TestObjectReaderReadAheadPanic: a panic in a request running ahead
// (internal/faultpoint) neither ends the process nor leaves the reader
// waiting: the read that needs its chunk fails with the panic, naming the
// stage. Not parallel: the point is armed for the process.
func TestObjectReaderReadAheadPanic(t *testing.T) {
	ctx := context.Background()
	b := openBlobs(t, "file://"+filepath.ToSlash(t.TempDir()))
	want := putRandom(t, b, "p/stem/u/a.wav", 3<<20)
	r, err := b.OpenInput(ctx, "p/stem/u/a.wav")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	disarm := faultpoint.Arm("store.readahead:panic")
	defer disarm()
	n, err := io.Copy(io.Discard, r)
	var pe *safego.PanicError
	if !errors.As(err, &pe) || pe.Stage != "read-ahead of a stored file" {
		t.Fatalf("reading in order past a panicking read-ahead: %d of %d bytes, %v; want the panic naming the read-ahead", n, len(want), err)
	}
}
