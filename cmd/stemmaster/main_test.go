package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
)

// fullWriter fails every write, as stdout on a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestStdoutWriteFailure: a command whose result on stdout (JSON, assist's
// session) cannot be written exits 1 saying so. meter, info and check
// exited 0 with nothing written, so `meter --json x > out.json` on a full
// disk looked like success; master and assist exited 2, as for wrong usage.
func TestStdoutWriteFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stem := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.Sine(48000, 2, 48000, 440, -12, 0), 48000, 24)
	for _, args := range [][]string{
		{"meter", "--json", stem},
		{"info", "--json", stem},
		{"check", "--json", stem},
		{"assist", stem},
		{"master", "--json", "-o", dir + "/out", stem},
	} {
		var stderr bytes.Buffer
		code := run(args, fullWriter{}, &stderr)
		if code != exitInputError || !strings.Contains(stderr.String(), "stemmaster: standard output: no space left on device") {
			t.Errorf("%s: exit %d, stderr %q; want exit %d naming standard output", strings.Join(args[:2], " "), code, stderr.String(), exitInputError)
		}
	}
	if code, _, stderr := runCLI("meter", "--json", stem); code != 0 {
		t.Errorf("meter to a working stdout: exit %d, %s", code, stderr)
	}
}

// TestHelpOfNoCommand: `stemmaster help` of a command that does not exist
// is wrong usage (exit 2, naming it), as `stemmaster mastr` is; cobra's
// help printed "Unknown help topic" and exited 0. A command's help is
// still its --help, on stdout.
func TestHelpOfNoCommand(t *testing.T) {
	t.Parallel()
	checkExits(t, []exitCase{{"unknown", []string{"help", "mastr"}, exitUsage, `help: no command "mastr"`}})
	code, stdout, _ := runCLI("help", "master")
	_, want, _ := runCLI("master", "--help")
	if code != exitOK || stdout != want || !strings.Contains(stdout, "Usage:\n  stemmaster master") {
		t.Errorf("help master: exit %d, stdout %q; want 0 and master --help's", code, stdout)
	}
}

// TestFlagNotANumber: a flag's value that is not a number is wrong usage
// worded as the session's errors are, naming the flag and the value,
// without pflag's strconv.ParseFloat: parsing "-0.5dB": invalid syntax.
func TestFlagNotANumber(t *testing.T) {
	t.Parallel()
	checkExits(t, []exitCase{
		{"float", []string{"master", "--ceiling", "-0.5dB", "x.wav"}, exitUsage, `stemmaster: --ceiling "-0.5dB" is not a number` + "\n"},
		{"int", []string{"serve", "--max-files", "3x"}, exitUsage, `stemmaster: --max-files "3x" is not a whole number` + "\n"},
	})
}
