package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// flaky serves data from an offset but breaks after limit bytes.
type flaky struct {
	data  []byte
	off   int
	limit int
}

func (f *flaky) Read(p []byte) (int, error) {
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	if f.limit <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	n := copy(p[:min(len(p), f.limit)], f.data[f.off:])
	f.off += n
	f.limit -= n
	return n, nil
}

func (f *flaky) Close() error { return nil }

// TestCopyResumable: a stream that breaks every 1000 bytes still yields the
// whole object, each piece read from where the last one stopped; a store
// that stays down gives up after a bounded number of tries.
func TestCopyResumable(t *testing.T) {
	t.Parallel()
	data := make([]byte, 10_000)
	for i := range data {
		data[i] = byte(i * 31)
	}
	var offsets []int64
	reopen := func(off int64) (io.ReadCloser, error) {
		offsets = append(offsets, off)
		return &flaky{data: data, off: int(off), limit: 1000}, nil
	}
	var out bytes.Buffer
	if err := copyResumable(context.Background(), &flaky{data: data, limit: 1000}, reopen, &out, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("got %d bytes, not the object", out.Len())
	}
	if len(offsets) != 9 || offsets[0] != 1000 || offsets[8] != 9000 {
		t.Errorf("resumed at %v, want every 1000 bytes", offsets)
	}

	down := func(int64) (io.ReadCloser, error) { return nil, errors.New("connection refused") }
	out.Reset()
	if err := copyResumable(context.Background(), &flaky{data: data, limit: 10}, down, &out, time.Millisecond); err == nil {
		t.Error("a store that stays down: no error")
	}
	gone := func(int64) (io.ReadCloser, error) { return nil, ErrNotFound }
	if err := copyResumable(context.Background(), &flaky{data: data, limit: 10}, gone, &out, time.Millisecond); !errors.Is(err, ErrNotFound) {
		t.Errorf("object deleted meanwhile: %v, want ErrNotFound", err)
	}
}
