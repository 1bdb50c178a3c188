package aiff

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

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
					want := codectest.Grid(uint64(bits*10+ch), f, 1001) // odd: 24-bit mono needs the pad byte
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
			want := codectest.Grid(uint64(bits), f, 4410)
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
	codectest.WritesWithoutAllocating(t, NewEncoder, audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 4096)
}
