package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileKeepsInputs: --cpuprofile or --memprofile naming an input (a
// stem, by a link too) or one of master's outputs is refused before
// anything is written; os.Create truncated the stem at the start of the
// run. A profile elsewhere is written whole under its name.
func TestProfileKeepsInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stem, link, before := stemAndLink(t, dir, "link.prof")
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"check", "--cpuprofile", stem, stem},
		{"check", "--memprofile", link, stem},
		{"master", "-o", out, "--cpuprofile", stem, stem},
		{"master", "-o", out, "--memprofile", filepath.Join(out, "main.wav"), stem},
	} {
		code, _, stderr := runCLI(args...)
		if code != exitUsage || !strings.Contains(stderr, "would overwrite") {
			t.Errorf("%s: exit %d, %q; want exit %d refusing the profile", strings.Join(args, " "), code, stderr, exitUsage)
		}
	}
	if after, _ := os.ReadFile(stem); !bytes.Equal(before, after) {
		t.Fatal("a profile was written over the stem")
	}
	prof := filepath.Join(dir, "cpu.prof")
	if code, _, stderr := runCLI("check", "--cpuprofile", prof, stem); code != exitOK {
		t.Fatalf("a profile elsewhere: exit %d, %s", code, stderr)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("the profile: %v %v", fi, err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
