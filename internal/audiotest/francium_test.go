package audiotest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestModuleRoot checks that ModuleRoot, run from this package's directory
// (internal/audiotest, two levels below the module root), finds the go.mod
// two directories up.
func TestModuleRoot(t *testing.T) {
	t.Parallel()
	want, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if got := ModuleRoot(t); got != want {
		t.Errorf("ModuleRoot = %s, want %s", got, want)
	}
}

// TestFranciumDir checks that FranciumDir, when it does not skip, returns
// the set $STEMMASTER_FRANCIUM names or the one beside the module root, and
// that every listed stem is there.
func TestFranciumDir(t *testing.T) {
	t.Parallel()
	dir := FranciumDir(t)
	want := os.Getenv("STEMMASTER_FRANCIUM")
	if want == "" {
		want = filepath.Join(ModuleRoot(t), "..", "shared", "testdata", "francium")
	}
	if dir != want {
		t.Errorf("FranciumDir = %s, want %s", dir, want)
	}
	for _, s := range append([]string{"mix.wav"}, FranciumStems...) {
		if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
			t.Errorf("francium set: %v", err)
		}
	}
}
