package jobs

import (
	"context"
	"io"

	"stemmaster/audio"
)

// WriteSumPreviewFrom is WriteSumPreview stopping when ctx ends, reading
// the stems through open (store.Inputs.Open: in place from the bucket),
// the file system when open is nil.
func WriteSumPreviewFrom(ctx context.Context, path string, stems []string, open func(string) (io.ReadSeekCloser, error)) (float64, error) {
	return writeSumPreviewFrom(ctx, path, stems, open)
}

// openAudio opens the audio file at path through open, or the file system
// when open is nil.
func openAudio(open func(string) (io.ReadSeekCloser, error), path string) (*audio.File, error) {
	if open == nil {
		return audio.Open(path)
	}
	rs, err := open(path)
	if err != nil {
		return nil, &audio.FileError{Path: path, Err: err}
	}
	return audio.OpenStream(path, rs)
}
