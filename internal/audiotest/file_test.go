package audiotest

import (
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
)

// TestWriteReadFile writes a 32-bit float WAV (WriteFloatWAV, through
// WriteFile), which holds float32 samples exactly, and checks that ReadFile,
// and Decode on the file's bytes, return the same samples and format.
func TestWriteReadFile(t *testing.T) {
	t.Parallel()
	f := audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}
	want := WhiteNoise(1, 2, 20000, -1) // more than one 8192-frame read
	path := WriteFloatWAV(t, t.TempDir(), "x.wav", want, 44100)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, read := range []struct {
		name string
		do   func() (*audio.Buffer, audio.Info)
	}{
		{"ReadFile", func() (*audio.Buffer, audio.Info) { return ReadFile(t, path) }},
		{"Decode", func() (*audio.Buffer, audio.Info) { return Decode(t, data) }},
	} {
		got, info := read.do()
		if info.Format != f || info.Frames != int64(want.Frames()) || got.Frames() != want.Frames() {
			t.Fatalf("%s: read %d frames, info %+v; want format %+v and %d frames", read.name, got.Frames(), info, f, want.Frames())
		}
		SameSamples(t, got, want, read.name+" of what was written")
	}
}

// TestWriteWAV: WriteWAV writes integer samples at the rate and depth
// asked, in a file named as asked, that read back within half a step.
func TestWriteWAV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := Sine(44100, 1, 1000, 997, -6, 0)
	path := WriteWAV(t, dir, "tone.wav", want, 44100, 16)
	if path != filepath.Join(dir, "tone.wav") {
		t.Errorf("path %s, want tone.wav in %s", path, dir)
	}
	got, info := ReadFile(t, path)
	if f := (audio.Format{SampleRate: 44100, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}); info.Format != f || got.Frames() != 1000 {
		t.Fatalf("read %d frames as %+v, want 1000 as %+v", got.Frames(), info.Format, f)
	}
	for i, w := range want.Data[0] {
		if d := float64(got.Data[0][i] - w); d > 0.5/32768 || d < -0.5/32768 {
			t.Fatalf("frame %d = %v, want %v within half a 16-bit step", i, got.Data[0][i], w)
		}
	}
}
