package flac

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	mflac "github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// BlockSize is the number of frames per FLAC block the encoder writes
// (libFLAC's default for levels 3 to 8).
const BlockSize = 4096

// Encoder writes a FLAC stream block by block. STREAMINFO (sample count,
// MD5) is completed on Close, so w must be seekable. It implements
// audio.Writer.
type Encoder struct {
	w      *seekBuffer
	enc    *mflac.Encoder
	format audio.Format
	frame  frame.Frame
	subs   []frame.Subframe
	block  [][]int32 // per channel, BlockSize samples
	n      int       // frames pending in block
	err    error
	closed bool
}

var _ audio.Writer = (*Encoder)(nil)

// NewEncoder writes the FLAC signature and STREAMINFO for f to w and returns
// an Encoder. It writes 16- and 24-bit integer samples, 1 to 8 channels.
func NewEncoder(w io.WriteSeeker, f audio.Format) (*Encoder, error) {
	switch {
	case f.SampleFormat != audio.Int || f.BitDepth != 16 && f.BitDepth != 24:
		return nil, fmt.Errorf("flac: cannot write %d-bit %s: %w", f.BitDepth, f.SampleFormat, audio.ErrUnsupported)
	case f.Channels < 1 || f.Channels > 8:
		return nil, fmt.Errorf("flac: cannot write %d channels: %w", f.Channels, audio.ErrUnsupported)
	case f.SampleRate < 1 || f.SampleRate > 655350:
		return nil, fmt.Errorf("flac: cannot write a sample rate of %d Hz: %w", f.SampleRate, audio.ErrUnsupported)
	}
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("flac: %w", err)
	}
	sb := &seekBuffer{w: w, base: start, b: bufio.NewWriterSize(w, 1<<16)}
	info := &meta.StreamInfo{
		BlockSizeMin:  BlockSize,
		BlockSizeMax:  BlockSize,
		SampleRate:    uint32(f.SampleRate),
		NChannels:     uint8(f.Channels),
		BitsPerSample: uint8(f.BitDepth),
	}
	enc, err := mflac.NewEncoder(sb, info)
	if err != nil {
		return nil, fmt.Errorf("flac: write header: %w", unwrapLib(err))
	}
	e := &Encoder{w: sb, enc: enc, format: f}
	e.subs = make([]frame.Subframe, f.Channels)
	e.frame.Subframes = make([]*frame.Subframe, f.Channels)
	e.block = make([][]int32, f.Channels)
	for c := range e.block {
		e.block[c] = make([]int32, BlockSize)
		e.frame.Subframes[c] = &e.subs[c]
	}
	return e, nil
}

// Write encodes every frame of src.
func (e *Encoder) Write(src *audio.Buffer) error {
	if e.closed {
		return errors.New("flac: Write after Close")
	}
	if e.err != nil {
		return e.err
	}
	if len(src.Data) != e.format.Channels {
		panic(fmt.Sprintf("flac: Write of a %d-channel buffer to a %d-channel stream", len(src.Data), e.format.Channels))
	}
	frames := src.Frames()
	for off := 0; off < frames; {
		k := min(BlockSize-e.n, frames-off)
		for c, ch := range src.Data {
			dst := e.block[c][e.n : e.n+k]
			for i, v := range ch[off : off+k] {
				dst[i] = pcm.Quantize(v, e.format.BitDepth)
			}
		}
		e.n += k
		off += k
		if e.n == BlockSize {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush encodes the pending block as one FLAC frame.
func (e *Encoder) flush() error {
	if e.n == 0 {
		return nil
	}
	e.frame.Header = frame.Header{
		HasFixedBlockSize: true,
		BlockSize:         uint16(e.n),
		SampleRate:        frameRate(e.format.SampleRate),
		Channels:          frame.Channels(e.format.Channels - 1), // independent channels
		BitsPerSample:     uint8(e.format.BitDepth),
	}
	for c := range e.subs {
		// The library's analysis rewrites the subheader; start afresh.
		e.subs[c] = frame.Subframe{
			SubHeader: frame.SubHeader{Pred: frame.PredVerbatim},
			Samples:   e.block[c][:e.n],
			NSamples:  e.n,
		}
	}
	if err := e.enc.WriteFrame(&e.frame); err != nil {
		e.err = fmt.Errorf("flac: write frame: %w", unwrapLib(err))
		return e.err
	}
	e.n = 0
	return nil
}

// frameRate is the sample rate to put in frame headers: the rate when a
// frame header can code it (RFC 9639 §9.1.2), else 0, "see STREAMINFO".
func frameRate(rate int) uint32 {
	switch {
	case rate <= 255000 && rate%1000 == 0, rate <= 65535, rate <= 655350 && rate%10 == 0:
		return uint32(rate)
	}
	return 0
}

// Close encodes the last (short) block and completes STREAMINFO. It does not
// close the underlying writer.
func (e *Encoder) Close() error {
	if e.closed {
		return e.err
	}
	e.closed = true
	if err := e.flush(); err != nil {
		return err
	}
	if err := e.enc.Close(); err != nil {
		e.err = fmt.Errorf("flac: finalise STREAMINFO: %w", unwrapLib(err))
		return e.err
	}
	// The library records the short last block as the minimum block size,
	// which readers reject when below 16; RFC 9639 excludes the last block,
	// and libFLAC writes the nominal size in both fields.
	var bs [4]byte
	binary.BigEndian.PutUint16(bs[0:], BlockSize)
	binary.BigEndian.PutUint16(bs[2:], BlockSize)
	if err := e.w.writeAt(8, bs[:]); err != nil {
		e.err = fmt.Errorf("flac: finalise STREAMINFO: %w", err)
		return e.err
	}
	if err := e.w.b.Flush(); err != nil {
		e.err = fmt.Errorf("flac: %w", err)
		return e.err
	}
	if _, err := e.w.w.Seek(0, io.SeekEnd); err != nil {
		e.err = fmt.Errorf("flac: %w", err)
	}
	return e.err
}

// seekBuffer buffers writes to an io.WriteSeeker, flushing before a seek,
// and makes offsets relative to where the stream started (the library
// seeks to absolute offsets). It is deliberately not an io.Closer: the
// library closes writers that are.
type seekBuffer struct {
	w    io.WriteSeeker
	base int64
	b    *bufio.Writer
}

func (s *seekBuffer) Write(p []byte) (int, error) { return s.b.Write(p) }

func (s *seekBuffer) WriteByte(c byte) error { return s.b.WriteByte(c) }

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if err := s.b.Flush(); err != nil {
		return 0, err
	}
	if whence == io.SeekStart {
		off += s.base
	}
	pos, err := s.w.Seek(off, whence)
	return pos - s.base, err
}

func (s *seekBuffer) writeAt(off int64, p []byte) error {
	if _, err := s.Seek(off, io.SeekStart); err != nil {
		return err
	}
	_, err := s.b.Write(p)
	return err
}
