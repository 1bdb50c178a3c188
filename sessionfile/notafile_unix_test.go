//go:build unix

package sessionfile

import (
	"errors"
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
