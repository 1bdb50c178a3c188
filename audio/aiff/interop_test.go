package aiff

import (
	"fmt"
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
	ffmpeg := codectest.NeedTool(t, "ffmpeg")
	dir := t.TempDir()
	raw := filepath.Join(dir, "in.f32")
	if err := os.WriteFile(raw, codectest.RawF32(audiotest.WhiteNoise(9, 2, 24000, -3)), 0o644); err != nil {
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
			t.Parallel()
			path := filepath.Join(dir, fmt.Sprintf("t%d.%s", i, tc.ext))
			var cmd *exec.Cmd
			if tc.tool == "ffmpeg" {
				args := append([]string{"-v", "error", "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", raw}, tc.args...)
				cmd = exec.Command(ffmpeg, append(args, "-y", path)...)
			} else {
				sox := codectest.NeedTool(t, "sox")
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
			got, err := audiotest.ReadAll(t, f, 4096)
			if err != nil {
				t.Fatal(err)
			}
			if f.Info().Frames != int64(got.Frames()) {
				t.Errorf("Info.Frames = %d, read %d", f.Info().Frames, got.Frames())
			}
			codectest.CompareSamples(t, "ffmpeg", codectest.Interleave(got), codectest.ToolDecode(t, "ffmpeg", path), 0)
		})
	}
}
