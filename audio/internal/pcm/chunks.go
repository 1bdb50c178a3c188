package pcm

import (
	"fmt"
	"io"

	"stemmaster/audio"
)

// Chunks reads the header of a chunked container (RIFF, IFF) from its
// start. It counts the bytes consumed, so chunk offsets are known whether
// or not the input can seek, and skips by seeking when it can.
type Chunks struct {
	r    io.Reader
	S    io.Seeker // nil when the input cannot seek
	Base int64     // the container's offset in S
	Pos  int64     // bytes consumed from the container's start
	Size int64     // bytes from Base to the end of the input; -1 unknown
}

// NewChunks returns a Chunks reading r from its current position; when r
// can seek, it also learns the input's size.
func NewChunks(codec string, r io.Reader) (*Chunks, error) {
	c := &Chunks{r: r, Size: -1}
	if s, ok := r.(io.Seeker); ok {
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			end, err := s.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", codec, err)
			}
			if _, err := s.Seek(cur, io.SeekStart); err != nil {
				return nil, fmt.Errorf("%s: %w", codec, err)
			}
			c.S, c.Base, c.Size = s, cur, end-cur
		}
	}
	return c, nil
}

// Read fills p (io.ReadFull).
func (c *Chunks) Read(p []byte) error {
	n, err := io.ReadFull(c.r, p)
	c.Pos += int64(n)
	return err
}

// Skip passes over n bytes.
func (c *Chunks) Skip(n int64) error {
	if c.S != nil {
		return c.SeekPos(c.Pos + n)
	}
	m, err := io.CopyN(io.Discard, c.r, n)
	c.Pos += m
	return err
}

// SeekPos moves to pos bytes from the container's start; the input must seek.
func (c *Chunks) SeekPos(pos int64) error {
	if _, err := c.S.Seek(c.Base+pos, io.SeekStart); err != nil {
		return err
	}
	c.Pos = pos
	return nil
}

// ParseFunc reads a container's header from its start up to the first
// sample.
type ParseFunc func(*Chunks) (*Header, error)

// DecodeInfo reads only the header of the container at r's position: the
// DecodeConfig of the container packages.
func DecodeInfo(codec string, r io.Reader, parse ParseFunc) (audio.Info, error) {
	_, h, err := open(codec, r, parse)
	if err != nil {
		return audio.Info{}, err
	}
	return h.Info, nil
}

// Decode reads the header of the container at r's position and returns a
// SampleReader positioned at the first sample: the Decode of the container
// packages. cut is as for NewSampleReader.
func Decode(codec string, r io.Reader, parse ParseFunc, cut func(error) error) (SampleReader, error) {
	c, h, err := open(codec, r, parse)
	if err != nil {
		return SampleReader{}, err
	}
	return NewSampleReader(codec, r, *h, c.S, c.Base, cut), nil
}

func open(codec string, r io.Reader, parse ParseFunc) (*Chunks, *Header, error) {
	c, err := NewChunks(codec, r)
	if err != nil {
		return nil, nil, err
	}
	h, err := parse(c)
	return c, h, err
}
