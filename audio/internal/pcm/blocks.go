package pcm

import (
	"errors"
	"fmt"

	"stemmaster/audio"
)

// Blocks is the write side every encoder shares: it gathers the frames of
// each Write into a block of Size frames and hands the block over when it
// is full, and it keeps the state the audio.Writer contract asks for (the
// first write error sticks; nothing is written after Close).
type Blocks struct {
	Codec    string // "wav", "flac": errors and panics name it
	Channels int    // the stream's channel count
	Size     int    // frames a block holds
	Pending  int    // frames gathered in the block, not yet handed over
	Err      error  // the first write error
	Closed   bool
}

// Write takes every frame of src: fill(off, k) copies k frames of src,
// from frame off, into the block after its Pending frames, and flush
// encodes the block each time it is full. A Write after Close fails, an
// earlier write error is returned again, and a buffer of another channel
// count than the stream's is a programming error (it panics, naming the
// codec).
func (b *Blocks) Write(src *audio.Buffer, fill func(off, k int), flush func() error) error {
	switch {
	case b.Closed:
		return errors.New(b.Codec + ": Write after Close")
	case b.Err != nil:
		return b.Err
	case len(src.Data) != b.Channels:
		panic(fmt.Sprintf("%s: Write of a %d-channel buffer to a %d-channel stream", b.Codec, len(src.Data), b.Channels))
	}
	frames := src.Frames()
	for off := 0; off < frames; {
		k := min(b.Size-b.Pending, frames-off)
		fill(off, k)
		b.Pending += k
		off += k
		if b.Pending == b.Size {
			if err := b.Flush(flush); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush hands over the pending frames, if any, to encode. An error
// encode returns (already naming the codec) becomes Err.
func (b *Blocks) Flush(encode func() error) error {
	if b.Pending == 0 {
		return nil
	}
	if err := encode(); err != nil {
		b.Err = err
		return err
	}
	b.Pending = 0
	return nil
}

// Close starts an encoder's Close: it reports done, with the stream's
// first write error, when the stream was closed already; else it marks it
// closed and flushes the last, short block.
func (b *Blocks) Close(encode func() error) (done bool, err error) {
	if b.Closed {
		return true, b.Err
	}
	b.Closed = true
	return false, b.Flush(encode)
}
