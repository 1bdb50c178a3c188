package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// TestRepeatedStemArgument: the same stem named twice on the command line
// (a glob and the file again), or more stems than a session may hold, is
// refused before anything is read. The check listed every finding of the
// file twice on both rows and called the file a duplicate of itself;
// master summed it twice.
func TestRepeatedStemArgument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "b.wav", audiotest.Sine(48000, 2, 4800, 660, -12, 0), 48000, 24)
	many := make([]string, 0, stemmaster.MaxStems+2)
	many = append(many, "check")
	for i := range stemmaster.MaxStems + 1 {
		many = append(many, filepath.Join(dir, fmt.Sprintf("s%d.wav", i)))
	}
	if code, _, stderr := runCLI(many...); code != exitUsage || !strings.Contains(stderr, "129 stems are more than 128") {
		t.Errorf("check of %d stems: exit %d, %s; want exit %d", stemmaster.MaxStems+1, code, stderr, exitUsage)
	}
	// The same file again by another path, a symbolic link, a hard link.
	again := filepath.Join(dir, ".", "a.wav")
	sym, hard := filepath.Join(dir, "sym.wav"), filepath.Join(dir, "hard.wav")
	if err := os.Symlink(a, sym); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(b, hard); err != nil {
		t.Fatal(err)
	}
	const twice, linked = "is given twice as a stem (arguments 1 and 3)", "are one file (a link) given twice as a stem"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--json", a, b, again}, twice},
		{[]string{"master", "-o", filepath.Join(dir, "out"), a, b, again}, twice},
		{[]string{"assist", a, b, again}, twice},
		{[]string{"check", "--json", a, b, sym}, linked},
		{[]string{"master", "-o", filepath.Join(dir, "out"), hard, a, b}, linked},
		{[]string{"assist", a, b, sym}, linked},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		if code != exitUsage || !failedStdout(tc.args, code, stdout, stderr) || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout, stderr, exitUsage, tc.want)
		}
	}
	if code, _, stderr := runCLI("check", a, b); code != 0 {
		t.Errorf("two different stems: exit %d, %s", code, stderr)
	}
}
