package audiotest

import (
	"io"
	"testing"

	"stemmaster/audio"
)

// The file helpers go through audio.Open and audio.Create, so the codec of
// the file must be registered by the test's imports (as
// _ "stemmaster/audio/wav").

// ReadFile decodes the whole audio file at path and returns its samples and
// Info. It fails the test on any error.
func ReadFile(t testing.TB, path string) (*audio.Buffer, audio.Info) {
	t.Helper()
	f, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info := f.Info()
	out := audio.NewBuffer(info.Format.Channels, 0)
	buf := audio.NewBuffer(info.Format.Channels, 8192)
	for {
		n, err := f.Read(buf)
		for c := range out.Data {
			out.Data[c] = append(out.Data[c], buf.Data[c][:n]...)
		}
		if err == io.EOF {
			return out, info
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// WriteFile writes b to path in the given container and format with
// audio.Create (atomically: an aborted file leaves nothing behind). It
// fails the test on any error.
func WriteFile(t testing.TB, path, container string, f audio.Format, b *audio.Buffer) {
	t.Helper()
	if err := Write(path, container, f, b); err != nil {
		t.Fatal(err)
	}
}

// Write is WriteFile for code without a testing.TB (examples, tools): it
// returns the error.
func Write(path, container string, f audio.Format, b *audio.Buffer) error {
	w, err := audio.Create(path, container, f)
	if err != nil {
		return err
	}
	if err := w.Write(b); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}
