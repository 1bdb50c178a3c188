package service

import (
	"errors"
	"io"

	"stemmaster/audio"
)

// A FLAC's decoder goes on past the length its STREAMINFO declares while
// frames follow, and an upload is counted, shown and rendered by the
// declared length: 18 MB of FLAC frames of silence declaring one second
// hold 400 hours. What reads an upload after it was accepted (its preview,
// the check) reads it through LimitFrames, to the length it was taken by.

// FrameLimit is a stream that ends after a number of frames.
type FrameLimit struct {
	r    audio.Reader
	most int64 // frames it ends after
	pos  int64 // frames delivered, or the frame sought
}

// LimitFrames returns r ending after most frames. It closes and seeks
// (audio.FrameSeeker) as r does.
func LimitFrames(r audio.Reader, most int64) *FrameLimit {
	return &FrameLimit{r: r, most: most}
}

// Info is r's.
func (l *FrameLimit) Info() audio.Info { return l.r.Info() }

// Read reads from r up to the limit; see audio.Reader.
func (l *FrameLimit) Read(dst *audio.Buffer) (int, error) {
	left := l.most - l.pos
	if left <= 0 {
		return 0, io.EOF
	}
	if full := dst.Frames(); int64(full) > left {
		dst.SetFrames(int(left))
		defer dst.SetFrames(full)
	}
	n, err := l.r.Read(dst)
	l.pos += int64(n)
	return n, err
}

// SeekFrame moves r to frame; see audio.FrameSeeker.
func (l *FrameLimit) SeekFrame(frame int64) error {
	s, ok := l.r.(audio.FrameSeeker)
	if !ok {
		return errors.ErrUnsupported
	}
	if err := s.SeekFrame(frame); err != nil {
		return err
	}
	l.pos = frame
	return nil
}

// Close closes r when it closes.
func (l *FrameLimit) Close() error {
	if c, ok := l.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// declaredLength ends r at the length its header declares, if it does.
func declaredLength(r audio.Reader) audio.Reader {
	if n := r.Info().Frames; n >= 0 {
		return LimitFrames(r, n)
	}
	return r
}
