package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/testkit"
)

// sidePanicFiles writes two stems and their mix (2 s at 48 kHz), so that
// the check aligns the stems against the mix on its side goroutines.
func sidePanicFiles(t *testing.T) (stems []string, mix string) {
	dir := t.TempDir()
	drums := audiotest.PinkNoise(7, 2, 96000, -12)
	bass := audiotest.Sine(48000, 2, 96000, 55, -12, 0)
	sum := audiotest.PinkNoise(7, 2, 96000, -12)
	for c := range sum.Data {
		for i := range sum.Data[c] {
			sum.Data[c][i] += bass.Data[c][i]
		}
	}
	return []string{
		audiotest.WriteWAV(t, dir, "drums.wav", drums, 48000, 24),
		audiotest.WriteWAV(t, dir, "bass.wav", bass, 48000, 24),
	}, audiotest.WriteWAV(t, dir, "mix.wav", sum, 48000, 24)
}

// TestSideGoroutinePanicCLI panics (internal/faultpoint) inside a worker
// goroutine of the check's alignment and inside the render's meter: the
// CLI exits 1 naming the stage, its stack on stderr, where the panic used
// to end the process with status 2 and a bare trace.
func TestSideGoroutinePanicCLI(t *testing.T) {
	skipShort(t, "runs the binary")
	stems, mix := sidePanicFiles(t)
	bin := testkit.Build(t, ".")
	for _, tc := range []struct {
		point, stage string
		args         []string
	}{
		{"check.align", "check's alignment", append([]string{"check", "--mix", mix}, stems...)},
		{"render.meter", "render's meter", append([]string{"master", "--no-check", "-o", t.TempDir()}, stems...)},
	} {
		t.Run(tc.point, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), faultpoint.Env+"="+tc.point+":panic")
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitInputError {
				t.Fatalf("exit %v (%v); want %d:\n%s", cmd.ProcessState, err, exitInputError, out)
			}
			for _, want := range []string{"internal error in the " + tc.stage, "fault point " + tc.point, "stemmaster/internal/faultpoint.Hit"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestSideGoroutinePanicServer panics inside a side goroutine of a check
// (its alignment) and of a render (its meter): each job fails with the
// stage named, and the server answers the next request.
func TestSideGoroutinePanicServer(t *testing.T) {
	skipShort(t, "runs the server binary")
	for _, tc := range []struct{ point, job, stage string }{
		{"check.align", "check", "check's alignment"},
		{"render.meter", "render", "render's meter"},
	} {
		t.Run(tc.point, func(t *testing.T) {
			stems, mix := sidePanicFiles(t)
			srv := startEnv(t, t.TempDir(), faultpoint.Env+"="+tc.point+":panic")
			c := uploadProject(t, srv.url, stems)
			f, err := os.Open(mix)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := c.Upload("mix", filepath.Base(mix), f); err != nil {
				t.Fatal(err)
			}
			j, err := c.WaitJob(c.queue(t, tc.job), 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != "failed" || !strings.Contains(j.Error, tc.stage) {
				t.Errorf("job %+v; want failed naming %q", j, tc.stage)
			}
			if srv.Cmd.ProcessState != nil {
				t.Fatalf("server exited: %v", srv.Cmd.ProcessState)
			}
			if code, err := c.Do("GET", c.Path(""), nil, "", nil); err != nil || code != 200 {
				t.Errorf("after the panic GET project = %d, %v; want 200", code, err)
			}
			t.Logf("%s: %q", tc.point, j.Error)
		})
	}
}
