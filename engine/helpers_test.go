package engine

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/flac"
	_ "stemmaster/audio/wav"
)

// francium returns the shared francium stem directory, or skips the test.
func francium(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the working directory")
		}
		dir = parent
	}
	fr := filepath.Join(dir, "..", "shared", "testdata", "francium")
	if _, err := os.Stat(filepath.Join(fr, "mix.wav")); err != nil {
		t.Skipf("francium stems absent (%s): %v", fr, err)
	}
	return fr
}

// franciumStems are the five stems of the shared test set.
var franciumStems = []string{"lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"}

// readAll decodes a whole file.
func readAll(t testing.TB, path string) (*audio.Buffer, audio.Info) {
	t.Helper()
	f, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info := f.Info()
	ch := info.Format.Channels
	out := audio.NewBuffer(ch, int(info.Frames))
	blk := audio.NewBuffer(ch, 8192)
	pos := 0
	for {
		blk.SetFrames(8192)
		n, err := f.Read(blk)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for c := range blk.Data {
			copy(out.Data[c][pos:], blk.Data[c][:n])
		}
		pos += n
	}
	if pos != int(info.Frames) {
		t.Fatalf("%s: read %d of %d frames", path, pos, info.Frames)
	}
	return out, info
}

// writeWAV writes b as a WAV file of the given format.
func writeWAV(t testing.TB, path string, b *audio.Buffer, rate, bits int, float bool) {
	t.Helper()
	f := audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: bits, SampleFormat: audio.Int}
	if float {
		f.SampleFormat = audio.Float
	}
	w, err := audio.Create(path, "wav", f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(b); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
