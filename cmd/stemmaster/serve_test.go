package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
)

// TestRestartMidRender kills the server with SIGKILL while it renders,
// starts it again on the same data directory, and checks that the render
// is retried, completes, and its master meets the streaming target.
func TestRestartMidRender(t *testing.T) {
	t.Parallel()
	skipShort(t, "builds and runs the server binary")
	data := t.TempDir()
	paths := demoStemFiles(t)

	// The render is held a third of the way through, so the kill lands
	// mid-render however fast the engine is; the restarted server runs
	// without the hold.
	srv := startServerEnv(t, data, []string{"STEMMASTER_FAULT_DELAY=render-midway=60s"})
	c, err := newAPIProject(srv.url)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if err := c.uploadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	var queued struct{ Job string }
	if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
		t.Fatal(err)
	}
	// Kill as soon as the render has made progress.
	deadline := time.Now().Add(50 * time.Second)
	for {
		j, err := c.Job(queued.Job)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "running" && j.Progress > 0 {
			break
		}
		if j.State == "done" || time.Now().After(deadline) {
			t.Fatalf("could not catch the render running: %+v", j)
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv.Kill()
	t.Log("killed the server mid-render")

	srv = startServer(t, data)
	c.Base = srv.url
	j, err := c.WaitJob(queued.Job, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != "done" || j.Attempt < 2 {
		t.Fatalf("after restart the job is %+v, want done on attempt ≥ 2", j)
	}
	var proj struct {
		Stems []struct{ Name string } `json:"stems"`
	}
	if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
		t.Fatal(err)
	}
	if len(proj.Stems) != len(paths) {
		t.Errorf("%d stems after the restart, want %d", len(proj.Stems), len(paths))
	}
	master := filepath.Join(t.TempDir(), "main.wav")
	f, err := os.Create(master)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do("GET", c.Path("/outputs/main.wav"), nil, "", f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The streaming preset: -14 LUFS integrated, -1 dBTP (docs/session.md); the
	// engine lands within ±0.1 LU by our meter.
	const tolLU = 0.1
	res := measureFile(t, master)
	if math.Abs(res.IntegratedLUFS-(-14)) > tolLU || res.TruePeakDBTP > -1+0.005 {
		t.Errorf("master after restart: %.2f LUFS, %.2f dBTP; want -14 ± %.1f LUFS, ≤ -1 dBTP", res.IntegratedLUFS, res.TruePeakDBTP, tolLU)
	}
	t.Logf("master after restart: %.2f LUFS, %.2f dBTP, attempt %d", res.IntegratedLUFS, res.TruePeakDBTP, j.Attempt)
}

// TestLoad runs 20 projects at once against one server: each uploads two
// short stems and renders; all must complete with no error and every file
// present. It prints the throughput.
func TestLoad(t *testing.T) {
	// Not parallel: the throughput it prints is of this test alone.
	skipShort(t, "load test")
	const (
		projects = 20
		seconds  = 4 // per stem
		rate     = 48000
	)
	data := t.TempDir()
	stems := t.TempDir()
	var paths []string
	for i, name := range []string{"drums.wav", "bass.wav"} {
		buf := audiotest.PinkNoise(uint64(i+1), 2, seconds*rate, -12)
		paths = append(paths, audiotest.WriteWAV(t, stems, name, buf, rate, 24))
	}
	var stemBytes int64
	for _, p := range paths {
		st, _ := os.Stat(p)
		stemBytes += st.Size()
	}
	srv := startServer(t, data, "--creates-per-minute", "100", "--jobs-per-client", "100")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, projects)
	var mu sync.Mutex
	var renderTimes []time.Duration
	for i := 0; i < projects; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := func() error {
				c, err := newAPIProject(srv.url)
				if err != nil {
					return err
				}
				for _, p := range paths {
					if err := c.uploadFile(p); err != nil {
						return err
					}
				}
				var queued struct{ Job string }
				if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
					return err
				}
				t0 := time.Now()
				j, err := c.WaitJob(queued.Job, time.Until(deadlineOf(ctx)))
				if err != nil {
					return err
				}
				if j.State != "done" {
					return fmt.Errorf("project %s: job %+v", c.ID, j)
				}
				mu.Lock()
				renderTimes = append(renderTimes, time.Since(t0))
				mu.Unlock()
				var proj struct {
					Stems   []struct{ Name string } `json:"stems"`
					Outputs []struct{ Name string } `json:"outputs"`
				}
				if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
					return err
				}
				if len(proj.Stems) != len(paths) {
					return fmt.Errorf("project %s lost a stem: %v", c.ID, proj.Stems)
				}
				var master bytes.Buffer
				if _, err := c.Do("GET", c.Path("/outputs/main.wav"), nil, "", &master); err != nil {
					return err
				}
				if master.Len() < seconds*rate*6 {
					return fmt.Errorf("project %s: main.wav is %d bytes", c.ID, master.Len())
				}
				return nil
			}()
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wall := time.Since(start)
	audioS := float64(projects * seconds)
	fmt.Printf("load: %d projects × 2 stems × %d s in %.1f s: %.2f renders/s, %.1f s of audio mastered per s, %.1f MB uploaded at %.1f MB/s\n",
		projects, seconds, wall.Seconds(), float64(projects)/wall.Seconds(), audioS/wall.Seconds(),
		float64(projects)*float64(stemBytes)/1e6, float64(projects)*float64(stemBytes)/1e6/wall.Seconds())
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	checkExits(t, []exitCase{
		{"no-work on SQLite", []string{"serve", "--no-work", "--data", t.TempDir()}, exitUsage, "--no-work needs --db postgres"},
		{"worker without PostgreSQL", []string{"worker", "--data", t.TempDir()}, exitUsage, "worker needs --db postgres"},
		{"worker without blobs", []string{"worker", "--db", "postgres://localhost/x", "--data", t.TempDir()}, exitUsage, "worker needs --blobs"},
		{"bad price list", []string{"serve", "--prices", "/nonexistent/prices.json", "--data", t.TempDir()}, exitUsage, "prices.json"},
		{"serve takes no arguments", []string{"serve", "extra"}, exitUsage, ""},
	})
}

