package aiff

import (
	"fmt"
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
	codectest.NeedTool(t, "ffmpeg") // the oracle
	dir := t.TempDir()
	raw := filepath.Join(dir, "in.f32")
	codectest.WriteRaw(t, raw, audiotest.WhiteNoise(9, 2, 24000, -3))
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
			codectest.ToolWrite(t, tc.tool, raw, path, tc.args...)
			info, got := codectest.DecodeFile(t, path)
			if info.Container != "aiff" || info.Format != tc.format {
				t.Errorf("Info = %+v, want aiff %v", info, tc.format)
			}
			if want := int64(len(got) / tc.format.Channels); info.Frames != want {
				t.Errorf("Info.Frames = %d, read %d", info.Frames, want)
			}
			codectest.CompareSamples(t, "ffmpeg", got, codectest.ToolDecode(t, "ffmpeg", path), 0)
		})
	}
}
