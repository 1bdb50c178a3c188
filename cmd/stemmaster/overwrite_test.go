package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestAssistKeepsItsInputs: `assist -o` naming one of its inputs (a stem,
// by a link too) is refused and the input left as it was; the session
// file replaced the stem.
func TestAssistKeepsItsInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stem := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 48000, 440, -12, 0), 48000, 24)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink("vox.wav", link); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(stem)
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
