package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestOutputNameIsADirectory: a directory under an output's name (a
// deliverable or report.json) is refused before the render, and nothing
// is written. The render used to write everything and fail at the last
// rename, leaving the deliverables renamed before it without a report.
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
