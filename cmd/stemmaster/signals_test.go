//go:build unix

package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"stemmaster/internal/atomicfile"
	"stemmaster/internal/testkit"
)

// TestStopSignalLeavesNothing stops a render with SIGTERM (kill, timeout,
// systemd, CI runners) and SIGHUP (the terminal closing) while its
// outputs are being written: like Ctrl-C, the render must end with
// "interrupted; nothing written", exit 1 and an output directory without
// a file, temporary or final.
func TestStopSignalLeavesNothing(t *testing.T) {
	skipShort(t, "renders a 5-minute stem in a child process")
	bin := testkit.Build(t, ".")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if signal.Ignored(sig) {
				// The render inherits the ignoring and rightly keeps it.
				t.Skipf("the tests run with %v ignored (nohup)", sig)
			}
			out, stem, stderr, err := signalRender(t, sig, bin)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr, "interrupted; nothing written") {
				t.Errorf("after %v: %v, stderr %q; want exit 1 and \"interrupted; nothing written\"", sig, err, stderr)
			}
			ents, _ := os.ReadDir(out)
			for _, e := range ents {
				t.Errorf("after %v the output directory holds %s", sig, e.Name())
			}
			if fi, err := os.Stat(stem); err != nil || fi.Size() != 44+sparseFrames*4 {
				t.Errorf("the stem changed: %v %v", fi, err)
			}
		})
	}
}

// TestCtrlCEndsBySIGINT: Ctrl-C stops a render as SIGTERM does (nothing
// written, "interrupted; nothing written"), and the process then dies of
// SIGINT instead of exiting 1, so that a shell looping over an album's
// songs stops at the same Ctrl-C instead of going on to the next song.
func TestCtrlCEndsBySIGINT(t *testing.T) {
	skipShort(t, "renders a 5-minute stem in a child process")
	if signal.Ignored(os.Interrupt) {
		t.Skip("the tests run with SIGINT ignored")
	}
	out, _, stderr, err := signalRender(t, syscall.SIGINT, testkit.Build(t, "."))
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(stderr, "interrupted; nothing written") {
		t.Fatalf("after SIGINT: %v, stderr %q; want \"interrupted; nothing written\"", err, stderr)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("the render ended with %v; want death by SIGINT", exit)
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		t.Errorf("the output directory holds %d files", len(ents))
	}
}

// TestIgnoredHangupStaysIgnored: a render started with SIGHUP ignored
// (nohup) goes on when the terminal closes; catching SIGHUP would undo
// the ignoring.
func TestIgnoredHangupStaysIgnored(t *testing.T) {
	skipShort(t, "renders a 5-minute stem in a child process")
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to start the render with SIGHUP ignored")
	}
	out, _, stderr, err := signalRender(t, syscall.SIGHUP, "sh", "-c", `trap "" HUP; exec "$0" "$@"`, testkit.Build(t, "."))
	if err != nil {
		t.Fatalf("a render ignoring SIGHUP: %v, %s", err, stderr)
	}
	testkit.Exist(t, out, "main.wav", "report.json")
}

// sparseFrames is the length of signalRender's stem: 5 minutes.
const sparseFrames = 5 * 60 * 48000

// signalRender runs `master --no-check` on a 5-minute stem with the
// command line prefix (the binary, or a shell that execs it), sends sig
// once a temporary output appears, and returns the output directory, the
// stem, its stderr and how the process ended. A render that ends before
// its temporary outputs were seen skips the test.
func signalRender(t *testing.T, sig syscall.Signal, prefix ...string) (out, stem, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	stem = filepath.Join(dir, "long.wav")
	writeSparseSilence(t, stem, sparseFrames)
	out = filepath.Join(dir, "out")
	cmd := exec.Command(prefix[0], append(prefix[1:], "master", "--no-check", "-o", out, stem)...)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	signalled := false
	for {
		select {
		case err = <-done:
			if !signalled && err != nil {
				t.Fatalf("the render failed: %v: %s", err, errBuf.String())
			}
			if !signalled {
				t.Skipf("the render ended before its temporary outputs were seen: %s", errBuf.String())
			}
			return out, stem, errBuf.String(), err
		case <-time.After(time.Millisecond):
		}
		if !signalled && hasTemp(out) {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
}

// hasTemp reports whether dir holds a temporary file of atomicfile.
func hasTemp(dir string) bool {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if atomicfile.IsTemp(e.Name(), "") {
			return true
		}
	}
	return false
}

// writeSparseSilence writes a 16-bit stereo 48 kHz WAV of frames silent
// frames whose data is a hole in the file: minutes of audio that take no
// disk and read fast.
func writeSparseSilence(t *testing.T, path string, frames int) {
	t.Helper()
	data := uint32(frames * 4)
	var h bytes.Buffer
	h.WriteString("RIFF")
	binary.Write(&h, binary.LittleEndian, 36+data)
	h.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(2), uint32(48000), uint32(192000), uint16(4), uint16(16)} {
		binary.Write(&h, binary.LittleEndian, v)
	}
	h.WriteString("data")
	binary.Write(&h, binary.LittleEndian, data)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(h.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(h.Len()) + int64(data)); err != nil {
		t.Fatal(err)
	}
}
