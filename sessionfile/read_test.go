package sessionfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"stemmaster/internal/testkit"
)

// TestLoadRefusesWhatIsNoSessionFile: Load does not read any path to its
// end (`-s /dev/zero` would fill memory, a multi-GB file would be read
// whole before YAML looked at it). A device or a directory is refused by
// name, a file over MaxBytes is refused without reading past it, and a
// named pipe (`-s <(generate)`) still loads. A stem given as the session
// (`-s drums.wav`) is named an audio file, not "syntax error: control
// characters are not allowed".
func TestLoadRefusesWhatIsNoSessionFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A hole: MaxBytes+1 bytes of file that take no disk.
	big := testkit.WriteSparse(t, dir, "big.yaml", nil, MaxBytes+1)
	// A WAV file's first bytes: the RIFF header and its format chunk.
	wav := testkit.WriteFile(t, dir, "drums.wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00"))
	cases := []struct{ path, want string }{
		{big, "longer than 4 MiB"},
		{dir, "a directory, not a session file"},
		{wav, "an audio file, not a session file"},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct{ path, want string }{"/dev/zero", "/dev/zero: a device, not a session file"})
	}
	for _, tc := range cases {
		if _, err := os.Stat(tc.path); err != nil {
			t.Logf("%s: %v; not tried", tc.path, err)
			continue
		}
		_, err := Load(tc.path)
		var pe *os.PathError
		if !errors.As(err, &pe) || pe.Path != tc.path || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s): %v; want an *os.PathError naming it and %q", tc.path, err, tc.want)
		}
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	// Load's documented error for a file it cannot read is an *os.PathError.
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	var pe *os.PathError
	if !errors.As(err, &pe) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v (%T); want an *os.PathError for a missing file", err, err)
	}
}
