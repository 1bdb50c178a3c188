package audio

import (
	"errors"
	"io"
)

// Every codec ends a file at the length its header declares (Info.Frames;
// what follows is counted in Info.PastFrames, not read), so 18 MB of FLAC
// frames of silence declaring one second read as one second, not 400
// hours, through whatever reads it. FrameLimit ends a stream at a length
// of the caller's: the frames an upload was counted by when it was taken.

// FrameLimit is a stream that ends after a number of frames.
type FrameLimit struct {
	r     Reader
	most  int64 // frames it ends after
	pos   int64 // frames delivered, or the frame sought
	probe *Buffer
	end   error // what every Read returns once past the limit
}

// LimitFrames returns r ending after most frames. It closes and seeks
// (FrameSeeker) as r does.
func LimitFrames(r Reader, most int64) *FrameLimit {
	return &FrameLimit{r: r, most: most}
}

// Info is r's.
func (l *FrameLimit) Info() Info { return l.r.Info() }

// Read reads from r up to the limit; see Reader.
func (l *FrameLimit) Read(dst *Buffer) (int, error) {
	left := l.most - l.pos
	if left <= 0 {
		return 0, l.ending()
	}
	if full := dst.Frames(); int64(full) > left {
		dst.SetFrames(int(left))
		defer dst.SetFrames(full)
	}
	n, err := l.r.Read(dst)
	l.pos += int64(n)
	return n, err
}

// ending is the end of the stream at the limit: r's own end when it ends
// there too (io.EOF, or an error a decoder reports at its end, such as
// *NonFiniteError), else io.EOF.
func (l *FrameLimit) ending() error {
	if l.end != nil {
		return l.end
	}
	if l.probe == nil {
		l.probe = NewBuffer(l.r.Info().Format.Channels, 1)
	}
	n, err := l.r.Read(l.probe)
	if n > 0 || err == nil {
		err = io.EOF
	}
	l.end = err
	return err
}

// SeekFrame moves r to frame; see FrameSeeker.
func (l *FrameLimit) SeekFrame(frame int64) error {
	s, ok := l.r.(FrameSeeker)
	if !ok {
		return errors.ErrUnsupported
	}
	if err := s.SeekFrame(frame); err != nil {
		return err
	}
	l.pos, l.end = frame, nil
	return nil
}

// Close closes r when it closes.
func (l *FrameLimit) Close() error {
	if c, ok := l.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
