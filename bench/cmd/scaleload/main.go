// Command scaleload is the load client of bench/scaleout.sh: it creates
// PROJECTS projects against one or more stemmaster front ends (round
// robin), uploads short generated stems to each, renders all of them at
// once, waits for every job, downloads every output and checks it against
// its listed size, and prints throughput, job latency percentiles, errors
// and lost files.
//
//	scaleload -web "http://127.0.0.1:8080 http://127.0.0.1:8081" -projects 50
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
)

func main() {
	web := flag.String("web", "http://127.0.0.1:8080", "front end URLs, space-separated (used round robin)")
	projects := flag.Int("projects", 50, "projects to create and render")
	stems := flag.Int("stems", 2, "stems per project")
	seconds := flag.Float64("seconds", 4, "length of each stem in seconds")
	timeout := flag.Duration("timeout", 15*time.Minute, "give up on a job after this long")
	label := flag.String("label", "", "label printed with the figures")
	francium := flag.Int("francium", 0, "that many of the projects upload the stems in $STEMMASTER_FRANCIUM (every .wav but mix.wav) instead of generated ones")
	flag.Parse()
	urls := strings.Fields(*web)
	if len(urls) == 0 {
		fmt.Fprintln(os.Stderr, "scaleload: -web names no URL")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "scaleload-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	names := []string{"drums.wav", "bass.wav", "keys.wav", "vocals.wav", "guitars.wav", "fx.wav"}
	var files [][]byte
	for i := 0; i < *stems; i++ {
		buf := audiotest.PinkNoise(uint64(i+1), 2, int(*seconds*48000), -12-3*float64(i%4))
		p := filepath.Join(dir, names[i%len(names)])
		w, err := audio.Create(p, "wav", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int})
		if err != nil {
			fatal(err)
		}
		if err := w.Write(buf); err != nil {
			fatal(err)
		}
		if err := w.Close(); err != nil {
			fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			fatal(err)
		}
		files = append(files, data)
	}

	var realNames []string
	var realFiles [][]byte
	if *francium > 0 {
		realNames, realFiles, err = readStems(os.Getenv("STEMMASTER_FRANCIUM"))
		if err != nil {
			fatal(err)
		}
	}

	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var errs, lost atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	var errSamples []string
	report := func(err error) {
		errs.Add(1)
		mu.Lock()
		if len(errSamples) < 5 {
			errSamples = append(errSamples, err.Error())
		}
		mu.Unlock()
	}

	// Phase 1: create and upload (not timed in the throughput).
	ps := make([]*project, *projects)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			created, err := apiclient.Create(client, urls[i%len(urls)])
			if err != nil {
				report(err)
				return
			}
			created.Poll = 100 * time.Millisecond
			p := &project{Project: created, stems: len(files), urls: urls}
			pnames, pfiles := names, files
			if i < *francium {
				p.stems, pnames, pfiles = len(realFiles), realNames, realFiles
			}
			for j, data := range pfiles {
				if err := p.upload(pnames[j%len(pnames)], data); err != nil {
					report(err)
					return
				}
			}
			ps[i] = p
		}()
	}
	wg.Wait()

	// Phase 2: every render queued at once, then waited for.
	start := time.Now()
	var last atomic.Int64
	for _, p := range ps {
		if p == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			job, err := p.render()
			if err != nil {
				report(err)
				return
			}
			state, err := p.wait(job, *timeout)
			if err != nil {
				report(err)
				return
			}
			if state != "done" {
				report(fmt.Errorf("project %s: render ended %s", p.ID, state))
				return
			}
			d := time.Since(t0)
			last.Store(int64(time.Since(start)))
			mu.Lock()
			latencies = append(latencies, d)
			mu.Unlock()
			n, err := p.verify(p.stems)
			lost.Add(int64(n))
			if err != nil {
				report(err)
			}
		}()
	}
	wg.Wait()
	wall := time.Duration(last.Load())
	slices.Sort(latencies)
	pct := func(q float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		i := int(q*float64(len(latencies))+0.5) - 1
		return latencies[min(max(i, 0), len(latencies)-1)].Seconds()
	}
	done := len(latencies)
	fmt.Printf("scaleout%s: %d/%d renders of %d stems × %.0f s in %.1f s: %.2f renders/s (%.1f renders/min), %.1f s of audio mastered per s; job latency p50 %.1f s, p95 %.1f s, p99 %.1f s; %d errors, %d lost files\n",
		labelOf(*label), done, *projects, *stems, *seconds, wall.Seconds(), float64(done)/wall.Seconds(), 60*float64(done)/wall.Seconds(),
		float64(done)**seconds/wall.Seconds(), pct(0.50), pct(0.95), pct(0.99), errs.Load(), lost.Load())
	if n := resumed.Load(); n > 0 {
		fmt.Printf("  %d uploads or render requests sent again through another front end after theirs went away or was out of reach\n", n)
	}
	for _, e := range errSamples {
		fmt.Println("  error:", e)
	}
	if errs.Load() > 0 || lost.Load() > 0 || done != *projects {
		os.Exit(1)
	}
}

