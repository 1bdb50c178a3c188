package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
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

// TestJSONErrorsNameTheFile: a batch that runs `--json` and parses stdout
// gets every error as JSON with the file named and the exit status
// docs/cli.md gives: `master` failing before its report (a stem that is not
// audio, one cut short) prints {"error", "file", "exit_status"}, a usage
// error {"error", "exit_status": 2}; `meter` and `info` give a file they
// cannot read its own line, {"file", "error"}, beside the others'. Each
// printed nothing on stdout, the reason on stderr alone.
func TestJSONErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := audiotest.WriteWAV(t, dir, "good.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	notAudio := testkit.WriteFile(t, dir, "vox.wav", []byte("not audio"))
	data := testkit.ReadFile(t, good)
	cut := testkit.WriteFile(t, dir, "cut.wav", data[:len(data)/2])
	type jsonErr struct {
		Error      string `json:"error"`
		File       string `json:"file"`
		ExitStatus *int   `json:"exit_status"`
	}
	for _, c := range []struct {
		args []string
		file string
		code int
	}{
		{[]string{"master", "--no-check", "--json", "-o", filepath.Join(dir, "o1"), good, notAudio}, notAudio, 1},
		{[]string{"master", "--no-check", "--json", "-o", filepath.Join(dir, "o2"), good, cut}, cut, 1},
		{[]string{"master", "--json", "--target", "bogus", "-o", filepath.Join(dir, "o3"), good}, "", 2},
	} {
		code, stdout, stderr := runCLI(c.args...)
		var got jsonErr
		if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != c.code || got.ExitStatus == nil || *got.ExitStatus != c.code ||
			got.File != c.file || got.Error == "" || !strings.Contains(stderr, got.Error) {
			t.Errorf("%q: exit %d, stdout %q (%v), stderr %q: want exit %d and its JSON naming %q with stderr's message", c.args, code, stdout, err, stderr, c.code, c.file)
		}
	}
	for _, command := range []string{"meter", "info"} {
		code, stdout, _ := runCLI(command, "--json", notAudio, good)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		var first jsonErr
		if code != 1 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first.File != notAudio ||
			!strings.Contains(first.Error, "not a supported audio file") || !strings.Contains(lines[1], `"file":"`+good+`"`) {
			t.Errorf("%s --json: exit %d, stdout %q: want 1, a line naming %s and its error, then %s's figures", command, code, stdout, notAudio, good)
		}
	}
}
