package aiff

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// TestWeReadToolFiles: AIFF and AIFF-C files written by ffmpeg and sox
// decode in stemmaster to exactly what ffmpeg decodes them to. Skips when
// a tool is missing (Debian: apt-get install ffmpeg sox).
func TestWeReadToolFiles(t *testing.T) {
	t.Parallel()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed: skipping AIFF interoperability test (apt-get install ffmpeg)")
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "in.f32")
	sig := audiotest.WhiteNoise(9, 2, 24000, -3)
	var rawBytes []byte
	for i := range sig.Frames() {
		for c := range sig.Data {
			rawBytes = binary.LittleEndian.AppendUint32(rawBytes, math.Float32bits(sig.Data[c][i]))
		}
	}
	if err := os.WriteFile(raw, rawBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tool   string
		args   []string
		ext    string
		format audio.Format
	}{
		{"ffmpeg", []string{"-c:a", "pcm_s16be"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}},
		{"ffmpeg", []string{"-c:a", "pcm_s24be"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}},
		{"ffmpeg", []string{"-c:a", "pcm_s32be"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int}},
		{"ffmpeg", []string{"-c:a", "pcm_s16le"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}},   // AIFF-C sowt
		{"ffmpeg", []string{"-c:a", "pcm_f32be"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}}, // AIFF-C fl32
		{"ffmpeg", []string{"-c:a", "pcm_f64be"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 64, SampleFormat: audio.Float}}, // AIFF-C fl64
		{"ffmpeg", []string{"-c:a", "pcm_s24be", "-ar", "44100"}, "aiff", audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}},
		{"sox", []string{"-b", "16"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}},
		{"sox", []string{"-b", "24"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}},
		{"sox", []string{"-b", "32", "-e", "signed-integer"}, "aiff", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int}},
		{"sox", []string{"-b", "32", "-e", "floating-point"}, "aifc", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}},
		{"sox", []string{"-b", "16"}, "aifc", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s %v %s", tc.tool, tc.args, tc.ext), func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("t%d.%s", i, tc.ext))
			var cmd *exec.Cmd
			if tc.tool == "ffmpeg" {
				args := append([]string{"-v", "error", "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", raw}, tc.args...)
				cmd = exec.Command(ffmpeg, append(args, "-y", path)...)
			} else {
				sox, err := exec.LookPath("sox")
				if err != nil {
					t.Skip("sox not installed: skipping (apt-get install sox)")
				}
				args := append([]string{"-V1", "-D", "-r", "48000", "-c", "2", "-t", "f32", "-L", raw}, tc.args...)
				cmd = exec.Command(sox, append(args, path)...)
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
			}
			f, err := audio.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Info().Container != "aiff" || f.Info().Format != tc.format {
				t.Errorf("Info = %+v, want aiff %v", f.Info(), tc.format)
			}
			got, err := codectest.ReadAll(t, f, 4096)
			if err != nil {
				t.Fatal(err)
			}
			if f.Info().Frames != int64(got.Frames()) {
				t.Errorf("Info.Frames = %d, read %d", f.Info().Frames, got.Frames())
			}
			var stderr bytes.Buffer
			dec := exec.Command(ffmpeg, "-v", "error", "-i", path, "-f", "f32le", "-c:a", "pcm_f32le", "-")
			dec.Stderr = &stderr
			out, err := dec.Output()
			if err != nil {
				t.Fatalf("ffmpeg decode: %v\n%s", err, stderr.String())
			}
			if len(out) != 4*got.Frames()*got.Channels() {
				t.Fatalf("ffmpeg decoded %d samples, we %d frames", len(out)/4, got.Frames())
			}
			for i := range got.Frames() {
				for c := range got.Data {
					want := math.Float32frombits(binary.LittleEndian.Uint32(out[4*(i*got.Channels()+c):]))
					if got.Data[c][i] != want {
						t.Fatalf("frame %d ch %d = %v, ffmpeg %v", i, c, got.Data[c][i], want)
					}
				}
			}
		})
	}
}
