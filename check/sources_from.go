package check

import (
	"io"

	"stemmaster/audio"
)

// FileSourcesFrom is FileSources reading each file through open (a stored
// object read in place by ranges, see store.Inputs), or the file system
// when open is nil.
func FileSourcesFrom(paths []string, open func(path string) (io.ReadSeekCloser, error)) []Source {
	srcs := FileSources(paths)
	if open == nil {
		return srcs
	}
	for i, p := range paths {
		srcs[i].Open = func() (audio.Reader, error) { return audio.OpenFrom(p, open) }
	}
	return srcs
}

// MixSourceFrom is MixSource reading the file through open (see
// FileSourcesFrom).
func MixSourceFrom(path string, open func(path string) (io.ReadSeekCloser, error)) *Source {
	if path == "" {
		return nil
	}
	return &FileSourcesFrom([]string{path}, open)[0]
}
