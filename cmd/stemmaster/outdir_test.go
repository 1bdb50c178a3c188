package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/atomicfile"
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

// TestReportInOrBesideOut: the HTML report is written where --report
// says, -o itself, a folder inside it or elsewhere, beside the masters
// (engine.Options.Committed writes it while the render holds -o:
// TestCommittedWhileOutHeld in engine).
func TestReportInOrBesideOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	for _, tc := range []struct{ name, report string }{
		{"the same directory", ""},
		{"inside it", "pictures"},
		{"elsewhere", "../elsewhere"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		report := filepath.Join(out, tc.report)
		if code, _, stderr := runCLI("master", "--no-check", "-o", out, "--report", report, a); code != 0 {
			t.Fatalf("%s: exit %d, %s", tc.name, code, stderr)
		}
		for _, f := range []string{filepath.Join(report, "report.html"), filepath.Join(out, "main.wav")} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		// Nothing holds -o once master has returned.
		unlock, err := atomicfile.LockDir(out)
		if err != nil {
			t.Errorf("%s: -o after the run: %v", tc.name, err)
		} else {
			unlock()
		}
	}
}
