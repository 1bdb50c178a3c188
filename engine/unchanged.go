package engine

import (
	"errors"
	"os"

	"stemmaster/audio"
)

// A render opens every stem several times (its header, each version's
// strip, the check's own reading), the last of them minutes after the
// first on a long album; an engineer who exports a stem again meanwhile
// would get a main version of the old stem and an instrumental of the new
// one, both reported as one render. Local inputs are stamped before their
// header is read and compared before anything is committed: a changed
// input fails the render, naming the file, with nothing written. Inputs
// read through Options.OpenInput are a service's stored objects, which do
// not change.

// The stamps also say which files in the output directory are inputs
// (checkOverwrite, staleOutputs), so every input is stat'ed once before
// the render and once after it (unchanged), not again for each question.

// inputStamp is what identifies a local input's content over a render.
type inputStamp struct {
	path string
	fi   os.FileInfo
}

// stamped returns the path of the stamped input that fi is (the same file,
// by identity: a link or another name of it too).
func (r *renderer) stamped(fi os.FileInfo) (string, bool) {
	for _, s := range r.stamps {
		if os.SameFile(fi, s.fi) {
			return s.path, true
		}
	}
	return "", false
}

// stamp records the file at path as it is now (nothing when it cannot be
// stat'ed: opening it fails and says why).
func (r *renderer) stamp(path string) {
	if r.opt.OpenInput != nil || path == "" {
		return
	}
	if fi, err := os.Stat(path); err == nil {
		r.stamps = append(r.stamps, inputStamp{path, fi})
	}
}

// errInputChanged is the error of an input that changed during the render.
var errInputChanged = errors.New("it changed while the render ran (exported again or copied over?): nothing written; render again once the file is final")

// unchanged reports, as a *audio.FileError naming the first, an input
// whose size, time or identity changed since it was stamped.
func (r *renderer) unchanged() error {
	for _, s := range r.stamps {
		fi, err := os.Stat(s.path)
		if err != nil || !os.SameFile(fi, s.fi) || fi.Size() != s.fi.Size() || !fi.ModTime().Equal(s.fi.ModTime()) {
			return &audio.FileError{Path: s.path, Err: errInputChanged}
		}
	}
	return nil
}
