package audiotest

import (
	"os"
	"path/filepath"
	"testing"
)

// FranciumStems are the five stems of the shared francium test set, in a
// fixed order (the set also holds their mix, mix.wav).
var FranciumStems = []string{"lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"}

// ModuleRoot returns the module root: the nearest directory holding go.mod
// at or above the test's working directory. It fails the test when there is
// none.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, ok := moduleRoot(t)
	if !ok {
		t.Fatal("go.mod not found above the working directory")
	}
	return dir
}

// FranciumDir returns the shared real-music test set: the directory
// $STEMMASTER_FRANCIUM names (for checkouts that are not beside shared/,
// such as git worktrees), else <module root>/../shared/testdata/francium
// (shared/ is checked out beside the module). It skips the test with a
// message saying where it looked when the set (its mix.wav) is absent.
func FranciumDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("STEMMASTER_FRANCIUM") // a checkout elsewhere (a git worktree) points here
	if dir == "" {
		root, ok := moduleRoot(t)
		if !ok {
			t.Skip("skipping: no go.mod above the working directory, so ../shared/testdata/francium cannot be found")
		}
		dir = filepath.Join(root, "..", "shared", "testdata", "francium")
	}
	if _, err := os.Stat(filepath.Join(dir, "mix.wav")); err != nil {
		t.Skipf("skipping: francium test set not found at %s (../shared beside the module root): %v", dir, err)
	}
	return dir
}

// moduleRoot walks up from the working directory to the directory holding
// go.mod; ok is false when it reaches the file system root first.
func moduleRoot(t testing.TB) (dir string, ok bool) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
