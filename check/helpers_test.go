package check

import (
	"os"
	"path/filepath"
	"testing"
)

// franciumDir returns the francium stem set (../shared/testdata/francium
// beside the module root), or skips the test when it is absent.
func franciumDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory; cannot find ../shared/testdata/francium")
		}
		dir = parent
	}
	fr := filepath.Join(dir, "..", "shared", "testdata", "francium")
	if _, err := os.Stat(filepath.Join(fr, "mix.wav")); err != nil {
		t.Skipf("francium stems not found at %s (the shared test data is not checked out beside the module)", fr)
	}
	return fr
}

// franciumStems are the five stems of the set, in a fixed order.
var franciumStems = []string{"lead_vocal.wav", "backing_vocals.wav", "drums.wav", "instruments.wav", "fx.wav"}
