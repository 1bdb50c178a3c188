package audiotest

import (
	"encoding/binary"
	"math"

	"stemmaster/audio"
)

// F32LE interleaves b as raw little-endian float32 samples, the form
// ffmpeg and sox read and write with -f f32le.
func F32LE(b *audio.Buffer) []byte {
	ch := b.Channels()
	raw := make([]byte, 4*ch*b.Frames())
	for i := range b.Frames() {
		for c := range b.Data {
			binary.LittleEndian.PutUint32(raw[4*(i*ch+c):], math.Float32bits(b.Data[c][i]))
		}
	}
	return raw
}

// FromF32LE deinterleaves raw little-endian float32 samples of the given
// channel count; a partial last frame is dropped.
func FromF32LE(raw []byte, channels int) *audio.Buffer {
	frames := len(raw) / 4 / channels
	b := audio.NewBuffer(channels, frames)
	for i := range frames {
		for c := range channels {
			b.Data[c][i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(i*channels+c):]))
		}
	}
	return b
}
