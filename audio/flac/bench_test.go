package flac

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

// BenchmarkEncoder writes 24-bit stereo blocks of BlockSize frames; it
// reports the allocations per block (the encoder allocates none).
func BenchmarkEncoder(b *testing.B) {
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	e, err := NewEncoder(&codectest.Discard{}, f)
	if err != nil {
		b.Fatal(err)
	}
	buf := audio.NewBuffer(2, BlockSize)
	for c := range buf.Data {
		for i := range buf.Data[c] {
			buf.Data[c][i] = float32(i%97-48) / 64
		}
	}
	b.SetBytes(int64(BlockSize * 2 * 3))
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
}
