package flac

import (
	"io"
	"testing"

	"stemmaster/audio"
)

// discard is an io.WriteSeeker that keeps nothing.
type discard struct{ pos, end int64 }

func (d *discard) Write(p []byte) (int, error) {
	d.pos += int64(len(p))
	d.end = max(d.end, d.pos)
	return len(p), nil
}

func (d *discard) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += d.pos
	case io.SeekEnd:
		off += d.end
	}
	d.pos = off
	return off, nil
}

// BenchmarkEncoder writes 24-bit stereo blocks of BlockSize frames; it
// reports the allocations per block (the encoder allocates none).
func BenchmarkEncoder(b *testing.B) {
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	e, err := NewEncoder(&discard{}, f)
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
