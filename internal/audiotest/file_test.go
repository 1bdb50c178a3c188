package audiotest

import (
	"path/filepath"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
)

// TestWriteReadFile writes a 32-bit float WAV, which holds float32 samples
// exactly, and checks that ReadFile returns the same samples and format.
func TestWriteReadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.wav")
	f := audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}
	want := WhiteNoise(1, 2, 20000, -1) // more than one 8192-frame read
	WriteFile(t, path, "wav", f, want)
	got, info := ReadFile(t, path)
	if info.Format != f || info.Frames != int64(want.Frames()) || got.Frames() != want.Frames() {
		t.Fatalf("read %d frames, info %+v; want format %+v and %d frames", got.Frames(), info, f, want.Frames())
	}
	for c := range want.Data {
		for i, w := range want.Data[c] {
			if got.Data[c][i] != w {
				t.Fatalf("channel %d frame %d = %v, want %v", c, i, got.Data[c][i], w)
			}
		}
	}
}
