// Package testkit holds the chores the tests of many packages share:
// writing bytes under a test's directory, reading a file back, making a
// folder, reading or rewriting a golden file, checking that files were or
// were not written, sending a logger's
// or a child process's output to the test log, building a command once
// to start it as a server or worker until it says it is ready, and holding
// the elements past an assembly kernel's output to a known value. Each helper
// fails the test on an error, so a test reads as what it checks. It
// imports the standard library only (docs/architecture.md); audio
// fixtures live in internal/audiotest.
package testkit

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// WriteFile writes data to dir/name (mode 0644) and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteSparse writes head to dir/name and extends the file to size bytes
// with a hole (zeros that take no disk), for a file as long as a huge
// input is, at no cost; it returns the path.
func WriteSparse(t testing.TB, dir, name string, head []byte, size int64) string {
	t.Helper()
	path := WriteFile(t, dir, name, head)
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	return path
}

// ReadFile returns the bytes of the file at path.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden returns the golden file testdata/name of the package under test,
// after rewriting it with got when update is set (the -update flag of a
// golden test; written whole through a temporary file). The caller
// compares and says what differs.
func Golden(t testing.TB, name string, got []byte, update bool) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".tmp", got, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	return want
}

// Mkdir makes dir/name, with any missing parents, and returns its path.
func Mkdir(t testing.TB, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// Exist reports an error for each of the names (relative to dir) that is
// not there.
func Exist(t testing.TB, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Error(err)
		}
	}
}

// Absent reports an error when path exists, or when asking fails for any
// reason other than its absence.
func Absent(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s: want no file there (stat: %v)", path, err)
	}
}

// DirHolds reports an error unless dir holds exactly the entries named
// (none when no name is given): a writer left no temporary file behind and
// wrote everything it should.
func DirHolds(t testing.TB, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(ents))
	for i, e := range ents {
		got[i] = e.Name()
	}
	want := slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) { // ReadDir sorts by name
		t.Errorf("%s holds [%s], want [%s]", dir, strings.Join(got, " "), strings.Join(want, " "))
	}
}

// LogWriter returns a writer that sends each write, less its trailing
// newlines, to the test log (seen with -v or when the test fails): the
// output of a logger or of a child process.
func LogWriter(t testing.TB) io.Writer { return logWriter{t} }

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
