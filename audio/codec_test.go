package audio

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// nullWriter is a Writer that discards samples: enough to exercise Create's
// file handling without a real codec.
type nullWriter struct{ f Format }

func (w *nullWriter) Write(src *Buffer) error { return nil }
func (w *nullWriter) Close() error            { return nil }

func init() {
	Register(Codec{
		Name:       "qa-null",
		Match:      func([]byte) bool { return false },
		Decode:     func(io.ReadSeeker) (Reader, error) { return nil, ErrUnsupported },
		DecodeInfo: func(io.ReadSeeker) (Info, error) { return Info{}, ErrUnsupported },
		Encode: func(w io.WriteSeeker, f Format) (Writer, error) {
			_, err := w.Write([]byte("qa"))
			return &nullWriter{f: f}, err
		},
	})
}

// TestCreateFileMode: a file written through Create is readable by others
// (0644), not left at os.CreateTemp's 0600 — regression for masters delivered
// unreadable to a web server or a colleague.
func TestCreateFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.wav")
	fw, err := Create(path, "qa-null", Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: Int})
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != OutputFileMode {
		t.Errorf("mode of %s = %v, want %v", path, got, OutputFileMode)
	}
}
