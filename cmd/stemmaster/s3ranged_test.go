package main

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/internal/s3test"
)

// s3Counter is a proxy in front of the S3 server (s3test.Proxy) that counts
// the GETs of objects whose key contains match, with and without a Range
// header.
type s3Counter struct {
	*httptest.Server
	mu            sync.Mutex
	ranged, whole int
}

func newS3Counter(t *testing.T, endpoint, match string) *s3Counter {
	t.Helper()
	c := &s3Counter{}
	c.Server = s3test.Proxy(t, endpoint, func(r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, match) {
			c.mu.Lock()
			if r.Header.Get("Range") != "" {
				c.ranged++
			} else {
				c.whole++
			}
			c.mu.Unlock()
		}
	})
	return c
}

func (c *s3Counter) counts() (ranged, whole int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, w := c.ranged, c.whole
	c.ranged, c.whole = 0, 0
	return r, w
}

// watchFiles records the names of regular files that appear under dir
// until stop is called (a copy of a stem in a worker's scratch space).
func watchFiles(dir string, names map[string]bool) (stop func() []string) {
	done := make(chan struct{})
	seen := map[string]bool{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
				if err == nil && e.Type().IsRegular() && names[e.Name()] {
					seen[p] = true
				}
				return nil
			})
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(done)
		wg.Wait()
		var out []string
		for p := range seen {
			out = append(out, p)
		}
		return out
	}
}

// TestS3RenderReadsInPlace checks and renders with blobs on versitygw:
// the worker reads the stems in place by ranged requests, so no stem is
// ever in its scratch space and no stem is downloaded whole, and the
// master lands on target. With --copy-inputs the same watch sees the copies and the whole
// downloads (the watch can see what it looks for).
func TestS3RenderReadsInPlace(t *testing.T) {
	skipShort(t, "runs the server binary against a local S3")
	srv := s3test.Start(t)
	direct := srv.Bucket(t, "stemmaster")
	counter := newS3Counter(t, srv.Endpoint, "/stem/")
	bucket := strings.Replace(direct, srv.Endpoint, counter.URL, 1)
	stems := demoStemFiles(t)
	names := map[string]bool{}
	// chunks is how many requests one read of the stems in order takes:
	// 64 KiB, then 1 MiB at a time.
	var size int64
	chunks := 0
	for _, p := range stems {
		names[filepath.Base(p)] = true
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		size += fi.Size()
		chunks += 1 + int((fi.Size()-64<<10+1<<20-1)/(1<<20))
	}
	for _, mode := range []struct {
		name string
		args []string
	}{{"in place", nil}, {"copied", []string{"--copy-inputs"}}} {
		t.Run(mode.name, func(t *testing.T) {
			data := t.TempDir()
			// Each render is held 2 s once its inputs are ready, so a copy
			// stays long enough for the watch to see it.
			web := startServerEnv(t, data, []string{"STEMMASTER_FAULT_DELAY=render-started*=2s"}, append([]string{"--blobs", bucket}, mode.args...)...)
			c := uploadProject(t, web.url, stems)
			// Each upload's stream preview is made after the upload
			// returns, reading the stem once; the streams view waits for
			// them, so that their reads are not counted as the check's.
			if code, body := c.get(t, c.Path("/streams")); code != http.StatusOK {
				t.Fatalf("streams: %d %s", code, body)
			}
			counter.counts()
			stop := watchFiles(filepath.Join(data, "tmp"), names)
			if j, err := c.WaitJob(c.queue(t, "check"), 120*time.Second); err != nil || j.State != "done" {
				t.Fatalf("check: %+v %v", j, err)
			}
			checkRanged, checkWhole := counter.counts()
			job := c.queue(t, "render")
			j, err := c.WaitJob(job, 120*time.Second)
			seen := stop()
			if err != nil || j.State != "done" {
				t.Fatalf("render: %+v %v", j, err)
			}
			checkMaster(t, c)
			ranged, whole := counter.counts()
			t.Logf("%d stems, %d bytes: check %d ranged and %d whole GETs of stems, render %d and %d; stem files seen in the scratch space: %d",
				len(stems), size, checkRanged, checkWhole, ranged, whole, len(seen))
			if mode.args == nil {
				if len(seen) != 0 || whole != 0 || checkWhole != 0 {
					t.Errorf("reading in place, the worker downloaded %d stems whole (%d for the check) and left copies %v", whole+checkWhole, checkWhole, seen)
				}
				// The check reads every stem at least once.
				if checkRanged < chunks {
					t.Errorf("the check sent %d ranged requests, want at least %d", checkRanged, chunks)
				}
				// The render and the A/B sum each read every stem in order;
				// the render's header read and the check open each stem
				// once more (a request each, three at most).
				if least, most := chunks, 2*chunks+3*len(stems); ranged < least || ranged > most {
					t.Errorf("%d ranged requests, want %d … %d", ranged, least, most)
				}
			} else if len(seen) < len(stems) || whole < len(stems) || checkWhole < len(stems) {
				t.Errorf("copying, the watch saw %d stem copies and %d whole downloads; want %d of each", len(seen), whole, len(stems))
			}
		})
	}
}
