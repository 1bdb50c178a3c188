package jobs

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"stemmaster/store"
)

// renderFiles are a render's stems and mix as the renderer reads them:
// by path in dir, through open when they are read in place.
type renderFiles struct {
	dir         string
	stems       []string
	mix         string // "" for none
	open        func(path string) (io.ReadSeekCloser, error)
	readInPlace *store.Inputs
}

// renderFiles lays out a render's files under work: read in place from
// the bucket (Runner.ReadInPlace), or copied to work/in and linked into
// one directory where the session's upload names resolve.
func (r *Runner) renderFiles(ctx context.Context, files []store.File, work string) (*renderFiles, error) {
	dir := filepath.Join(work, "files")
	if r.ReadInPlace {
		in := r.Blobs.StreamInputs(ctx, files, dir)
		return &renderFiles{dir: dir, stems: in.Stems, mix: in.Mix, open: in.Open, readInPlace: in}, nil
	}
	stems, mix, err := r.fetch(ctx, files, filepath.Join(work, "in"))
	if err != nil {
		return nil, err
	}
	if err := flatten(dir, stems, mix); err != nil {
		return nil, err
	}
	return &renderFiles{dir: dir, stems: stems, mix: mix}, nil
}

// storeFailed reports whether reading an input in place failed for a
// cause of the store: the render's error is then no fault of the files.
func (f *renderFiles) storeFailed() bool {
	return f.readInPlace != nil && f.readInPlace.StoreFailed()
}

// flatten links stems and mix, fetched into kind subdirectories, into dir.
func flatten(dir string, stems []string, mix string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	all := stems
	if mix != "" {
		all = append(append([]string(nil), stems...), mix)
	}
	for _, p := range all {
		dst := filepath.Join(dir, filepath.Base(p))
		if err := os.Link(p, dst); err != nil {
			if err := os.Symlink(p, dst); err != nil {
				return err
			}
		}
	}
	return nil
}
