package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// TestSameFileTwiceIsNoDuplicate: a session may list one file twice (a
// dry and a processed strip); the check called it "identical to itself
// … probably meant to be a different track". A copy under another name
// is still a duplicate.
func TestSameFileTwiceIsNoDuplicate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.PinkNoise(3, 2, 48000, -20), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 48000, 330, -20, 0), 48000, 24)
	data, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	copyOfA := filepath.Join(dir, "vox copy.wav")
	if err := os.WriteFile(copyOfA, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		paths []string
		dup   bool
	}{{[]string{a, b, a}, false}, {[]string{a, b, copyOfA}, true}} {
		rep, err := Run(context.Background(), FileSources(tc.paths), nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || f.Code == stemmaster.CodeDuplicate
		}
		if found != tc.dup {
			t.Errorf("%v: duplicate finding %v, want %v (%v)", tc.paths, found, tc.dup, rep.Findings)
		}
	}
}
