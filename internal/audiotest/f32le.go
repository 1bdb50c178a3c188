package audiotest

import (
	"encoding/binary"
	"math"
	"os/exec"

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

// DecodeStereoFFmpeg is the file at path as ffmpeg decodes it, downmixed
// or upmixed to stereo, float32: an outside reading of a delivered file.
func DecodeStereoFFmpeg(path string) (*audio.Buffer, error) {
	raw, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-ac", "2", "-f", "f32le", "-acodec", "pcm_f32le", "-").Output()
	if err != nil {
		return nil, err
	}
	return FromF32LE(raw, 2), nil
}
