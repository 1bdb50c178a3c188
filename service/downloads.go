package service

import (
	"context"
	"fmt"
	"io"
	"time"

	"stemmaster/store"
)

// Downloads: the bytes of a published output (a revision's too), whole,
// a range of them, or a link that downloads straight from the store.

// OpenOutput opens the output's file.
func (ps *Projects) OpenOutput(ctx context.Context, o *store.Output) (io.ReadCloser, error) {
	return ps.Blobs.Open(ctx, o.BlobKey)
}

// OpenOutputRange opens n bytes of the output's file from offset.
func (ps *Projects) OpenOutputRange(ctx context.Context, o *store.Output, offset, n int64) (io.ReadCloser, error) {
	return ps.Blobs.OpenRange(ctx, o.BlobKey, offset, n)
}

// OutputURL is a link valid for lifetime that downloads the output
// straight from the store, as filename when not "" (errors.ErrUnsupported
// from a store that cannot sign), and when it stops working. Both are on
// the store's clock (Now): the link is signed as made then, so what the
// client is told and what S3 checks the link against agree, however far
// this machine's clock is off.
func (ps *Projects) OutputURL(ctx context.Context, o *store.Output, filename string, lifetime time.Duration) (url string, expires time.Time, err error) {
	now := ps.Now()
	url, err = ps.Blobs.SignedURL(ctx, o.BlobKey, filename, now, lifetime)
	return url, now.Add(lifetime), err
}

// DirectDownloads reports whether the store's download links (OutputURL)
// reach it from where the clients are (store.Blobs.DirectLinks): only
// then is a client sent to them rather than through the server.
func (ps *Projects) DirectDownloads() bool { return ps.Blobs.DirectLinks() }

// OutputsStored reports the first of the outputs (previews aside) whose
// file is missing from the store, so an archive of them can be promised
// before its first byte goes out.
func (ps *Projects) OutputsStored(ctx context.Context, outs []store.Output) error {
	for _, o := range outs {
		if o.Kind == store.OutputPreview {
			continue
		}
		if _, err := ps.Blobs.ModTime(ctx, o.BlobKey); err != nil {
			return fmt.Errorf("zip: output %s: %w", o.Name, err)
		}
	}
	return nil
}
