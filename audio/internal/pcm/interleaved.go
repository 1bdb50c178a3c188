package pcm

import (
	"fmt"
	"io"

	"stemmaster/audio"
)

// Interleaved is the sample half of an encoder of interleaved PCM in a
// chunked container (WAV, AIFF): it packs each block of frames with the
// layout's EncodeFunc (byte order and sample packing are the layout's)
// into one buffer and writes it to W, counting the bytes the container's
// header declares. The container's encoder writes and patches the header.
type Interleaved struct {
	W    io.Writer
	Blk  Blocks
	Data int64 // sample bytes taken (including the pending block)
	conv EncodeFunc
	fb   int
	buf  []byte
}

// NewInterleaved returns the sample writer of a codec's stream of layout
// l, writing blocks of about blockBytes to w.
func NewInterleaved(codec string, w io.Writer, l Layout, blockBytes int) Interleaved {
	fb := l.FrameBytes()
	p := Interleaved{W: w, conv: Encoder(l), fb: fb}
	p.Blk = Blocks{Codec: codec, Channels: l.Channels, Size: max(blockBytes/fb, 1)}
	p.buf = make([]byte, p.Blk.Size*fb)
	return p
}

// FrameBytes is the size of one frame.
func (p *Interleaved) FrameBytes() int { return p.fb }

// Write encodes every frame of src (audio.Writer's Write).
func (p *Interleaved) Write(src *audio.Buffer) error {
	return p.Blk.Write(src, func(off, k int) {
		p.conv(p.buf[p.Blk.Pending*p.fb:], src.Data, off, k)
		p.Data += int64(k * p.fb)
	}, p.writeBlock)
}

// writeBlock writes the pending frames.
func (p *Interleaved) writeBlock() error {
	if _, err := p.W.Write(p.buf[:p.Blk.Pending*p.fb]); err != nil {
		return fmt.Errorf("%s: write samples: %w", p.Blk.Codec, err)
	}
	return nil
}

// Close starts the encoder's Close as Blocks.Close does: done, with the
// first write error, when the stream was closed already; else the last,
// short block is written.
func (p *Interleaved) Close() (done bool, err error) {
	return p.Blk.Close(p.writeBlock)
}

// Pad writes the pad byte both RIFF and IFF chunks take after an odd
// number of sample bytes; an error becomes the stream's.
func (p *Interleaved) Pad() error {
	if p.Data&1 == 0 {
		return nil
	}
	if _, err := p.W.Write([]byte{0}); err != nil {
		p.Blk.Err = fmt.Errorf("%s: write pad byte: %w", p.Blk.Codec, err)
		return p.Blk.Err
	}
	return nil
}

// Fail makes err, a failure of the encoder's own (the header), the
// stream's and returns it.
func (p *Interleaved) Fail(err error) error {
	p.Blk.Err = err
	return err
}
