package jobs

import (
	"context"
	"io"
)

// WriteSumPreviewFrom writes the plain unity sum of the stems — what the
// client delivered, before any processing — as the 24-bit stereo WAV of
// PreviewWriter at path, streaming block by block, and returns its
// integrated loudness (BS.1770-4), which the A/B player uses to play it at
// the master's loudness. Mono stems sit in the centre at −3 dB per
// channel, as the engine places them; stems shorter than the longest are
// padded with silence; a stem at another rate is converted to the most
// common. It stops when ctx
// ends (the render it runs beside failed or was cancelled) and reads the
// stems through open (store.Inputs.Open: in place from the bucket), the
// file system when open is nil.
func WriteSumPreviewFrom(ctx context.Context, path string, stems []string, open func(string) (io.ReadSeekCloser, error)) (float64, error) {
	return writeSumPreviewFrom(ctx, path, stems, open)
}
