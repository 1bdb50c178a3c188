package sessionfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
)

// TestMixAmongStems: the mix given as a stem too (the same path, or a link
// to it) is a duplicate error on the mix's line; a stem that is another
// file is not. The check compared the stems with a mix they held, and took
// the mix for 6 dB quieter than "their" sum.
func TestMixAmongStems(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "s.yaml", "stems:\n  - file: vox.wav\n  - file: mix.wav\nmix: ./mix.wav\n")
	_, err := Load(p)
	var se *stemmaster.SessionError
	if !errors.As(err, &se) || se.Field != "mix" || se.Line != 4 || se.ErrKind() != stemmaster.ErrDuplicate || !strings.Contains(se.Problem, "stems[1].file") {
		t.Fatalf("Load: %v, want a duplicate error on mix naming stems[1].file", err)
	}
	dir := filepath.Dir(p)
	if err := os.Symlink("mix.wav", filepath.Join(dir, "link.wav")); err != nil {
		t.Fatal(err)
	}
	if i := MixAmongStems(filepath.Join(dir, "link.wav"), []string{filepath.Join(dir, "vox.wav"), filepath.Join(dir, "mix.wav")}); i != 1 {
		t.Errorf("a link to the mix among the stems: %d, want 1", i)
	}
	if i := MixAmongStems(filepath.Join(dir, "mix.wav"), []string{filepath.Join(dir, "vox.wav"), filepath.Join(dir, "bass.wav")}); i != -1 {
		t.Errorf("stems without the mix: %d, want -1", i)
	}
	if _, err := Load(writeSession(t, "s.yaml", "stems:\n  - file: vox.wav\nmix: mix.wav\n")); err != nil {
		t.Errorf("a session with its own mix: %v", err)
	}
}