// TestDataDirLockedAndDemo starts a server, checks that a second one on
// the same data directory refuses to start (the embedded queue owns its
// database), and that "Try the demo" makes a project with the demo stems.
func TestDataDirLockedAndDemo(t *testing.T) {
	t.Parallel()
	skipShort(t, "builds and runs the server binary")
	data := t.TempDir()
	srv := startServer(t, data)
	code, _, stderr := runCLI("serve", "--addr", "127.0.0.1:0", "--data", data)
	if code != exitInputError || !strings.Contains(stderr, "in use by another stemmaster server") {
		t.Errorf("second server: exit %d, %q", code, stderr)
	}

	c := &apiClient{&apiclient.Project{Base: srv.url}}
	var res struct{ ID, Token string }
	if _, err := c.Do("POST", "/api/projects", strings.NewReader(`{"demo": true}`), "application/json", &res); err != nil {
		t.Fatal(err)
	}
	c.ID, c.Token = res.ID, res.Token
	var proj struct {
		Stems []struct {
			Name       string
			SampleRate int `json:"sample_rate"`
		} `json:"stems"`
	}
	if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
		t.Fatal(err)
	}
	want := demosong.Stems(8000) // names only; the rate does not matter here
	if len(proj.Stems) != len(want) {
		t.Fatalf("demo project has %d stems, want %d", len(proj.Stems), len(want))
	}
	for _, st := range proj.Stems {
		if st.SampleRate != demoRate {
			t.Errorf("%s at %d Hz, want %d", st.Name, st.SampleRate, demoRate)
		}
	}
}

// TestScaleOut runs the web front end and two workers as separate
// processes on PostgreSQL (STEMMASTER_TEST_POSTGRES, an empty database)
// and a shared blob directory, and renders three projects.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	pg := pgTestURL(t)
	blobs := t.TempDir()
	web := startServer(t, t.TempDir(), "--db", pg, "--blobs", blobs, "--no-work")
	for i := 0; i < 2; i++ {
		startWorker(t, pg, blobs, nil)
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &apiClient{&apiclient.Project{Base: web.url}}
			var res struct{ ID, Token string }
			if _, err := c.Do("POST", "/api/projects", strings.NewReader(`{"demo": true}`), "application/json", &res); err != nil {
				t.Error(err)
				return
			}
			c.ID, c.Token = res.ID, res.Token
			var queued struct{ Job string }
			if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
				t.Error(err)
				return
			}
			j, err := c.WaitJob(queued.Job, 90*time.Second)
			if err != nil || j.State != "done" {
				t.Errorf("project %s: %+v %v", c.ID, j, err)
			}
		}()
	}
	wg.Wait()
}

// pgTestURL is the PostgreSQL database of the scale-out tests; the test is
// skipped without one.
func pgTestURL(t *testing.T) string {
	pg := os.Getenv("STEMMASTER_TEST_POSTGRES")
	if pg == "" || testing.Short() {
		t.Skip("set STEMMASTER_TEST_POSTGRES=postgres://… to run the web front end and workers on PostgreSQL")
	}
	return pg
}
