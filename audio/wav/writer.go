package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// RF64Threshold is the largest RIFF size (file size minus 8) written as a
// plain RIFF/WAVE file; a longer stream is finalised as RF64 (EBU Tech 3306)
// on Close. It is the 32-bit limit of the RIFF size field.
const RF64Threshold int64 = math.MaxUint32

// ds64Body is the body size of the JUNK chunk reserved for a ds64 chunk:
// RIFF size, data size, sample count (8 bytes each) and an empty table
// length (4 bytes).
const ds64Body = 28

// writeBufBytes is the size of the encoder's interleaving buffer.
const writeBufBytes = 1 << 16

// Encoder writes a WAV file block by block in bounded memory. The header is
// written first with placeholder sizes and patched on Close, so w must be
// seekable. It implements audio.Writer.
type Encoder struct {
	w       io.WriteSeeker
	start   int64 // offset of the RIFF header in w
	format  audio.Format
	samples pcm.Interleaved // the sample chunk's body
	hdr     headerLayout
	// rf64Above is RF64Threshold; tests lower it to write small RF64 files.
	rf64Above int64
}

var _ audio.Writer = (*Encoder)(nil)

// headerLayout records where Close patches the header.
type headerLayout struct {
	size     int // header bytes up to the first sample
	factAt   int // offset of the fact sample count; 0 when absent
	dataSize int // offset of the data chunk's size field
}

// NewEncoder writes a WAV header for f to w and returns an Encoder. It
// writes 8-bit (unsigned), 16-, 24- and 32-bit integer PCM and 32- or
// 64-bit float, any channel count; more than two channels are written as
// WAVE_FORMAT_EXTENSIBLE. Samples are converted by rounding to the nearest
// integer and clamping to full scale.
func NewEncoder(w io.WriteSeeker, f audio.Format) (*Encoder, error) {
	l := pcm.Layout{Channels: f.Channels, Bytes: f.BitDepth / 8}
	switch {
	case f.SampleFormat == audio.Int && f.BitDepth == 8:
		l.Kind = pcm.Unsigned
	case f.SampleFormat == audio.Int && (f.BitDepth == 16 || f.BitDepth == 24 || f.BitDepth == 32):
		l.Kind = pcm.Signed
	case f.SampleFormat == audio.Float && (f.BitDepth == 32 || f.BitDepth == 64):
		l.Kind = pcm.Float
	}
	// A frame's size is a 16-bit field (block align).
	if err := pcm.Writable("wav", f, l.Kind != 0, math.MaxUint16/max(l.Bytes, 1), math.MaxUint32); err != nil {
		return nil, err
	}
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("wav: %w", err)
	}
	e := &Encoder{w: w, start: start, format: f, samples: pcm.NewInterleaved("wav", w, l, writeBufBytes), rf64Above: RF64Threshold}
	hdr := e.header(l)
	if _, err := w.Write(hdr); err != nil {
		return nil, fmt.Errorf("wav: write header: %w", err)
	}
	return e, nil
}

