package store

import (
	"context"
	"fmt"
	"io"

	"gocloud.dev/gcerrors"
)

// OpenRange returns a reader of length bytes of the object at key from
// offset on (to the end when length is negative): a streamed preview
// serves a few seconds of a long file without reading the rest.
func (b *Blobs) OpenRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	r, err := b.bucket.NewRangeReader(ctx, key, offset, length, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, fmt.Errorf("%w: blob %s", ErrNotFound, key)
		}
		return nil, fmt.Errorf("store: open %s: %w", key, err)
	}
	return r, nil
}
