package flac

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	mflac "github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/flac/meta"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	pos int
}

func (m *memFile) Write(p []byte) (int, error) {
	if need := m.pos + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += len(p)
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += int64(m.pos)
	case io.SeekEnd:
		off += int64(len(m.b))
	}
	m.pos = int(off)
	return off, nil
}

// libraryEncode writes b as FLAC the way this package did through
// mewkiz/flac's Encoder (blocks of BlockSize frames, verbatim subframes
// handed to the library's analysis, the block sizes patched on Close).
func libraryEncode(t *testing.T, b *audio.Buffer, f audio.Format) []byte {
	t.Helper()
	out := &memFile{}
	sb := &seekBuffer{w: out, b: bufio.NewWriterSize(out, 1<<16)}
	info := &meta.StreamInfo{BlockSizeMin: BlockSize, BlockSizeMax: BlockSize, SampleRate: uint32(f.SampleRate),
		NChannels: uint8(f.Channels), BitsPerSample: uint8(f.BitDepth)}
	enc, err := mflac.NewEncoder(sb, info)
	if err != nil {
		t.Fatal(err)
	}
	n := b.Frames()
	for pos := 0; pos < n; pos += BlockSize {
		k := min(BlockSize, n-pos)
		fr := &frame.Frame{Header: frame.Header{HasFixedBlockSize: true, BlockSize: uint16(k),
			SampleRate: frameRate(f.SampleRate), Channels: frame.Channels(f.Channels - 1), BitsPerSample: uint8(f.BitDepth)}}
		for c := range f.Channels {
			s := make([]int32, k)
			for i, v := range b.Data[c][pos : pos+k] {
				s[i] = pcm.Quantize(v, f.BitDepth)
			}
			fr.Subframes = append(fr.Subframes, &frame.Subframe{SubHeader: frame.SubHeader{Pred: frame.PredVerbatim}, Samples: s, NSamples: k})
		}
		if err := enc.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	var bs [4]byte
	binary.BigEndian.PutUint16(bs[0:], BlockSize)
	binary.BigEndian.PutUint16(bs[2:], BlockSize)
	if err := sb.writeAt(8, bs[:]); err != nil {
		t.Fatal(err)
	}
	sb.b.Flush()
	return out.b
}

// TestFramesMatchLibrary: the encoder writes exactly the bytes the library
// wrote, on signals that take every kind of subframe (constant, verbatim,
// fixed of every order), short last blocks, every depth, mono to 8
// channels and rates coded in the frame header every way.
func TestFramesMatchLibrary(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	signals := map[string]func(i, c int) float32{
		"silence": func(i, c int) float32 { return 0 },
		"dc":      func(i, c int) float32 { return 0.25 },
		"noise":   func(i, c int) float32 { return float32(rng.Float64()*2 - 1) },
		"tone":    func(i, c int) float32 { return float32(0.5 * math.Sin(float64(i)*0.01*float64(c+1))) },
		"clipped": func(i, c int) float32 { return float32(3 * math.Sin(float64(i)*0.002)) },
		"steps":   func(i, c int) float32 { return float32((i/1000)%3) / 4 },
		"mixed": func(i, c int) float32 {
			if (i/4096)%2 == 0 {
				return 0
			}
			return float32(0.3*math.Sin(float64(i)*0.05)) + float32(rng.Float64()*1e-4)
		},
	}
	formats := []audio.Format{
		{SampleRate: 48000, Channels: 2, BitDepth: 24},
		{SampleRate: 44100, Channels: 2, BitDepth: 16},
		{SampleRate: 96000, Channels: 1, BitDepth: 24},
		{SampleRate: 11025, Channels: 8, BitDepth: 16},
		{SampleRate: 37000, Channels: 3, BitDepth: 24},
		{SampleRate: 400000, Channels: 2, BitDepth: 16},
	}
	for name, sig := range signals {
		for _, f := range formats {
			f.SampleFormat = audio.Int
			for _, frames := range []int{0, 1, 2, 191, 4096, 3*4096 + 17} {
				b := audio.NewBuffer(f.Channels, frames)
				for c := range b.Data {
					for i := range b.Data[c] {
						b.Data[c][i] = sig(i, c)
					}
				}
				want := libraryEncode(t, b, f)
				out := &memFile{}
				e, err := NewEncoder(out, f)
				if err != nil {
					t.Fatal(err)
				}
				// Written in uneven pieces, as the engine's stages hand them.
				for pos := 0; pos < frames; {
					k := min(frames-pos, 1000+pos%777)
					v := &audio.Buffer{Data: make([][]float32, f.Channels)}
					for c := range v.Data {
						v.Data[c] = b.Data[c][pos : pos+k]
					}
					if err := e.Write(v); err != nil {
						t.Fatal(err)
					}
					pos += k
				}
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.b, want) {
					i := 0
					for i < min(len(out.b), len(want)) && out.b[i] == want[i] {
						i++
					}
					t.Errorf("%s, %d Hz %d ch %d-bit, %d frames: %d bytes, the library %d; first difference at byte %d",
						name, f.SampleRate, f.Channels, f.BitDepth, frames, len(out.b), len(want), i)
				}
			}
		}
	}
}
