package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestRenderErrorsNameTheSessionLine: a stem the render cannot read (not
// audio, here a text file) is refused naming the session file, the line
// and the field that name it, before the file's own error, as the
// session's other errors read; the stems as given on the command line are
// named by their path alone.
func TestRenderErrorsNameTheSessionLine(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "02 Song ✦")
	if err := os.MkdirAll(filepath.Join(dir, "stems"), 0o755); err != nil {
		t.Fatal(err)
	}
	audiotest.WriteWAV(t, filepath.Join(dir, "stems"), "vox.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	notes := testkit.WriteFile(t, filepath.Join(dir, "stems"), "notes.wav", []byte("take 3 is the keeper\n"))
	sess := testkit.WriteFile(t, dir, "session.yaml", []byte("stems:\n  - file: stems/vox.wav\n  - file: stems/notes.wav\n"))
	code, _, stderr := runCLI("master", "--no-check", "-s", sess, "-o", filepath.Join(t.TempDir(), "out"))
	want := "stemmaster: " + sess + ":3: stems[1].file: " + notes + ": not a supported audio file"
	if code != exitInputError || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitInputError, want)
	}
	code, _, stderr = runCLI("master", "--no-check", "-o", filepath.Join(t.TempDir(), "out"), filepath.Join(dir, "stems", "vox.wav"), notes)
	if want := "stemmaster: " + notes + ": not a supported audio file"; code != exitInputError || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitInputError, want)
	}
}

// TestRateMismatchNamesTheSession: a session whose stems are at two sample
// rates is refused led by the session file: an album's sessions name
// their stems alike (drums.wav), and "stems have different sample rates
// (drums.wav 48000 Hz, bass.wav 44100 Hz)" alone did not say which song's.
func TestRateMismatchNamesTheSession(t *testing.T) {
	t.Parallel()
	dir := testkit.Mkdir(t, t.TempDir(), "03")
	audiotest.WriteWAV(t, dir, "drums.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	audiotest.WriteWAV(t, dir, "bass.wav", audiotest.Sine(44100, 2, 4410, 60, -12, 0), 44100, 24)
	sess := testkit.WriteFile(t, dir, "session.yaml", []byte("stems:\n  - file: drums.wav\n  - file: bass.wav\n"))
	code, _, stderr := runCLI("master", "--no-check", "-s", sess, "-o", filepath.Join(t.TempDir(), "out"))
	want := "stemmaster: " + sess + ": stems have different sample rates (drums.wav 48000 Hz, bass.wav 44100 Hz)"
	if code != exitInputError || !strings.HasPrefix(stderr, want) || !strings.HasSuffix(strings.TrimSpace(stderr), "nothing written") {
		t.Errorf("exit %d, stderr %q; want %d, %q … nothing written", code, stderr, exitInputError, want)
	}
}
