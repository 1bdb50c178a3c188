package audio

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/internal/atomicfile"
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
// (0644), not left at os.CreateTemp's 0600: a master must be readable by
// a web server or a colleague.
func TestCreateFileMode(t *testing.T) {
	t.Parallel()
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

// TestFileWriterTwoPhase: Finish keeps the finished file under its
// temporary name (nothing appears under the final name, an older file
// there stays as it was) until Commit renames it; Abort after Finish
// removes the temporary file and leaves the older file alone.
func TestFileWriterTwoPhase(t *testing.T) {
	t.Parallel()
	f := Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: Int}
	const old = "previous render"
	tests := []struct {
		name   string
		commit bool
		want   string // content under the final name afterwards
	}{
		{"commit replaces", true, "qa"}, // "qa" is what the qa-null encoder writes
		{"abort keeps the old file", false, old},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "main.wav")
			if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
				t.Fatal(err)
			}
			fw, err := Create(path, "qa-null", f)
			if err != nil {
				t.Fatal(err)
			}
			if err := fw.Finish(); err != nil {
				t.Fatal(err)
			}
			tmp := fw.TempPath()
			if got, err := os.ReadFile(tmp); err != nil || string(got) != "qa" {
				t.Fatalf("temporary file after Finish: %q, %v", got, err)
			}
			if !atomicfile.IsTemp(filepath.Base(tmp), "main.wav") {
				t.Errorf("temporary name %s is not one of main.wav's (atomicfile.IsTemp)", tmp)
			}
			if got, _ := os.ReadFile(path); string(got) != old {
				t.Fatalf("Finish touched the final name: %q", got)
			}
			if tc.commit {
				if err := fw.Commit(); err != nil {
					t.Fatal(err)
				}
			} else {
				fw.Abort()
			}
			fw.Abort() // harmless after Commit or Abort
			if got, _ := os.ReadFile(path); string(got) != tc.want {
				t.Errorf("final file holds %q, want %q", got, tc.want)
			}
			if _, err := os.Stat(tmp); !os.IsNotExist(err) {
				t.Errorf("temporary file still there: %v", err)
			}
		})
	}
}
