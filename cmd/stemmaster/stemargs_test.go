package main

import (
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestRepeatedStemArgument: the same stem named twice on the command line
// (a glob and the file again) is refused before anything is read. The
// check listed every finding of the file twice on both rows and called
// the file a duplicate of itself; master summed it twice.
func TestRepeatedStemArgument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "b.wav", audiotest.Sine(48000, 2, 4800, 660, -12, 0), 48000, 24)
	again := filepath.Join(dir, ".", "a.wav")
	for _, args := range [][]string{
		{"check", "--json", a, b, again},
		{"master", "-o", filepath.Join(dir, "out"), a, b, again},
		{"assist", a, b, again},
	} {
		code, stdout, stderr := runCLI(args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "is given twice as a stem (arguments 1 and 3)") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d naming the repeated stem", args[0], code, stdout, stderr, exitUsage)
		}
	}
	if code, _, stderr := runCLI("check", a, b); code != 0 {
		t.Errorf("two different stems: exit %d, %s", code, stderr)
	}
}
