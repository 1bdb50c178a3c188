package aiff

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

// gridPCM is noise on the grid of bits-bit integers, which a file of that
// depth holds exactly.
func gridPCM(seed uint64, channels, frames, bits int) *audio.Buffer {
	rng := rand.New(rand.NewPCG(seed, 0))
	b := audio.NewBuffer(channels, frames)
	full := int64(1) << (bits - 1)
	for _, ch := range b.Data {
		for i := range ch {
			v := rng.Int64N(2*full) - full
			if bits == 32 {
				v = v >> 8 << 8 // float32 holds 24 significant bits
			}
			ch[i] = float32(float64(v) / float64(full))
		}
	}
	return b
}

// TestEncoderRoundTrip: what Encoder writes reads back through this
// package's decoder sample for sample, with the header's rate, channels,
// depth and frame count, at the delivery rates (44.1, 48, 88.2, 96, 192
// kHz: the 80-bit rate field exact), and a pad byte after an odd-sized
// sound chunk.
func TestEncoderRoundTrip(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{16, 24, 32} {
		for _, ch := range []int{1, 2} {
			for _, rate := range []int{44100, 48000, 88200, 96000, 192000} {
				f := audio.Format{SampleRate: rate, Channels: ch, BitDepth: bits, SampleFormat: audio.Int}
				t.Run(f.String(), func(t *testing.T) {
					want := gridPCM(uint64(bits*10+ch), ch, 1001, bits) // odd: 24-bit mono needs the pad byte
					file := codectest.Encode(t, NewEncoder, f, want, 333)
					if len(file)%2 != 0 {
						t.Errorf("file of odd length %d: pad byte missing", len(file))
					}
					d, err := Decode(bytes.NewReader(file))
					if err != nil {
						t.Fatal(err)
					}
					if wantInfo := (audio.Info{Container: "aiff", Format: f, Frames: 1001}); d.Info() != wantInfo {
						t.Errorf("Info = %+v, want %+v", d.Info(), wantInfo)
					}
					codectest.ReadEqual(t, d, 100, want)
				})
			}
		}
	}
	codectest.Rejects(t, NewEncoder,
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, // AIFF-C
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 8, SampleFormat: audio.Int},
		audio.Format{SampleRate: 48000, Channels: 0, BitDepth: 16, SampleFormat: audio.Int})
}

// TestToolsReadOurFiles: ffmpeg and sox decode what Encoder writes to the
// samples written. Skips when a tool is missing.
func TestToolsReadOurFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tool := range []string{"ffmpeg", "sox"} {
		codectest.NeedTool(t, tool)
		for _, bits := range []int{16, 24} {
			f := audio.Format{SampleRate: 44100, Channels: 2, BitDepth: bits, SampleFormat: audio.Int}
			want := gridPCM(uint64(bits), 2, 4410, bits)
			path := filepath.Join(dir, fmt.Sprintf("%s%d.aiff", tool, bits))
			if err := os.WriteFile(path, codectest.Encode(t, NewEncoder, f, want, 1000), 0o644); err != nil {
				t.Fatal(err)
			}
			var flat []float32
			for i := range want.Frames() {
				flat = append(flat, want.Data[0][i], want.Data[1][i])
			}
			codectest.CompareSamples(t, fmt.Sprintf("%s, %d-bit", tool, bits), codectest.ToolDecode(t, tool, path), flat, 0)
		}
	}
}

// TestWriteDoesNotAllocate: a deliverable is written block by block with
// no allocation per block.
func TestWriteDoesNotAllocate(t *testing.T) {
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	e, err := NewEncoder(&codectest.Discard{}, f)
	if err != nil {
		t.Fatal(err)
	}
	buf := gridPCM(1, 2, 4096, 24)
	allocs := testing.AllocsPerRun(50, func() {
		if err := e.Write(buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Write, want 0", allocs)
	}
}
