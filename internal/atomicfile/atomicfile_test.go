//go:build unix

package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"stemmaster/internal/testkit"
)

// TestWriteFileHonoursUmaskAndReplacesWhole runs alone, not in parallel:
// the umask it sets is the whole process's.
func TestWriteFileHonoursUmaskAndReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new content")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "new content" {
		t.Errorf("content %q", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v under umask 027, want 0640", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries left, want only the file", len(ents))
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "main.wav")
	f := create(t, path)
	if !IsTemp(filepath.Base(f.TempPath()), "main.wav") {
		t.Errorf("temporary name %s not recognised", f.TempPath())
	}
	f.Write([]byte("partial"))
	if err := f.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("final name exists before Commit: %v", err)
	}
	f.Abort()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("abort left %v", ents)
	}
}

func TestIsTemp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, final string
		want        bool
	}{
		{".main.wav.123.tmp", "main.wav", true},
		{".main.wav.123.tmp", "", true},
		{".main.wav.12a.tmp", "main.wav", false},
		{".main.wav..tmp", "main.wav", false},
		{"main.wav.123.tmp", "main.wav", false},
		{".main.wav.123.tmp", "other.wav", false},
	} {
		if got := IsTemp(tc.name, tc.final); got != tc.want {
			t.Errorf("IsTemp(%q, %q) = %v", tc.name, tc.final, got)
		}
	}
}

// TestBeforeSync: what BeforeSync writes is part of the committed file; when
// it fails, Finish fails with its error, the temporary file is gone and
// nothing appears under the final name.
func TestBeforeSync(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.wav")
	f := create(t, ok)
	f.BeforeSync = func() error { _, err := f.WriteString(" trailer"); return err }
	if _, err := f.WriteString("body"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(ok); err != nil || string(b) != "body trailer" {
		t.Errorf("committed %q, %v; want %q", b, err, "body trailer")
	}

	bad := filepath.Join(dir, "bad.wav")
	g := create(t, bad)
	boom := errors.New("encoder failed")
	g.BeforeSync = func() error { return boom }
	if err := g.Finish(); !errors.Is(err, boom) {
		t.Errorf("Finish = %v, want %v", err, boom)
	}
	if err := g.Commit(); err != nil {
		t.Errorf("Commit after a failed Finish = %v, want nil (nothing to do)", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "ok.wav" {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

// TestWritebackKeepsContent writes more than two writeback thresholds in
// uneven pieces, seeks back to patch the start (as the audio encoders
// patch their headers) and checks that the committed file holds exactly
// what was written, and that an aborted one with writeback running is
// removed.
func TestWritebackKeepsContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "big.bin")
	want := make([]byte, 2*writebackBytes+12345)
	for i := range want {
		want[i] = byte(i*7 + i>>13)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(want); {
		n := min(len(want)-off, 100_003)
		if _, err := f.Write(want[off : off+n]); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if f.wb.kick == nil {
		t.Fatal("no writeback started after more than twice the threshold")
	}
	copy(want, "HEADER")
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("HEADER")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, path); !bytes.Equal(got, want) {
		t.Fatalf("the file holds %d bytes that differ from the %d written", len(got), len(want))
	}

	g, err := Create(filepath.Join(dir, "aborted.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Write(want); err != nil {
		t.Fatal(err)
	}
	g.Abort()
	testkit.DirHolds(t, dir, "big.bin") // the aborted file left nothing
}

// create starts the atomic file path, failing the test on an error.
func create(t *testing.T, path string) *File {
	t.Helper()
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLockDir: a directory held by one writer is refused to a second with
// ErrLocked, released by unlock, and holds no file of the lock's.
func TestLockDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(dir); !errors.Is(err, ErrLocked) {
		t.Errorf("second lock: %v, want ErrLocked", err)
	}
	testkit.DirHolds(t, dir)
	unlock()
	again, err := LockDir(dir)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()
	if _, err := LockDir(filepath.Join(dir, "absent")); err == nil {
		t.Error("a missing directory was locked")
	}
}
