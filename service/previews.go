package service

import (
	"context"
	"io"
	"strings"

	"stemmaster/engine"
	"stemmaster/store"
)

// Stream previews: beside each playable file (an upload, a published
// output) the server keeps a 16-bit stereo PCM copy (StreamKey(src)+".pcm")
// and its description (+".json", written last, so a description always
// names a whole copy). The HTTP handlers make and serve them; these are
// their reads and writes of the store. src is the file's blob key as the
// project's files or outputs give it.

// PutPreview stores the preview of the file at src: the PCM, then its
// description. A preview of a project's file made while the project was
// deleted goes with what is left of it (wroteUnder): store.ErrNotFound.
func (ps *Projects) PutPreview(ctx context.Context, src string, pcm io.Reader, info []byte) error {
	key := StreamKey(src)
	_, err := ps.Blobs.Put(ctx, key+".pcm", "application/octet-stream", pcm)
	if err == nil {
		_, err = ps.Blobs.Put(ctx, key+".json", "application/json", strings.NewReader(string(info)))
	}
	if id := store.ProjectOfKey(src); id != "" {
		return ps.wroteUnder(ctx, id, err)
	}
	return err
}

// OpenPreviewInfo opens the description of the preview of the file at
// src (store.ErrNotFound when there is none yet).
func (ps *Projects) OpenPreviewInfo(ctx context.Context, src string) (io.ReadCloser, error) {
	return ps.Blobs.Open(ctx, StreamKey(src)+".json")
}

// OpenPreviewPCM opens n bytes of the preview's PCM of the file at src
// from offset; n < 0 opens all of it.
func (ps *Projects) OpenPreviewPCM(ctx context.Context, src string, offset, n int64) (io.ReadCloser, error) {
	if n < 0 {
		return ps.Blobs.Open(ctx, StreamKey(src)+".pcm")
	}
	return ps.Blobs.OpenRange(ctx, StreamKey(src)+".pcm", offset, n)
}

// PreviewRate is the rate of the stream preview of a file at rate
// (engine.PreviewRate, the render's sum preview's too): a file above
// engine.MaxPreviewRate is previewed converted to it. The page plays what
// it mixes at its audio device's rate, 48 kHz or less on almost every
// machine, and a preview at 384 kHz took eight times the storage of one
// at 48 kHz for nothing heard.
func PreviewRate(rate int) int { return engine.PreviewRate(rate) }

// PreviewBytes is the size of the stream preview of a file of frames
// frames at rate: 16-bit stereo at PreviewRate (a frame more than the
// converted length at most).
func PreviewBytes(frames int64, rate int) int64 {
	if pr := PreviewRate(rate); pr < rate {
		frames = (frames*int64(pr)+int64(rate)-1)/int64(rate) + 1
	}
	return frames * 4
}

// OpenSourceRange opens n bytes from offset of the file at src itself.
func (ps *Projects) OpenSourceRange(ctx context.Context, src string, offset, n int64) (io.ReadCloser, error) {
	return ps.Blobs.OpenRange(ctx, src, offset, n)
}

// DownloadSource copies the file at src to path.
func (ps *Projects) DownloadSource(ctx context.Context, src, path string) error {
	return ps.Blobs.Download(ctx, src, path)
}

// OpenSource opens the file at src for reading in place, seekable
// (store.Blobs.OpenInput): what a preview is decoded from.
func (ps *Projects) OpenSource(ctx context.Context, src string) (io.ReadSeekCloser, error) {
	return ps.Blobs.OpenInput(ctx, src)
}

// DeletePreview deletes the preview of the file at src, if any.
func (ps *Projects) DeletePreview(ctx context.Context, src string) error {
	return ps.Blobs.DeletePrefix(ctx, StreamKey(src))
}
