package aiff

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// writeBufBytes is the size of the encoder's interleaving buffer.
const writeBufBytes = 1 << 16

// headerBytes is the header NewEncoder writes: FORM (12), COMM (8 + 18)
// and the SSND chunk's header with its offset and block size (16).
const headerBytes = 12 + 26 + 16

// Encoder writes an AIFF file (big-endian integer PCM, AIFF 1.3) block by
// block in bounded memory: the delivery format of studios on Apple's
// tools. The header is written first with placeholder sizes and patched on
// Close, so w must be seekable. It implements audio.Writer.
type Encoder struct {
	w       io.WriteSeeker
	start   int64 // offset of the FORM header in w
	format  audio.Format
	samples pcm.Interleaved // the sample chunk's body
}

var _ audio.Writer = (*Encoder)(nil)

// NewEncoder writes an AIFF header for f to w and returns an Encoder. It
// writes 16-, 24- and 32-bit integer PCM, any channel count up to 256;
// samples are rounded to the nearest integer and clamped to full scale.
// Float samples need AIFF-C, which it does not write.
func NewEncoder(w io.WriteSeeker, f audio.Format) (*Encoder, error) {
	l := pcm.Layout{Kind: pcm.Signed, Channels: f.Channels, Bytes: f.BitDepth / 8, BigEndian: true}
	ok := f.SampleFormat == audio.Int && (f.BitDepth == 16 || f.BitDepth == 24 || f.BitDepth == 32)
	if err := pcm.Writable("aiff", f, ok, MaxChannels, math.MaxUint32); err != nil {
		return nil, err
	}
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("aiff: %w", err)
	}
	e := &Encoder{w: w, start: start, format: f, samples: pcm.NewInterleaved("aiff", w, l, writeBufBytes)}
	if _, err := w.Write(e.header(0)); err != nil {
		return nil, fmt.Errorf("aiff: write header: %w", err)
	}
	return e, nil
}

// header is the file's header for data bytes of samples.
func (e *Encoder) header(data int64) []byte {
	be := binary.BigEndian
	b := make([]byte, 0, headerBytes)
	b = append(b, "FORM"...)
	b = be.AppendUint32(b, uint32(headerBytes-8+data+data&1))
	b = append(b, "AIFFCOMM"...)
	b = be.AppendUint32(b, 18)
	b = be.AppendUint16(b, uint16(e.format.Channels))
	b = be.AppendUint32(b, uint32(data/int64(e.samples.FrameBytes())))
	b = be.AppendUint16(b, uint16(e.format.BitDepth))
	b = appendExtended(b, uint64(e.format.SampleRate))
	b = append(b, "SSND"...)
	b = be.AppendUint32(b, uint32(8+data))
	b = be.AppendUint32(b, 0) // offset
	b = be.AppendUint32(b, 0) // block size
	return b
}

// appendExtended appends the whole number v as an 80-bit IEEE 754
// extended float (the reader's extended reads it back exactly).
func appendExtended(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, make([]byte, 10)...)
	}
	shift := bits.LeadingZeros64(v)
	b = binary.BigEndian.AppendUint16(b, uint16(16383+63-shift))
	return binary.BigEndian.AppendUint64(b, v<<shift)
}

// Format returns the format being written.
func (e *Encoder) Format() audio.Format { return e.format }

// Write encodes every frame of src.
func (e *Encoder) Write(src *audio.Buffer) error { return e.samples.Write(src) }

// Close writes the pending samples, the pad byte of an odd-sized sound
// chunk and the header's sizes. A file past AIFF's 32-bit sizes (4 GiB)
// is an error: AIFF has no 64-bit form. It does not close w.
func (e *Encoder) Close() error {
	if done, err := e.samples.Close(); done || err != nil {
		return err
	}
	data := e.samples.Data
	if headerBytes-8+data+data&1 > math.MaxUint32 {
		return e.samples.Fail(fmt.Errorf("aiff: %d bytes of samples are more than an AIFF file holds (4 GiB): %w", data, audio.ErrUnsupported))
	}
	if err := e.samples.Pad(); err != nil {
		return err
	}
	end := e.start + headerBytes + data + data&1
	if _, err := e.w.Seek(e.start, io.SeekStart); err != nil {
		return e.samples.Fail(fmt.Errorf("aiff: finalise header: %w", err))
	}
	if _, err := e.w.Write(e.header(data)); err != nil {
		return e.samples.Fail(fmt.Errorf("aiff: finalise header: %w", err))
	}
	if _, err := e.w.Seek(end, io.SeekStart); err != nil {
		return e.samples.Fail(fmt.Errorf("aiff: finalise header: %w", err))
	}
	return nil
}
