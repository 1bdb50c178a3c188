//go:build unix

package sessionfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"stemmaster"
)

// TestStemThatIsNotAFile: a stem that is a named pipe is refused by name
// before anything opens it (opening it blocked until something wrote to
// it: `master` hung), as a directory is.
func TestStemThatIsNotAFile(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "s.yaml", "stems:\n  - file: vox.wav\n  - file: pipe.wav\n  - file: sub\n")
	dir := filepath.Dir(p)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.wav"), 0o644); err != nil {
		t.Skip("cannot make a named pipe here:", err)
	}
	if err := syscall.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	ses := stemmaster.SessionErrors(err)
	if len(ses) != 2 || ses[0].Field != "stems[1].file" || !strings.Contains(ses[0].Problem, "is a named pipe") ||
		ses[1].Field != "stems[2].file" || !strings.Contains(ses[1].Problem, "is a directory") {
		t.Fatalf("Load: %v, want stems[1] named a named pipe and stems[2] a directory", err)
	}
	var se *stemmaster.SessionError
	if !errors.As(err, &se) || se.ErrKind() != stemmaster.ErrFileUnusable {
		t.Errorf("kind %v, want file_unusable", se)
	}
	if e := NotAFileError(filepath.Join(dir, "pipe.wav")); e == nil || !strings.Contains(e.Error(), "pipe.wav is a named pipe, not an audio file") {
		t.Errorf("NotAFileError: %v", e)
	}
	if e := NotAFileError(filepath.Join(dir, "vox.wav")); e != nil {
		t.Errorf("a regular file: %v", e)
	}
}

// TestLoadFromNamedPipe: a session handed over through a pipe, as
// `stemmaster master -s <(generate)` does, is read (only a device or a
// directory is refused), relative paths resolving against its directory.
func TestLoadFromNamedPipe(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "unused.yaml", "")
	fifo := filepath.Join(filepath.Dir(p), "s.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a named pipe here:", err)
	}
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.WriteString("stems:\n  - file: vox.wav\n")
			f.Close()
		}
	}()
	s, err := Load(fifo)
	if err != nil || len(s.Stems) != 1 || s.Stems[0].File != "vox.wav" {
		t.Fatalf("Load from a named pipe: %+v, %v", s, err)
	}
}
