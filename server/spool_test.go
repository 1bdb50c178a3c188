package server

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestSpoolingReserves sends two uploads at once, holds each after its
// first 2 MiB until the server has spooled both that far, then sends the
// rest: 3 MiB each, 6 MiB in all, against room for 5 MiB — on the disk
// (the free-space watermark, two projects) and in a project's size limit
// (one project). Counted only once recorded, both would be taken; with
// the bytes in flight reserved, one is cut (507 / 413) and the other
// stored.
func TestSpoolingReserves(t *testing.T) {
	const mib = 1 << 20
	wav := wavBytes(t, 3*mib/6, 100) // 48 kHz stereo 24-bit: 6 bytes a frame
	for _, tc := range []struct {
		name       string
		edit       func(*Config)
		twoProject bool
		refused    int
	}{
		{"disk watermark", func(c *Config) {
			c.Limits = Limits{MaxFileBytes: 16 * mib, MaxTotalBytes: 64 * mib, MaxFiles: 16}
			c.FreeBytes = func() (uint64, error) { return 100 * mib, nil }
			c.MinFreeBytes = 95 * mib
		}, true, http.StatusInsufficientStorage},
		{"project size limit", func(c *Config) {
			c.Limits = Limits{MaxFileBytes: 16 * mib, MaxTotalBytes: 5 * mib, MaxFiles: 16}
			c.MinFreeBytes = -1
		}, false, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setupWith(t, tc.edit)
			clients := []*client{b.newProject(t)}
			if tc.twoProject {
				clients = append(clients, b.newProject(t))
			} else {
				clients = append(clients, clients[0])
			}
			names := []string{"drums.wav", "bass.wav"}
			writers := make([]*io.PipeWriter, 2)
			bodies := make([][]byte, 2)
			codes := make([]int, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				body, ctype := multipartBody(map[string][]byte{names[i]: wav}, names[i])
				bodies[i], _ = io.ReadAll(body)
				pr, pw := io.Pipe()
				writers[i] = pw
				req := clients[i].request("POST", clients[i].p("/stems"), pr, ctype)
				req.ContentLength = int64(len(bodies[i]))
				wg.Add(1)
				go func() {
					defer wg.Done()
					var data []byte
					codes[i], data = send(t, req)
					checkNoLeak(t, string(data))
					t.Logf("upload %d: %d %s", i, codes[i], bytes.TrimSpace(data))
				}()
			}
			for i := range 2 {
				if _, err := writers[i].Write(bodies[i][:2*mib]); err != nil {
					t.Fatal(err)
				}
			}
			// Both uploads have 2 MiB in flight (less what the multipart
			// reader still buffers).
			deadline := time.Now().Add(30 * time.Second)
			for b.srv.spools.reserved() < 2*(2*mib-64<<10) {
				if time.Now().After(deadline) {
					t.Fatalf("reserved %d bytes after 30 s, want both uploads' first 2 MiB", b.srv.spools.reserved())
				}
				time.Sleep(5 * time.Millisecond)
			}
			for i := range 2 {
				go func() {
					writers[i].Write(bodies[i][2*mib:]) // a cut upload stops reading
					writers[i].Close()
				}()
			}
			wg.Wait()
			stored, refused := 0, 0
			for _, c := range codes {
				switch c {
				case http.StatusCreated:
					stored++
				case tc.refused:
					refused++
				}
			}
			if stored != 1 || refused != 1 {
				t.Errorf("codes %v, want one 201 and one %d", codes, tc.refused)
			}
			if r := b.srv.spools.reserved(); r != 0 {
				t.Errorf("%d bytes still reserved after the uploads ended", r)
			}
		})
	}
}