func labelOf(l string) string {
	if l == "" {
		return ""
	}
	return " (" + l + ")"
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "scaleload:", err)
	os.Exit(1)
}

// readStems reads every .wav in dir but the mix: the real song's stems.
func readStems(dir string) (names []string, files [][]byte, err error) {
	if dir == "" {
		return nil, nil, fmt.Errorf("-francium needs $STEMMASTER_FRANCIUM, the directory of the real song's stems")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.wav"))
	if err != nil {
		return nil, nil, err
	}
	for _, p := range paths {
		if filepath.Base(p) == "mix.wav" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, filepath.Base(p))
		files = append(files, data)
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%s: no stems (.wav files other than mix.wav)", dir)
	}
	return names, files, nil
}

// project is one project of the load, created on one of the servers, and
// the number of stems it was given.
type project struct {
	*apiclient.Project
	stems int
	urls  []string
}

// upload sends one stem, again when its front end goes away (resend).
func (p *project) upload(name string, data []byte) error {
	return p.resend(func() error { return p.Upload("stems", name, bytes.NewReader(data)) })
}

// resend runs send, and again when its front end went away mid-request
// (no answer, or 502/503: a balancer's, or the service's own while its
// database or store is out of reach), through the next front end, as the
// page does with an upload (5 tries, 2, 4, 8 … s apart); it counts the
// requests sent again.
func (p *project) resend(send func() error) error {
	var err error
	for try := 1; try <= 5; try++ {
		err = send()
		var se *apiclient.StatusError
		if err == nil || (errors.As(err, &se) && se.Code != http.StatusBadGateway && se.Code != http.StatusServiceUnavailable) {
			return err
		}
		resumed.Add(1)
		p.Base = p.urls[(slices.Index(p.urls, p.Base)+1)%len(p.urls)]
		time.Sleep(time.Second << try)
	}
	return err
}

// resumed counts the requests sent again after their front end went away.
var resumed atomic.Int64

func (p *project) render() (string, error) {
	var res struct{ Job string }
	err := p.resend(func() error {
		_, err := p.Do("POST", p.Path("/render"), strings.NewReader(`{"master_anyway":true}`), "application/json", &res)
		return err
	})
	return res.Job, err
}

// wait waits for a render to end and returns its state; a render that
// did not end done is an error.
func (p *project) wait(job string, limit time.Duration) (string, error) {
	j, err := p.WaitJob(job, limit)
	switch {
	case err != nil:
		return "", fmt.Errorf("project %s: render not done after %s (%v)", p.ID, limit, err)
	case j.State != "done":
		return j.State, fmt.Errorf("project %s: render %s: %s", p.ID, j.State, j.Error)
	}
	return j.State, nil
}

// verify downloads every listed output and checks its size, and checks the
// project still lists its stems; it returns the number of lost files.
func (p *project) verify(stems int) (int, error) {
	outs, err := p.Outputs()
	if err != nil {
		return 0, err
	}
	lost := 0
	if len(outs) == 0 {
		lost++
	}
	for _, o := range outs {
		var data bytes.Buffer
		if _, err := p.Do("GET", p.Path("/outputs/"+o.Name), nil, "", &data); err != nil || int64(data.Len()) != o.Size {
			lost++
		}
	}
	var proj struct {
		Stems []json.RawMessage `json:"stems"`
	}
	if _, err := p.Do("GET", p.Path(""), nil, "", &proj); err != nil {
		return lost, err
	}
	if len(proj.Stems) != stems {
		lost += stems - len(proj.Stems)
	}
	return lost, nil
}
