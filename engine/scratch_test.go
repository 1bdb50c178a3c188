package engine

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
)

// TestScratchBoundsTheRender renders the demo song with stem-aware
// limiting, sampling the bytes the render holds in its output directory
// (its deliverables, report and the unlinked stem spools, seen through
// the process's open files), and checks the estimate bounds the peak and
// stays within twice it: a bound too loose refuses renders a disk holds.
// The preview is the service's file, not the engine's: it is left out of
// both sides.
func TestScratchBoundsTheRender(t *testing.T) {
	// Not parallel: it counts the process's open spools, and a render
	// running beside it would add its own.
	if runtime.GOOS != "linux" {
		t.Skip("the unlinked spools are seen through /proc/self/fd")
	}
	for _, versions := range [][]stemmaster.Version{
		{stemmaster.VersionMain},
		{stemmaster.VersionMain, stemmaster.VersionInstrumental},
		{stemmaster.VersionMain, stemmaster.VersionInstrumental, stemmaster.VersionACappella},
	} {
		t.Run(string(versions[len(versions)-1]), func(t *testing.T) {
			s := demoSession(t)
			s.Versions = versions
			s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			inputs := map[string]audio.Info{}
			for _, st := range s.Stems {
				info, err := audio.Stat(s.Path(st.File))
				if err != nil {
					t.Fatal(err)
				}
				inputs[st.File] = info
			}
			est := EstimateScratch(s, inputs)
			if est.StemSpool == 0 || est.Preview == 0 || est.Deliverables == 0 {
				t.Fatalf("estimate %+v leaves a part out", est)
			}
			out := t.TempDir()
			stop := make(chan struct{})
			var peak int64
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					peak = max(peak, heldBytes(out))
					select {
					case <-stop:
						return
					case <-time.After(200 * time.Microsecond):
					}
				}
			}()
			_, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			peak = max(peak, heldBytes(out))
			bound := est.Total() - est.Preview
			t.Logf("peak %d bytes, estimate %d (%+v)", peak, bound, est)
			if bound < peak {
				t.Errorf("estimate %d bytes is below the render's peak %d", bound, peak)
			}
			if bound > 2*peak {
				t.Errorf("estimate %d bytes is over twice the render's peak %d", bound, peak)
			}
		})
	}
}

// heldBytes is the bytes of the files in dir, those unlinked but still
// open in this process included.
func heldBytes(dir string) int64 {
	var n int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		p := filepath.Join("/proc/self/fd", fd.Name())
		target, err := os.Readlink(p)
		if err != nil || !strings.HasPrefix(target, dir+string(filepath.Separator)) || !strings.HasSuffix(target, " (deleted)") {
			continue
		}
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}
