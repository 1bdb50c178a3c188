package testkit

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// recorder is a testing.TB that notes a failure instead of failing the
// test around it.
type recorder struct {
	testing.TB
	failed bool
	logs   []string
}

func (r *recorder) Log(args ...any) { r.logs = append(r.logs, fmt.Sprint(args...)) }

func (r *recorder) Helper()                        {}
func (r *recorder) Error(args ...any)              { r.failed = true }
func (r *recorder) Errorf(format string, a ...any) { r.failed = true }
func (r *recorder) Fatal(args ...any)              { r.failed = true; runtime.Goexit() }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = true; runtime.Goexit() }

// TestFiles: what WriteFile writes, ReadFile reads back; Exist and Absent
// tell a written file from one never written, and Mkdir makes nested
// folders that files can be written into; DirHolds wants the exact list.
func TestFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := Mkdir(t, dir, filepath.Join("a", "b"))
	if want := filepath.Join(dir, "a", "b"); sub != want {
		t.Fatalf("Mkdir = %s, want %s", sub, want)
	}
	data := []byte("stem\x00bytes")
	path := WriteFile(t, sub, "x.bin", data)
	if want := filepath.Join(sub, "x.bin"); path != want {
		t.Fatalf("WriteFile = %s, want %s", path, want)
	}
	if got := ReadFile(t, path); !bytes.Equal(got, data) {
		t.Errorf("ReadFile = %q, want %q", got, data)
	}
	const size = 1 << 16
	sparse := WriteSparse(t, dir, "sparse.bin", data, size)
	if got, want := ReadFile(t, sparse), append(bytes.Clone(data), make([]byte, size-len(data))...); !bytes.Equal(got, want) {
		t.Errorf("WriteSparse wrote %d bytes starting %q, want %q and zeros to %d bytes", len(got), got[:min(len(got), 16)], data, size)
	}
	Exist(t, dir, filepath.Join("a", "b", "x.bin"), "a")
	Absent(t, filepath.Join(dir, "y.bin"))
	DirHolds(t, sub, "x.bin")
	DirHolds(t, t.TempDir())

	// The failing side: a helper under a recorder must fail it.
	for name, f := range map[string]func(testing.TB){
		"Exist of a missing file":    func(tb testing.TB) { Exist(tb, dir, "y.bin") },
		"Absent of a written file":   func(tb testing.TB) { Absent(tb, path) },
		"ReadFile of a missing file": func(tb testing.TB) { ReadFile(tb, filepath.Join(dir, "y.bin")) },
		"WriteFile into a file":      func(tb testing.TB) { WriteFile(tb, path, "z", nil) },
		"DirHolds with a file more":  func(tb testing.TB) { DirHolds(tb, dir) },
		"DirHolds with a file less":  func(tb testing.TB) { DirHolds(tb, sub, "x.bin", "y.bin") },
		"DirHolds of another file":   func(tb testing.TB) { DirHolds(tb, sub, "y.bin") },
		"Mkdir under a file":         func(tb testing.TB) { Mkdir(tb, path, "z") },
		"WriteSparse into a file":    func(tb testing.TB) { WriteSparse(tb, path, "z", nil, 1) },
		"WriteSparse of -1 bytes":    func(tb testing.TB) { WriteSparse(tb, dir, "n.bin", nil, -1) },
	} {
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() { // Fatal ends the goroutine it runs on
			defer close(done)
			f(r)
		}()
		<-done
		if !r.failed {
			t.Errorf("%s: the test did not fail", name)
		}
	}
}

// TestLogWriter: each write reaches the log once, without its newlines.
func TestLogWriter(t *testing.T) {
	t.Parallel()
	r := &recorder{TB: t}
	w := LogWriter(r)
	fmt.Fprint(w, "level=WARN msg=slow\n")
	fmt.Fprint(w, "no newline")
	if want := []string{"level=WARN msg=slow", "no newline"}; fmt.Sprint(r.logs) != fmt.Sprint(want) {
		t.Errorf("logged %q, want %q", r.logs, want)
	}
}

// TestStart: Start returns once the ready line comes, with the rest of
// it, and Kill ends the process.
func TestStart(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	p := Start(t, sh, "serving on ", nil, "-c", "echo starting >&2; echo serving on http://x >&2; exec sleep 60")
	if p.Ready != "http://x" {
		t.Errorf("Ready = %q, want http://x", p.Ready)
	}
	p.Kill()
	if p.Cmd.ProcessState == nil || p.Cmd.ProcessState.Success() {
		t.Errorf("after Kill: %v, want a killed process", p.Cmd.ProcessState)
	}
}

// TestGuard: Guarded gives n elements with GuardLen more behind them;
// CheckGuard passes them untouched and fails the test once one changes.
func TestGuard(t *testing.T) {
	t.Parallel()
	s := Guarded(5, int32(-7))
	if len(s) != 5 || cap(s) != 5+GuardLen {
		t.Fatalf("Guarded(5): len %d, cap %d; want 5, %d", len(s), cap(s), 5+GuardLen)
	}
	for i := range s {
		s[i] = 1 // the output itself is the kernel's to write
	}
	CheckGuard(t, s, -7, "untouched")
	s[:cap(s)][5+GuardLen-1] = 0
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine it runs on
		defer close(done)
		CheckGuard(r, s, -7, "the last guard changed")
	}()
	<-done
	if !r.failed {
		t.Error("CheckGuard passed a changed guard")
	}
}
