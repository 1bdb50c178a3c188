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
