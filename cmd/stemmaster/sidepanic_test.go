package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/testkit"
)

// sidePanicFiles writes two stems and their mix (2 s at 48 kHz), so that
// the check aligns the stems against the mix on its side goroutines.
func sidePanicFiles(t *testing.T) (stems []string, mix string) {
	dir := t.TempDir()
	drums := audiotest.PinkNoise(7, 2, 96000, -12)
	bass := audiotest.Sine(48000, 2, 96000, 55, -12, 0)
	sum := audiotest.Add(drums.Clone(), bass)
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
			checkSidePanic(t, bin, tc.point, tc.stage, tc.args...)
		})
	}
}

// checkSidePanic runs the binary bin with args and the fault point
// point set to panic: it must exit 1 within 3 minutes, its output
// naming stage and the fault point and holding the panic's stack.
func checkSidePanic(t *testing.T, bin, point, stage string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), faultpoint.Env+"="+point+":panic")
	timer := time.AfterFunc(3*time.Minute, func() { cmd.Process.Kill() })
	out, err := cmd.CombinedOutput()
	if !timer.Stop() {
		t.Fatalf("%s hangs (killed after 3 minutes):\n%s", args[0], out)
	}
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitInputError {
		t.Fatalf("exit %v (%v); want %d:\n%s", cmd.ProcessState, err, exitInputError, out)
	}
	for _, want := range []string{"internal error in the " + stage, "fault point " + point, "stemmaster/internal/faultpoint.Hit"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSideGoroutinePanicServer panics inside a side goroutine of a check
// (its alignment) and of a render (its meter, its pass's analysis, the
// job's progress reporter, an output's upload, an input's prefetch, the
// preview's encoding): each job fails with the stage named, and the
// server answers the next request.
func TestSideGoroutinePanicServer(t *testing.T) {
	t.Parallel()
	skipShort(t, "runs the server binary")
	for _, tc := range []struct{ point, job, stage string }{
		{"check.align", "check", "check's alignment"},
		{"render.meter", "render", "render's meter"},
		{"render.analyse", "render", "targeting pass's analysis"},
		{"render.progress", "render", "render's progress report"},
		{"render.upload", "render", "render's upload of "},
		{"render.prefetch", "render", "render's prefetch of "},
		{"render.preview", "render", "render's preview"},
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

// TestSideGoroutinePanicCLIRender panics inside each side goroutine of a
// render the CLI runs (the demo song at −9 LUFS with a CD deliverable the
// conversion pushes over the ceiling, so written a second time; the
// stem-aware limiter's goroutines where the session asks for it): master
// exits 1 naming the stage, its stack on stderr, and does not hang.
func TestSideGoroutinePanicCLIRender(t *testing.T) {
	t.Parallel()
	skipShort(t, "runs the binary")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "stems"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := demosong.WriteStems(filepath.Join(dir, "stems"), 48000); err != nil {
		t.Fatal(err)
	}
	loud := strings.Replace(demosong.Session, "target: {preset: streaming}", "target: -9", 1)
	aware := strings.Replace(loud, "limiter: {lookahead_ms: 5, release_ms: 80}", "limiter: {lookahead_ms: 5, release_ms: 80, stem_aware: {}}", 1)
	if loud == demosong.Session || aware == loud {
		t.Fatal("the demo session no longer has the target or limiter line the test edits")
	}
	sessions := map[bool]string{false: filepath.Join(dir, "plain.yaml"), true: filepath.Join(dir, "aware.yaml")}
	for stemAware, text := range map[bool]string{false: loud, true: aware} {
		if err := os.WriteFile(sessions[stemAware], []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := testkit.Build(t, ".")
	for _, tc := range []struct {
		point, stage string
		stemAware    bool
	}{
		{"render.analyse", "targeting pass's analysis", false},
		{"render.convert", "delivery's rate conversion", false},
		{"render.regenerate", "render's second writing", false},
		{"render.share", "stem-aware limiter's sharing", true},
		{"render.chains", "stem-aware limiter's chains", true},
		{"render.chainstage", "stem-aware limiter's chain stage", true},
		{"render.keep", "render's kept master", true},
		{"render.keepread", "render's kept master", true},
	} {
		t.Run(tc.point, func(t *testing.T) {
			checkSidePanic(t, bin, tc.point, tc.stage, "master", "--no-check", "-s", sessions[tc.stemAware], "-o", t.TempDir())
		})
	}
}
