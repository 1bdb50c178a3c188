package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBeforeSync: what BeforeSync writes is part of the committed file; when
// it fails, Finish fails with its error, the temporary file is gone and
// nothing appears under the final name.
func TestBeforeSync(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.wav")
	f, err := Create(ok)
	if err != nil {
		t.Fatal(err)
	}
	f.BeforeSync = func() error { _, err := f.WriteString(" trailer"); return err }
	if _, err := f.WriteString("body"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(ok); err != nil || string(b) != "body trailer" {
		t.Errorf("committed %q, %v; want %q", b, err, "body trailer")
	}

	bad := filepath.Join(dir, "bad.wav")
	g, err := Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("encoder failed")
	g.BeforeSync = func() error { return boom }
	if err := g.Finish(); !errors.Is(err, boom) {
		t.Errorf("Finish = %v, want %v", err, boom)
	}
	if err := g.Commit(); err != nil {
		t.Errorf("Commit after a failed Finish = %v, want nil (nothing to do)", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "ok.wav" {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
