package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync/atomic"
)

// Inputs are a job's uploaded files read in place: each has a path under
// a directory that is never written (the name a session and the error
// messages know it by), and Open reads it from the bucket, so no input is
// copied to the worker's disk or held whole in memory.
type Inputs struct {
	Stems []string // paths, in upload order
	Mix   string   // path; "" for none
	ctx   context.Context
	blobs *Blobs
	keys  map[string]string // path → key
	fault atomic.Bool
}

// StreamInputs lays files out by path under dir (nothing is created
// there). A mix alone is the one input of a stereo master: it becomes the
// one stem. ctx bounds every read.
func (b *Blobs) StreamInputs(ctx context.Context, files []File, dir string) *Inputs {
	in := &Inputs{ctx: ctx, blobs: b, keys: map[string]string{}}
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		in.keys[p] = f.BlobKey
		if f.Kind == KindMix {
			in.Mix = p
		} else {
			in.Stems = append(in.Stems, p)
		}
	}
	if len(in.Stems) == 0 && in.Mix != "" {
		in.Stems, in.Mix = []string{in.Mix}, ""
	}
	return in
}

// ErrInputDeleted is what reading an input deleted under a job returns.
var ErrInputDeleted = errors.New("the file was deleted while the job ran; run it again")

// Open opens the input at path for reading (see Blobs.OpenInput).
func (in *Inputs) Open(path string) (io.ReadSeekCloser, error) {
	key, ok := in.keys[path]
	if !ok {
		return nil, fs.ErrNotExist
	}
	r, err := in.blobs.OpenInput(in.ctx, key)
	if err != nil {
		return nil, in.failed(err)
	}
	return &inputReader{ReadSeekCloser: r, in: in}, nil
}

// StoreFailed reports whether reading an input failed for a cause of the
// store (unreachable past the readers' retries), not of the file: the
// job's error is then no fault of the client's files, and the job is
// tried again.
func (in *Inputs) StoreFailed() bool { return in.fault.Load() }

func (in *Inputs) failed(err error) error {
	if errors.Is(err, ErrNotFound) {
		return ErrInputDeleted
	}
	if in.ctx.Err() == nil {
		in.fault.Store(true)
	}
	return fmt.Errorf("reading the stored file: %w", err)
}

// inputReader notes a failed read in its Inputs: decoders may report it
// as a damaged file.
type inputReader struct {
	io.ReadSeekCloser
	in *Inputs
}

func (r *inputReader) Read(p []byte) (int, error) {
	n, err := r.ReadSeekCloser.Read(p)
	if err != nil && err != io.EOF {
		err = r.in.failed(err)
	}
	return n, err
}