// header builds the initial header: RIFF, a JUNK chunk that Close can turn
// into ds64, fmt, fact (for float, as the spec asks of non-PCM formats) and
// the data chunk header, sizes zero.
func (e *Encoder) header(l pcm.Layout) []byte {
	f := e.format
	le := binary.LittleEndian
	b := make([]byte, 0, 128)
	b = append(b, "RIFF\x00\x00\x00\x00WAVE"...)
	b = append(b, "JUNK"...)
	b = le.AppendUint32(b, ds64Body)
	b = append(b, make([]byte, ds64Body)...)

	tag := uint16(tagPCM)
	if f.SampleFormat == audio.Float {
		tag = tagFloat
	}
	ext := f.Channels > 2
	b = append(b, "fmt "...)
	if ext {
		b = le.AppendUint32(b, 40)
		b = le.AppendUint16(b, tagExtensible)
	} else if tag == tagFloat {
		// WAVEFORMATEX: every non-PCM format carries cbSize (sox warns
		// "wave header missing extended part of fmt chunk" without it).
		b = le.AppendUint32(b, 18)
		b = le.AppendUint16(b, tag)
	} else {
		b = le.AppendUint32(b, 16)
		b = le.AppendUint16(b, tag)
	}
	b = le.AppendUint16(b, uint16(f.Channels))
	b = le.AppendUint32(b, uint32(f.SampleRate))
	b = le.AppendUint32(b, uint32(f.SampleRate*e.samples.FrameBytes()))
	b = le.AppendUint16(b, uint16(e.samples.FrameBytes()))
	b = le.AppendUint16(b, uint16(f.BitDepth))
	if tag == tagFloat && !ext {
		b = le.AppendUint16(b, 0) // cbSize: no extension
	}
	if ext {
		b = le.AppendUint16(b, 22)                 // cbSize
		b = le.AppendUint16(b, uint16(f.BitDepth)) // valid bits
		b = le.AppendUint32(b, 0)                  // channel mask: no speaker assignment
		b = le.AppendUint16(b, tag)
		b = append(b, guidTail[:]...)
	}
	if f.SampleFormat == audio.Float {
		b = append(b, "fact"...)
		b = le.AppendUint32(b, 4)
		e.hdr.factAt = len(b)
		b = le.AppendUint32(b, 0)
	}
	b = append(b, "data"...)
	e.hdr.dataSize = len(b)
	b = le.AppendUint32(b, 0)
	e.hdr.size = len(b)
	return b
}

// Format returns the format being written.
func (e *Encoder) Format() audio.Format { return e.format }

// Write encodes every frame of src.
func (e *Encoder) Write(src *audio.Buffer) error { return e.samples.Write(src) }

// Close writes the pending samples and patches the header sizes, turning
// the file into RF64 when it has grown past RF64Threshold. It does not close
// the underlying writer.
func (e *Encoder) Close() error {
	if done, err := e.samples.Close(); done || err != nil {
		return err
	}
	if err := e.samples.Pad(); err != nil {
		return err
	}
	if err := e.patch(); err != nil {
		return e.samples.Fail(fmt.Errorf("wav: finalise header: %w", err))
	}
	return nil
}

func (e *Encoder) patch() error {
	le := binary.LittleEndian
	data := e.samples.Data
	riffSize := int64(e.hdr.size) - 8 + data + data&1
	frames := data / int64(e.samples.FrameBytes())
	rf64 := riffSize > e.rf64Above
	at := func(off int, v []byte) error {
		if _, err := e.w.Seek(e.start+int64(off), io.SeekStart); err != nil {
			return err
		}
		_, err := e.w.Write(v)
		return err
	}
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	if rf64 {
		head := append([]byte("RF64"), u32(unknownSize)...)
		head = append(head, "WAVEds64"...)
		head = le.AppendUint32(head, ds64Body)
		head = le.AppendUint64(head, uint64(riffSize))
		head = le.AppendUint64(head, uint64(data))
		head = le.AppendUint64(head, uint64(frames))
		head = le.AppendUint32(head, 0) // no table entries
		if err := at(0, head); err != nil {
			return err
		}
		if e.hdr.factAt != 0 {
			if err := at(e.hdr.factAt, u32(unknownSize)); err != nil {
				return err
			}
		}
		if err := at(e.hdr.dataSize, u32(unknownSize)); err != nil {
			return err
		}
	} else {
		if err := at(4, u32(uint32(riffSize))); err != nil {
			return err
		}
		if e.hdr.factAt != 0 {
			if err := at(e.hdr.factAt, u32(uint32(min(frames, math.MaxUint32)))); err != nil {
				return err
			}
		}
		if err := at(e.hdr.dataSize, u32(uint32(data))); err != nil {
			return err
		}
	}
	_, err := e.w.Seek(e.start+int64(e.hdr.size)+data+data&1, io.SeekStart)
	return err
}
