package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestAssistKeepsItsInputs: `assist -o` naming one of its inputs (a stem,
// by a link too) is refused and the input left as it was; the session
// file replaced the stem.
func TestAssistKeepsItsInputs(t *testing.T) {
	t.Parallel()
	stem, link, before := stemAndLink(t, t.TempDir(), "link.yaml")
	for _, out := range []string{stem, link} {
		code, _, stderr := runCLI("assist", "-o", out, stem)
		if code != exitInputError || !strings.Contains(stderr, "would overwrite the input "+stem) {
			t.Errorf("-o %s: exit %d, %q; want exit %d naming the input", out, code, stderr, exitInputError)
		}
	}
	if after, _ := os.ReadFile(stem); !bytes.Equal(before, after) {
		t.Fatal("assist wrote over its input")
	}
}

// stemAndLink writes a 1 s stem vox.wav into dir and a symbolic link to it
// named link, and returns their paths and the stem's bytes.
func stemAndLink(t *testing.T, dir, link string) (stem, linkPath string, stemBytes []byte) {
	t.Helper()
	stem = audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 48000, 440, -12, 0), 48000, 24)
	linkPath = filepath.Join(dir, link)
	if err := os.Symlink("vox.wav", linkPath); err != nil {
		t.Fatal(err)
	}
	stemBytes, err := os.ReadFile(stem)
	if err != nil {
		t.Fatal(err)
	}
	return stem, linkPath, stemBytes
}

// TestOutputNameIsADirectory: a directory under an output's name (a
// deliverable or report.json) is refused before the render, and nothing
// is written: found only at the last rename, it would leave the
// deliverables renamed before it without a report.
func TestOutputNameIsADirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stem := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	for _, name := range []string{"report.json", "main.wav"} {
		out := filepath.Join(dir, "out-"+strings.TrimSuffix(name, filepath.Ext(name)))
		if err := os.MkdirAll(filepath.Join(out, name), 0o755); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI("master", "-o", out, stem)
		if code != exitUsage || !strings.Contains(stderr, filepath.Join(out, name)+" is a directory") {
			t.Errorf("%s a directory: exit %d, %q; want exit %d naming it", name, code, stderr, exitUsage)
		}
		ents, _ := os.ReadDir(out)
		if len(ents) != 1 {
			t.Errorf("%s a directory: the output directory holds %d entries, want only that directory", name, len(ents))
		}
	}
}

// TestAssistFullDiskNamesTheSession: a session file the disk cannot hold
// (here a file-size limit of 2000 bytes, prlimit --fsize, the way a full
// disk fails the write) is refused naming the session file, and the
// folders made for it are taken away. The error named only the temporary
// file (".s.yaml.<digits>.tmp", gone by then) and left the folders.
func TestAssistFullDiskNamesTheSession(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("no prlimit (util-linux)")
	}
	dir := t.TempDir()
	stem := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 48000, 440, -12, 0), 48000, 24)
	out := filepath.Join(dir, "new", "s.yaml")
	cmd := exec.Command(prlimit, "--fsize=2000", testkit.Build(t, "."), "assist", "-o", out, stem)
	stderr, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != exitInputError || !strings.Contains(string(stderr), "session file "+out+" not written: ") {
		t.Errorf("exit %d, %s; want %d naming %s", code, stderr, exitInputError, out)
	}
	testkit.DirHolds(t, dir, "vox.wav")
}
