package service

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"stemmaster"
	"stemmaster/store"
)

// jobFiles are a job's stems and mix as the renderer or the checker reads
// them: by path in dir, through open when they are read in place.
type jobFiles struct {
	dir         string
	stems       []string
	mix         string // "" for none
	open        func(path string) (io.ReadSeekCloser, error)
	readInPlace *store.Inputs
	release     func() // closes what was opened ahead and never read; nil when nothing was
}

// renderFiles lays out a render's files under work: read in place from
// the bucket (Runner.ReadInPlace), or copied to work/in and linked into
// one directory where the session's upload names resolve.
func (r *Runner) renderFiles(ctx context.Context, files []store.File, work string) (*jobFiles, error) {
	dir := filepath.Join(work, "files")
	if r.ReadInPlace {
		f := r.inPlace(ctx, files, dir)
		// Each stem is opened for its header, then to be decoded; the mix
		// once, by the check.
		pre := newPrefetch(f.open, append(append([]string(nil), f.stems...), f.mix), func(path string) int {
			switch path {
			case "":
				return 0
			case f.mix:
				return 1
			}
			return 2
		})
		f.open, f.release = pre.Open, pre.close
		return f, nil
	}
	stems, mix, err := r.fetch(ctx, files, filepath.Join(work, "in"))
	if err != nil {
		return nil, err
	}
	if err := flatten(dir, stems, mix); err != nil {
		return nil, err
	}
	return &jobFiles{dir: dir, stems: stems, mix: mix}, nil
}

func (r *Runner) inPlace(ctx context.Context, files []store.File, dir string) *jobFiles {
	in := r.Blobs.StreamInputs(ctx, files, dir)
	return &jobFiles{dir: dir, stems: in.Stems, mix: in.Mix, open: in.Open, readInPlace: in}
}

// checkFiles lays out a check's files under work: read in place when the
// Checker can (see OpenChecker), else copied to work/stem and work/mix.
func (r *Runner) checkFiles(ctx context.Context, files []store.File, work string) (*jobFiles, error) {
	if _, ok := r.Checker.(OpenChecker); ok && r.ReadInPlace {
		return r.inPlace(ctx, files, filepath.Join(work, "files")), nil
	}
	stems, mix, err := r.fetch(ctx, files, work)
	if err != nil {
		return nil, err
	}
	return &jobFiles{dir: work, stems: stems, mix: mix}, nil
}

// check runs the Checker on the files.
func (r *Runner) check(ctx context.Context, f *jobFiles) (*stemmaster.CheckReport, error) {
	if f.open != nil {
		return r.Checker.(OpenChecker).CheckFrom(ctx, f.stems, f.mix, f.open)
	}
	return r.Checker.Check(ctx, f.stems, f.mix)
}

// done releases what the job's files hold.
func (f *jobFiles) done() {
	if f.release != nil {
		f.release()
	}
}

// storeFailed reports whether reading an input in place failed for a
// cause of the store: the render's error is then no fault of the files.
func (f *jobFiles) storeFailed() bool {
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
