package server

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"stemmaster/service"
)

// TestSpoolingReserves sends two uploads at once, holds each after its
// first 2 MiB until the server has spooled both that far, then sends the
// rest: 3 MiB each, 6 MiB in all, against room for 5 MiB — on the disk
// (the free-space watermark, two projects) and in a project's size limit
// (one project). Counted only once recorded, both would be taken; with
// the bytes in flight reserved, one is cut (507 / 413) and the other
// stored.
func TestSpoolingReserves(t *testing.T) {
	t.Parallel()
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
			clients := [2]*client{b.newProject(t)}
			if tc.twoProject {
				clients[1] = b.newProject(t)
			} else {
				clients[1] = clients[0]
			}
			raceUploads(t, [2]*testBundle{b, b}, clients, wav, tc.refused)
			// The stored upload's spool file is kept for its preview.
			for _, c := range clients {
				b.waitPreviews(t, c.id)
			}
			if r := b.srv.spools.reserved(); r != 0 {
				t.Errorf("%d bytes still reserved after the uploads and their previews ended", r)
			}
		})
	}
}

// raceUploads sends two uploads of wav (3 MiB) at once, drums.wav by
// clients[0] to bundles[0]'s server and bass.wav by clients[1] to
// bundles[1]'s (the same server or another front end), against room for
// one of them: it holds each after its first 2 MiB until the servers have
// spooled both that far, then sends the rest but the multipart trailers:
// no upload can end before one of them is cut (each request ends only once
// its trailer is read), so both are in flight together to the end of
// their files, whatever the scheduling. Once the cut has freed its
// reservation (one file's bytes at most left in flight), the trailers go.
// It wants one upload stored (201) and the other refused with refused.
func raceUploads(t *testing.T, bundles [2]*testBundle, clients [2]*client, wav []byte, refused int) {
	t.Helper()
	const mib = 1 << 20
	spooled := func() int64 {
		n := bundles[0].srv.spools.reserved()
		if bundles[1] != bundles[0] {
			n += bundles[1].srv.spools.reserved()
		}
		return n
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
	// Both uploads have 2 MiB in flight (less what the multipart reader
	// still buffers).
	deadline := time.Now().Add(30 * time.Second)
	for spooled() < 2*(2*mib-64<<10) {
		if time.Now().After(deadline) {
			t.Fatalf("spooled %d bytes after 30 s, want both uploads' first 2 MiB", spooled())
		}
		time.Sleep(5 * time.Millisecond)
	}
	const trailer = 64
	for i := range 2 {
		go writers[i].Write(bodies[i][2*mib : len(bodies[i])-trailer]) // a cut upload stops reading
	}
	deadline = time.Now().Add(30 * time.Second)
	for spooled() > 7*mib/2 && time.Now().Before(deadline) { // none cut: the codes say so
		time.Sleep(5 * time.Millisecond)
	}
	for i := range 2 {
		go func() {
			writers[i].Write(bodies[i][len(bodies[i])-trailer:])
			writers[i].Close()
		}()
	}
	wg.Wait()
	if !slices.Contains(codes, http.StatusCreated) || !slices.Contains(codes, refused) {
		t.Errorf("codes %v, want one 201 and one %d", codes, refused)
	}
}

// TestUploadsCountRenders: the renders' reservations (service.Disk) count
// against the watermark an upload in flight is judged by, and the
// uploads' bytes against a render's reservation.
func TestUploadsCountRenders(t *testing.T) {
	t.Parallel()
	const minFree, free = 1000, 1100
	disk := &service.Disk{MinFreeBytes: minFree, FreeBytes: func() (uint64, error) { return free, nil }}
	s := New(Config{Disk: disk})
	sp := s.spools.begin()
	release, err := disk.Reserve(80)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.reserveDisk(40, free, minFree); err != errSpoolDisk {
		t.Errorf("an upload over the render's reservation: %v, want %v", err, errSpoolDisk)
	}
	release()
	sp = s.spools.begin()
	if err := sp.reserveDisk(40, free, minFree); err != nil {
		t.Fatalf("an upload once the render is done: %v", err)
	}
	if _, err := disk.Reserve(80); err == nil {
		t.Error("a render over the upload in flight was let through")
	}
	sp.end()
	if _, err := disk.Reserve(80); err != nil {
		t.Errorf("a render once the upload is done: %v", err)
	}
}
