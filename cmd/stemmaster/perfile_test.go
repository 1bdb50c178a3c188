package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPerFileNoEmptyTable: info and meter print their table's header only
// over rows; when every file fails, stderr holds the errors alone.
func TestPerFileNoEmptyTable(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.wav")
	for _, c := range []struct{ cmd, header string }{{"info", "format"}, {"meter", "I LUFS"}} {
		code, _, stderr := runCLI(c.cmd, missing)
		if code != exitInputError || strings.Contains(stderr, c.header) || !strings.Contains(stderr, "nope.wav") {
			t.Errorf("%s of a missing file: exit %d, stderr %q; want exit %d, the error and no table header", c.cmd, code, stderr, exitInputError)
		}
	}
}
