//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCommandsRefuseANamedPipe: info, meter, check and assist name a
// named pipe and go on (or stop) at once; they blocked forever opening it.
func TestCommandsRefuseANamedPipe(t *testing.T) {
	t.Parallel()
	pipe := filepath.Join(t.TempDir(), "pipe.wav")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skip("cannot make a named pipe here:", err)
	}
	for _, args := range [][]string{{"info", pipe}, {"meter", "--json", pipe}, {"check", pipe}, {"assist", pipe}} {
		done := make(chan string, 1)
		go func() {
			code, _, stderr := runCLI(args...)
			done <- strings.TrimSpace(stderr) + " exit " + string(rune('0'+code))
		}()
		select {
		case got := <-done:
			if !strings.Contains(got, "pipe.wav is a named pipe, not an audio file") || !strings.HasSuffix(got, "exit 1") {
				t.Errorf("%v: %q, want the pipe named and exit 1", args[0], got)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%v: still blocked on the named pipe after a minute", args[0])
		}
	}
}
