package jobs

import (
	"context"
	"io"
)

// WriteSumPreviewFrom is WriteSumPreview stopping when ctx ends, reading
// the stems through open (store.Inputs.Open: in place from the bucket),
// the file system when open is nil.
func WriteSumPreviewFrom(ctx context.Context, path string, stems []string, open func(string) (io.ReadSeekCloser, error)) (float64, error) {
	return writeSumPreviewFrom(ctx, path, stems, open)
}
