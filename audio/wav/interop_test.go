package wav

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// soxTol is the error of sox's float32 output for files of more than 24
// bits (32-bit int, float): sox holds samples as int32 and rounds them to a
// multiple of 128 before converting (SOX_SAMPLE_TO_FLOAT_32BIT in sox.h),
// i.e. to a grid of 2^-24 of full scale.
const soxTol = 1.0 / (1 << 24)

// testSignal is 0.5 s of stereo music-like material within ±1.
func testSignal(channels int) *audio.Buffer {
	return audiotest.Add(audiotest.Sine(48000, channels, 24000, 997, -6, 0), audiotest.WhiteNoise(5, channels, 24000, -9))
}

// TestToolsReadOurFiles: files stemmaster writes decode identically in
// ffmpeg and sox.
func TestToolsReadOurFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, rf := range roundTripFormats {
		for _, ch := range []int{1, 2, 6} {
			f := audio.Format{SampleRate: 48000, Channels: ch, BitDepth: rf.bits, SampleFormat: rf.sf}
			t.Run(f.String(), func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(dir, fmt.Sprintf("ours-%d-%d-%s.wav", ch, rf.bits, rf.sf))
				audiotest.WriteFile(t, path, "wav", f, testSignal(ch))
				_, ours := codectest.DecodeFile(t, path)
				// ffmpeg converts every PCM layout to float exactly.
				codectest.CompareSamples(t, "ffmpeg", codectest.ToolDecode(t, "ffmpeg", path), ours, 0)
				tol := 0.0
				if rf.bits >= 32 {
					tol = soxTol
				}
				codectest.CompareSamples(t, "sox", codectest.ToolDecode(t, "sox", path), ours, tol)
			})
		}
	}
}

// TestWeReadToolFiles: files ffmpeg and sox write — plain, EXTENSIBLE,
// RF64, BWF — decode in stemmaster to what the tool itself decodes.
func TestWeReadToolFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	raw := filepath.Join(dir, "in.f32")
	codectest.WriteRaw(t, raw, testSignal(2))
	tests := []struct {
		name      string
		tool      string
		args      []string // output options before the file name
		container string
		format    audio.Format
		timeRef   int64 // expected bext time reference; 0 = none
		tol       float64
	}{
		{"ffmpeg s16", "ffmpeg", []string{"-c:a", "pcm_s16le"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg s24 (EXTENSIBLE)", "ffmpeg", []string{"-c:a", "pcm_s24le"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg s32", "ffmpeg", []string{"-c:a", "pcm_s32le"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg u8", "ffmpeg", []string{"-c:a", "pcm_u8"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 8, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg f32", "ffmpeg", []string{"-c:a", "pcm_f32le"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, 0, 0},
		{"ffmpeg f64", "ffmpeg", []string{"-c:a", "pcm_f64le"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 64, SampleFormat: audio.Float}, 0, 0},
		{"ffmpeg 96 kHz s24", "ffmpeg", []string{"-c:a", "pcm_s24le", "-ar", "96000"}, "wav", audio.Format{SampleRate: 96000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg 5.1 s16", "ffmpeg", []string{"-c:a", "pcm_s16le", "-af", "pan=5.1|c0=c0|c1=c1|c2=c0|c3=c1|c4=c0|c5=c1"}, "wav", audio.Format{SampleRate: 48000, Channels: 6, BitDepth: 16, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg RF64 s24", "ffmpeg", []string{"-c:a", "pcm_s24le", "-rf64", "always"}, "rf64", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 0, 0},
		{"ffmpeg RF64 f32", "ffmpeg", []string{"-c:a", "pcm_f32le", "-rf64", "always"}, "rf64", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, 0, 0},
		{"ffmpeg BWF bext", "ffmpeg", []string{"-c:a", "pcm_s24le", "-write_bext", "1", "-metadata", "time_reference=172800000"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 172800000, 0},
		{"sox 16-bit", "sox", []string{"-b", "16", "-e", "signed-integer"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, 0, 0},
		{"sox 24-bit (EXTENSIBLE)", "sox", []string{"-b", "24", "-e", "signed-integer"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 0, 0},
		{"sox 32-bit int", "sox", []string{"-b", "32", "-e", "signed-integer"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Int}, 0, soxTol},
		{"sox 8-bit", "sox", []string{"-b", "8", "-e", "unsigned-integer"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 8, SampleFormat: audio.Int}, 0, 0},
		{"sox float", "sox", []string{"-b", "32", "-e", "floating-point"}, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, 0, soxTol},
		{"sox 4 channels 24-bit", "sox", []string{"-b", "24", "-e", "signed-integer", "-c", "4"}, "wav", audio.Format{SampleRate: 48000, Channels: 4, BitDepth: 24, SampleFormat: audio.Int}, 0, 0},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, fmt.Sprintf("tool-%d.wav", i))
			codectest.ToolWrite(t, tc.tool, raw, path, tc.args...)
			info, ours := codectest.DecodeFile(t, path)
			if info.Container != tc.container || info.Format != tc.format || info.HasTimeReference != (tc.timeRef != 0) || info.TimeReference != tc.timeRef {
				t.Errorf("Info = %+v, want container %s, %v, time reference %d", info, tc.container, tc.format, tc.timeRef)
			}
			if want := int64(len(ours) / tc.format.Channels); info.Frames != want {
				t.Errorf("Info.Frames = %d, read %d", info.Frames, want)
			}
			oracle := tc.tool
			if tc.tool == "sox" && tc.tol > 0 {
				oracle = "ffmpeg" // exact beyond 24 bits, where sox's own decoder is not
				if _, err := exec.LookPath("ffmpeg"); err != nil {
					oracle = "sox"
				}
			}
			tol := 0.0
			if oracle == "sox" {
				tol = tc.tol
			}
			codectest.CompareSamples(t, oracle, ours, codectest.ToolDecode(t, oracle, path), tol)
		})
	}
}

// TestSoxAcceptsOurHeaders: sox reads every layout we write without a
// warning: a float file's fmt chunk must carry cbSize (18 bytes, not 16),
// as the WAVEFORMATEX rules ask of non-PCM formats, or sox reports "wave
// header missing extended part of fmt chunk".
// Mono and stereo only: sox 14.4 prints that warning for every
// WAVE_FORMAT_EXTENSIBLE float file, ffmpeg's included.
func TestSoxAcceptsOurHeaders(t *testing.T) {
	t.Parallel()
	sox := codectest.NeedTool(t, "sox")
	dir := t.TempDir()
	for _, rf := range roundTripFormats {
		for _, ch := range []int{1, 2} {
			f := audio.Format{SampleRate: 48000, Channels: ch, BitDepth: rf.bits, SampleFormat: rf.sf}
			t.Run(f.String(), func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(dir, fmt.Sprintf("hdr-%d-%d-%s.wav", ch, rf.bits, rf.sf))
				audiotest.WriteFile(t, path, "wav", f, testSignal(ch))
				out, err := exec.Command(sox, "-V2", path, "-n").CombinedOutput()
				if err != nil || bytes.Contains(out, []byte("WARN")) {
					t.Errorf("sox on %s: %v\n%s", path, err, out)
				}
			})
		}
	}
}
