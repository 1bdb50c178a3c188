package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestFlagGivenTwice: a flag of one value given twice is wrong usage
// (exit 2) naming the flag, before anything is read or written; pflag
// kept the last, so `check -s song1.yaml -s song2.yaml` checked song2
// alone and `master -o a -o b` wrote into b, with nothing said. Flags
// that collect values, and switches, may repeat.
func TestFlagGivenTwice(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stem := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	outA, outB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	checkExits(t, []exitCase{
		{"session", []string{"check", "-s", "one.yaml", "-s", "two.yaml"}, exitUsage, `for "-s, --session" flag: given twice (first "one.yaml")`},
		{"out", []string{"master", "-o", outA, "-o", outB, stem}, exitUsage, `for "-o, --out" flag: given twice`},
		{"target", []string{"master", "--target", "apple", "--target", "loud", "-o", outA, stem}, exitUsage, `for "--target" flag: given twice (first "apple")`},
		{"ceiling", []string{"master", "--ceiling=-1", "--ceiling=-2", "-o", outA, stem}, exitUsage, `for "--ceiling" flag: given twice`},
		{"assist amount", []string{"assist", "--amount", "1", "--amount", "0.5", stem}, exitUsage, `for "--amount" flag: given twice`},
	})
	for _, d := range []string{outA, outB} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s exists after wrong usage: %v", d, err)
		}
	}
	// A switch twice, and a flag that collects values, are fine.
	if code, _, stderr := runCLI("info", "--json", "--json", stem); code != 0 {
		t.Errorf("info --json --json: exit %d, %s", code, stderr)
	}
	code, _, stderr := runCLI("assist", "--reference", stem, "--reference", stem, "--reference-weight", "1", "--reference-weight", "2", "--json", "--budget-s", "0", stem)
	if strings.Contains(stderr, "given twice") {
		t.Errorf("assist with two references: exit %d, %s", code, stderr)
	}
}
