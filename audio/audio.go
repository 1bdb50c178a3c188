// Package audio holds the sample containers and streaming interfaces every other
// stemmaster package speaks: Buffer (planar float32, ±1.0 = full scale), Format,
// Info, Reader and Writer, and a registry of container codecs so that Open can
// choose a decoder by a file's content rather than its name (the model is the
// standard library's image.RegisterFormat).
//
// Codecs live in their own packages (audio/wav, audio/aiff, audio/flac) and
// register themselves when imported:
//
//	import _ "stemmaster/audio/wav"
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package audio

import (
	"fmt"
	"math"
)

// SampleFormat says how a file stores its samples.
type SampleFormat uint8

const (
	// Int is two's-complement (or offset-binary 8-bit) integer PCM.
	Int SampleFormat = iota + 1
	// Float is IEEE 754 floating point.
	Float
)

// String returns "int" or "float", the names used in JSON output.
func (s SampleFormat) String() string {
	switch s {
	case Int:
		return "int"
	case Float:
		return "float"
	}
	return fmt.Sprintf("SampleFormat(%d)", uint8(s))
}

// Format describes a stream of samples.
type Format struct {
	SampleRate   int
	Channels     int
	BitDepth     int // bits per sample as stored (valid bits for WAVE_FORMAT_EXTENSIBLE)
	SampleFormat SampleFormat
}

// String gives a compact human description, e.g. "48000 Hz, 2 ch, 24-bit int".
func (f Format) String() string {
	return fmt.Sprintf("%d Hz, %d ch, %d-bit %s", f.SampleRate, f.Channels, f.BitDepth, f.SampleFormat)
}

// Info is what a decoder knows from a file's header alone.
type Info struct {
	Container string // "wav", "rf64", "aiff", "flac"
	Format    Format
	Frames    int64 // total frames; -1 when the header does not say
	// DeclaredFrames is set (above Frames) when the header declares more
	// frames than the file holds: the file is truncated, and reading it
	// ends with a *TruncatedError. 0 otherwise.
	DeclaredFrames int64
	// PastFrames counts frames the file holds after the length its header
	// declares (a header written before the export ended, or never
	// updated). Every reader ends at the declared length, Frames, and
	// reads none of them: the header's length is the file's. WAV and AIFF
	// know them from the header; a FLAC decoder once it has read to the
	// declared end (0 before). 0 when there are none.
	PastFrames int64
	// PastMore says more frames follow than PastFrames counts: a FLAC
	// decoder counts at most PastCountSeconds of them.
	PastMore bool
	// TimeReference is the BWF bext time reference: the first sample's
	// position on the DAW timeline, in samples since midnight.
	TimeReference    int64
	HasTimeReference bool
}

// PastCountSeconds bounds the frames past the declared end a decoder
// decodes only to count them: a file that declares one second and holds
// hours more is not read for hours.
const PastCountSeconds = 60

// Past says what follows the declared length, "" when nothing does: "its
// header declares 48000 frames (1.000 s) but 4800 more frames (0.100 s)
// follow them". The check's finding, info and meter say it in these
// words.
func (i Info) Past() string {
	if i.PastFrames <= 0 && !i.PastMore {
		return ""
	}
	more := fmt.Sprintf("%d more frames (%s)", i.PastFrames, seconds(i.PastFrames, i.Format.SampleRate))
	if i.PastMore {
		more = "more than " + more
	}
	return fmt.Sprintf("its header declares %d frames (%s) but %s follow them",
		i.Frames, seconds(i.Frames, i.Format.SampleRate), more)
}

// Duration returns the length in seconds, or 0 when unknown.
func (i Info) Duration() float64 { return i.Format.Summary(i.Frames).DurationS }

// Summary is a file's format and length as stemmaster's JSON shows them:
// `info --json` and the API's file entries carry these fields, in this
// order (docs/cli.md, docs/api.md).
type Summary struct {
	SampleRate   int     `json:"sample_rate"`
	Channels     int     `json:"channels"`
	BitDepth     int     `json:"bit_depth"`
	SampleFormat string  `json:"sample_format"`
	Frames       int64   `json:"frames"`
	DurationS    float64 `json:"duration_s"` // 0 when the length is unknown
}

// Summary describes frames of f (-1: unknown).
func (f Format) Summary(frames int64) Summary {
	s := Summary{SampleRate: f.SampleRate, Channels: f.Channels, BitDepth: f.BitDepth, SampleFormat: f.SampleFormat.String(), Frames: frames}
	if frames >= 0 && f.SampleRate > 0 {
		s.DurationS = float64(frames) / float64(f.SampleRate)
	}
	return s
}

// Buffer is a block of planar samples: Data[channel][frame], ±1.0 = full scale.
// Every channel has the same length.
type Buffer struct {
	Data [][]float32
}

// NewBuffer allocates a buffer of the given shape, zeroed.
func NewBuffer(channels, frames int) *Buffer {
	if channels < 0 || frames < 0 {
		panic("audio: NewBuffer with negative size")
	}
	b := &Buffer{Data: make([][]float32, channels)}
	backing := make([]float32, channels*frames)
	for c := range b.Data {
		b.Data[c] = backing[c*frames : (c+1)*frames : (c+1)*frames]
	}
	return b
}

// Channels returns the number of channels.
func (b *Buffer) Channels() int { return len(b.Data) }

// Frames returns the number of frames (the length of each channel).
func (b *Buffer) Frames() int {
	if len(b.Data) == 0 {
		return 0
	}
	return len(b.Data[0])
}

// Cap returns how many frames the buffer can hold without reallocating.
func (b *Buffer) Cap() int {
	if len(b.Data) == 0 {
		return 0
	}
	return cap(b.Data[0])
}

// SetFrames reslices every channel to n frames. It panics when n exceeds Cap.
func (b *Buffer) SetFrames(n int) {
	if n < 0 || n > b.Cap() {
		panic(fmt.Sprintf("audio: SetFrames(%d) beyond capacity %d", n, b.Cap()))
	}
	for c := range b.Data {
		b.Data[c] = b.Data[c][:n]
	}
}

// Zero sets every sample to 0.
func (b *Buffer) Zero() {
	for _, ch := range b.Data {
		clear(ch)
	}
}

// Clone returns a deep copy.
func (b *Buffer) Clone() *Buffer {
	c := NewBuffer(b.Channels(), b.Frames())
	for i, ch := range b.Data {
		copy(c.Data[i], ch)
	}
	return c
}

// Peak returns the largest absolute sample value over all channels.
func (b *Buffer) Peak() float32 {
	var p float32
	for _, ch := range b.Data {
		for _, v := range ch {
			if v < 0 {
				v = -v
			}
			if v > p {
				p = v
			}
		}
	}
	return p
}

// DB converts a linear amplitude to decibels (20·log10); 0 gives -Inf.
func DB(amplitude float64) float64 { return 20 * math.Log10(amplitude) }

// Amplitude converts decibels to a linear amplitude.
func Amplitude(db float64) float64 { return math.Pow(10, db/20) }
