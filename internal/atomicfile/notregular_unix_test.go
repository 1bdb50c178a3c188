//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNotRegularIsLeftAlone holds that a path naming a named pipe, a
// directory or a device is refused and stays what it was: renamed over, a
// device such as /dev/null would become a regular file.
func TestNotRegularIsLeftAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	paths := map[string]os.FileMode{fifo: os.ModeNamedPipe, sub: os.ModeDir, link: os.ModeSymlink}
	// A character device can be made only as root; /dev/null is the case
	// the check exists for, made here as a node of our own.
	null := filepath.Join(dir, "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		paths[null] = os.ModeCharDevice
	}
	for path, was := range paths {
		err := WriteFile(path, []byte("data"))
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Path != path {
			t.Errorf("WriteFile(%s) = %v, want a *NotRegularError naming it", path, err)
		}
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if fi.Mode().Type()&was == 0 {
			t.Errorf("%s is now %v, was %v", path, fi.Mode().Type(), was)
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != len(paths) {
		t.Errorf("%d entries in the directory, want the %d made: a temporary file was left", len(left), len(paths))
	}
}
