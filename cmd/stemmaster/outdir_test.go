package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestFailedRenderLeavesNoDirectory: a master that fails once it has made
// its output and report directories (stems the render refuses, at two
// sample rates) takes the directories it made away again, however deep;
// a directory that was there stays, and so does one holding a master.
// An empty out/song tree was left behind by every failed run.
func TestFailedRenderLeavesNoDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "b.wav", audiotest.Sine(44100, 2, 4410, 440, -12, 0), 44100, 24)
	out := filepath.Join(dir, "new", "deep", "out")
	rep := filepath.Join(dir, "pictures", "song")
	code, _, stderr := runCLI("master", "--no-check", "-o", out, "--report", rep, a, b)
	if code != exitInputError || !strings.Contains(stderr, "different sample rates") {
		t.Fatalf("exit %d, %s; want %d refusing the rates", code, stderr, exitInputError)
	}
	testkit.DirHolds(t, dir, "a.wav", "b.wav")

	// An existing directory is left as it was.
	kept := filepath.Join(dir, "kept")
	if err := os.Mkdir(kept, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI("master", "--no-check", "-o", kept, a, b); code != exitInputError {
		t.Fatalf("exit %d, want %d", code, exitInputError)
	}
	if fi, err := os.Stat(kept); err != nil || !fi.IsDir() {
		t.Errorf("the existing output directory: %v", err)
	}
	// A render that succeeds keeps the directory it made.
	if code, _, stderr := runCLI("master", "--no-check", "-o", out, a); code != 0 {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	testkit.DirHolds(t, out, "main.wav", "report.json")
}
