// Package e2e runs the browser test of the stemmaster web page: the server
// binary on a loopback port, and browser.mjs driving Debian's chromium with
// playwright-core through upload, check, mixer, master and download.
// Screenshots are written to e2e/artifacts/ (gitignored).
package e2e

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

type summary struct {
	Uploaded []string `json:"uploaded"`
	Rules    []struct {
		Rule  string `json:"rule"`
		State string `json:"state"`
	} `json:"rules"`
	Advice  string `json:"advice"`
	Quote   string `json:"quote"`
	Session struct {
		Stems []struct {
			File       string          `json:"file"`
			GainDB     float64         `json:"gain_db"`
			Compressor json.RawMessage `json:"compressor"`
		} `json:"stems"`
	} `json:"session"`
	Pictures []struct {
		Name  string `json:"name"`
		Width int    `json:"width"`
	} `json:"pictures"`
	Figures [][]string `json:"figures"`
	AB      struct {
		Hidden bool    `json:"hidden"`
		Sum    float64 `json:"sum"`
		Master float64 `json:"master"`
	} `json:"ab"`
	Master        string   `json:"master"`
	ABWhich       string   `json:"abWhich"`
	DemoStems     []string `json:"demoStems"`
	ConsoleErrors []string `json:"consoleErrors"`
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test; skipped with -short")
	}
	root := audiotest.ModuleRoot(t)
	francium := audiotest.FranciumDir(t)
	chromium := "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("Debian's chromium is not installed (apt-get install chromium); scripts/test.sh installs it")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	e2eDir := filepath.Join(root, "e2e")
	if _, err := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core")); err != nil {
		t.Skip("playwright-core is not installed: run npm install in e2e/ (scripts/test.sh does)")
	}
	artifacts := filepath.Join(e2eDir, "artifacts")
	os.RemoveAll(artifacts)

	bin := filepath.Join(t.TempDir(), "stemmaster")
	build := exec.Command("go", "build", "-o", bin, "./cmd/stemmaster")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	stderr, _ := srv.StderrPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Signal(syscall.SIGKILL); srv.Wait() }()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "stemmaster: serving on "); ok {
				urlc <- u
			} else {
				t.Log("server:", sc.Text())
			}
		}
	}()
	var url string
	select {
	case url = <-urlc:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}

	cmd := exec.Command(node, "browser.mjs", url, francium, artifacts)
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = testWriter{t}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser test failed after %.1f s: %v; screenshots in %s\n%s", time.Since(start).Seconds(), err, artifacts, out.String())
	}
	t.Logf("browser test took %.1f s; screenshots in %s", time.Since(start).Seconds(), artifacts)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var s summary
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
		t.Fatalf("summary: %v in %q", err, out.String())
	}
	if len(s.Uploaded) != 6 {
		t.Errorf("uploaded %v, want the five francium stems and the mix", s.Uploaded)
	}
	// The francium stems are a clean delivery (shared/testdata/francium
	// README): no rule may be broken with an error.
	if len(s.Rules) == 0 {
		t.Error("no checklist shown")
	}
	for _, r := range s.Rules {
		if r.State != "ok" {
			t.Errorf("clean francium stems with their mix: rule %q is %q, want ok", r.Rule, r.State)
		}
	}
	if s.Advice == "" || s.Quote == "" {
		t.Errorf("advice %q, quote %q: want both shown", s.Advice, s.Quote)
	}
	moved, compressed := false, false
	for _, st := range s.Session.Stems {
		moved = moved || (st.File == "lead_vocal.wav" && st.GainDB == 2)
		compressed = compressed || (st.File == "drums.wav" && len(st.Compressor) > 0)
	}
	if !moved || !compressed {
		t.Errorf("the fader move (%v) or the drum compressor (%v) did not reach the session: %+v", moved, compressed, s.Session)
	}
	if len(s.Pictures) < 3 {
		t.Errorf("pictures %+v, want waveform, loudness and spectrum at least", s.Pictures)
	}
	if len(s.Figures) < 2 || s.AB.Hidden {
		t.Errorf("figures %v, A/B hidden %v", s.Figures, s.AB.Hidden)
	}
	// Matched loudness: the quieter programme plays at full volume, the
	// louder one turned down (the master is louder than the stem sum).
	if s.AB.Sum != 1 || s.AB.Master <= 0 || s.AB.Master >= 1 {
		t.Errorf("A/B volumes sum %.3f, master %.3f: want 1 and below 1", s.AB.Sum, s.AB.Master)
	}
	if !strings.Contains(s.ABWhich, "stem sum") {
		t.Errorf("after the A/B switch the player says %q, want the stem sum", s.ABWhich)
	}
	if len(s.DemoStems) != 4 {
		t.Errorf("Try the demo gave stems %v, want the demo song's four", s.DemoStems)
	}
	if len(s.ConsoleErrors) > 0 {
		t.Errorf("the page logged errors: %v", s.ConsoleErrors)
	}

	// The downloaded master meets the default target, streaming: -14 LUFS
	// integrated, at most -1 dBTP (docs/session.md); the engine lands within
	// ±0.1 LU by our meter.
	const tolLU = 0.1
	res := measure(t, s.Master)
	if math.Abs(res.IntegratedLUFS-(-14)) > tolLU || res.TruePeakDBTP > -1+0.005 {
		t.Errorf("downloaded master: %.2f LUFS, %.2f dBTP; want -14 ± %.1f LUFS, ≤ -1 dBTP", res.IntegratedLUFS, res.TruePeakDBTP, tolLU)
	}
	t.Logf("downloaded master: %.2f LUFS integrated, %.2f dBTP true peak", res.IntegratedLUFS, res.TruePeakDBTP)
}

func measure(t *testing.T, path string) loudness.Result {
	t.Helper()
	b, info := audiotest.ReadFile(t, path)
	return loudness.Measure(b, float64(info.Format.SampleRate), loudness.Options{TruePeak: true})
}

// testWriter sends the browser script's progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
