package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/jobs"
	"stemmaster/store"
)

// diskProject creates project id with one stereo stem of a minute at
// 48 kHz (as its upload record says), a session with stem-aware limiting,
// and a queued render job of the same id.
func (b *testBundle) diskProject(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	if err := b.meta.CreateProject(ctx, &store.Project{ID: id, TokenHash: []byte(id), CreatedAt: now, ExpiresAt: now.Add(time.Hour),
		Session: []byte(`{"stems":[{"file":"drums.wav"}],"master":{"limiter":{"stem_aware":{}}}}`)}); err != nil {
		t.Fatal(err)
	}
	path := audiotest.WriteWAV(t, b.dir, id+".wav", audiotest.Sine(48000, 2, 4800, 100, -20, 0), 48000, 24)
	key := store.UploadKey(id, store.KindStem, "u1", "drums.wav")
	if _, err := b.blobs.PutFile(ctx, key, "audio/wav", path); err != nil {
		t.Fatal(err)
	}
	info := EncodeFileInfo(&FileInfo{Container: "wav", Summary: audio.Summary{SampleRate: 48000, Channels: 2, BitDepth: 24, Frames: 60 * 48000}})
	if err := b.meta.PutFile(ctx, &store.File{ProjectID: id, Kind: store.KindStem, Name: "drums.wav", Size: 1, BlobKey: key, Info: info, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := b.meta.CreateJob(ctx, &store.Job{ID: id, ProjectID: id, Kind: store.JobRender, State: store.StateQueued, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
}

// scratchOf is the reservation a render of project id makes.
func (b *testBundle) scratchOf(t *testing.T, id string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := b.meta.Project(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	_, files, err := b.meta.FileSet(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sc := renderScratch(p.Session, files)
	if sc.StemSpool == 0 || sc.Total() < 60*48000*8*3 {
		t.Fatalf("scratch %+v: the session's stem spool or the minute of audio is not counted", sc)
	}
	return sc.Total() + b.runner.inputCopies(files)
}

const testMinFree = 1 << 30

// fakeDisk is a disk of free bytes free (the watermark is testMinFree).
func fakeDisk(free int64) *Disk {
	return &Disk{MinFreeBytes: testMinFree, FreeBytes: func() (uint64, error) { return uint64(free), nil }}
}

// blockingRenderer records the reservation it runs under, then waits
// until release is closed and writes one output.
type blockingRenderer struct {
	disk     *Disk
	started  chan struct{}
	release  chan struct{}
	reserved atomic.Int64
}

func (r *blockingRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	r.reserved.Store(r.disk.Reserved())
	if r.started != nil {
		close(r.started)
	}
	if r.release != nil {
		<-r.release
	}
	if err := os.WriteFile(filepath.Join(in.OutDir, "main.wav"), []byte("RIFF"), 0o644); err != nil {
		return nil, err
	}
	return &stemmaster.Report{Outputs: []stemmaster.OutputReport{{File: "main.wav"}}}, nil
}

// TestRenderRefusedShortOfDisk: a render whose scratch does not fit above
// the watermark is put off, queued again saying it waits for disk, until
// its last attempt, which fails for good saying what is short and by how
// much (no path); no attempt calls the renderer or writes anything.
func TestRenderRefusedShortOfDisk(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.diskProject(t, "p")
	need := b.scratchOf(t, "p")
	b.runner.Disk = fakeDisk(testMinFree + need/2)
	var calls atomic.Int32
	b.runner.Renderer = rendererFunc(func(context.Context, RenderInput) (*stemmaster.Report, error) {
		calls.Add(1)
		return nil, errors.New("the renderer ran")
	})
	ctx := context.Background()
	for attempt := 1; attempt < 3; attempt++ {
		err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "p"}, attempt, 3)
		var dse *DiskShortError
		var jce *river.JobCancelError
		if !errors.As(err, &dse) || errors.As(err, &jce) {
			t.Fatalf("attempt %d: err = %v, want the DiskShortError handed to River to retry", attempt, err)
		}
		j, _ := b.meta.Job(ctx, "p", "p")
		if j.State != store.StateQueued || j.Error != errWaitingForDisk.Error() {
			t.Errorf("attempt %d: job = %+v, want queued, %q", attempt, j, errWaitingForDisk)
		}
	}
	err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "p"}, 3, 3)
	var jce *river.JobCancelError
	if !errors.As(err, &jce) {
		t.Fatalf("last attempt: err = %v, want a river.JobCancelError (no retry)", err)
	}
	j, _ := b.meta.Job(ctx, "p", "p")
	spare := need - need/2
	want := fmt.Sprintf("it needs %d MB of working space and %d MB is free above the reserve the server keeps (%d MB short)",
		(need+999_999)/1_000_000, (spare+999_999)/1_000_000, (need-spare+999_999)/1_000_000)
	if j.State != store.StateFailed || !strings.Contains(j.Error, "short of disk space") || !strings.Contains(j.Error, want) {
		t.Errorf("job = %+v, want failed with %q", j, want)
	}
	if strings.Contains(j.Error, b.dir) || strings.Contains(j.Error, "/") {
		t.Errorf("error %q names a path", j.Error)
	}
	if calls.Load() != 0 {
		t.Error("the renderer ran")
	}
	if keys, err := b.blobs.Keys(ctx, store.JobPrefix("p", "p")); err != nil || len(keys) != 0 {
		t.Errorf("blobs of the refused job: %v (%v)", keys, err)
	}
	if m, _ := filepath.Glob(filepath.Join(b.dir, "render-*")); len(m) != 0 {
		t.Errorf("working directories left: %v", m)
	}
	if r := b.runner.Disk.Reserved(); r != 0 {
		t.Errorf("%d bytes still reserved", r)
	}
}

// TestRendersSeeEachOthersReservation: two renders whose scratch fits
// the disk one at a time, not together: the second, started while the
// first runs, is put off; once the first is done (its reservation
// released), its next attempt runs, as does another render.
func TestRendersSeeEachOthersReservation(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.diskProject(t, "p1")
	b.diskProject(t, "p2")
	b.diskProject(t, "p3")
	need := b.scratchOf(t, "p1")
	disk := fakeDisk(testMinFree + need + need/2)
	b.runner.Disk = disk
	first := &blockingRenderer{disk: disk, started: make(chan struct{}), release: make(chan struct{})}
	b.runner.Renderer = first
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p1", JobID: "p1"}, 1, 3) }()
	<-first.started
	if got := first.reserved.Load(); got != need {
		t.Errorf("the render runs under %d bytes reserved, want %d", got, need)
	}
	var dse *DiskShortError
	if _, err := disk.Reserve(need); !errors.As(err, &dse) {
		t.Errorf("a second reservation beside the render: %v, want a DiskShortError", err)
	}
	err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p2", JobID: "p2"}, 1, 3)
	if j, _ := b.meta.Job(ctx, "p2", "p2"); !errors.As(err, &dse) || j.State != store.StateQueued || j.Error != errWaitingForDisk.Error() {
		t.Errorf("second render beside the first: %v, job %+v; want put off", err, j)
	}
	close(first.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := disk.Reserved(); r != 0 {
		t.Fatalf("%d bytes still reserved after the render", r)
	}
	b.runner.Renderer = &blockingRenderer{disk: disk}
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p2", JobID: "p2"}, 2, 3); err != nil {
		t.Fatalf("the put-off render's next attempt after the first is done: %v", err)
	}
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p3", JobID: "p3"}, 1, 3); err != nil {
		t.Fatalf("a render after the first is done: %v", err)
	}
}

// TestRenderReleasesItsReservation: the reservation is held while the
// renderer runs and released however the job ends: done, failed,
// panicked, cancelled.
func TestRenderReleasesItsReservation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		render func(context.Context, RenderInput) (*stemmaster.Report, error)
	}{
		{"done", nil},
		{"failed", failingRenderer{}.Render},
		{"panicked", panickingRenderer{}.Render},
		{"cancelled", func(context.Context, RenderInput) (*stemmaster.Report, error) { return nil, context.Canceled }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t, nil)
			b.diskProject(t, "p")
			need := b.scratchOf(t, "p")
			disk := fakeDisk(testMinFree + 2*need)
			b.runner.Disk = disk
			var held atomic.Int64
			blocking := &blockingRenderer{disk: disk}
			b.runner.Renderer = rendererFunc(func(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
				held.Store(disk.Reserved())
				if tc.render == nil {
					return blocking.Render(ctx, in)
				}
				return tc.render(ctx, in)
			})
			err := b.runner.Render(context.Background(), jobs.RenderArgs{ProjectID: "p", JobID: "p"}, 1, 3)
			if tc.render == nil && err != nil {
				t.Fatal(err)
			}
			if held.Load() != need {
				t.Errorf("%d bytes reserved during the render, want %d", held.Load(), need)
			}
			if r := disk.Reserved(); r != 0 {
				t.Errorf("%d bytes still reserved after the job (%v)", r, err)
			}
		})
	}
}

// TestDiskCountsUploads: the uploads in flight (Share) count against a
// render's reservation, and a render's reservation against the watermark
// the uploads read (Reserved).
func TestDiskCountsUploads(t *testing.T) {
	t.Parallel()
	disk := fakeDisk(testMinFree + 100)
	var uploads atomic.Int64
	disk.Share(uploads.Load)
	uploads.Store(60)
	var dse *DiskShortError
	if _, err := disk.Reserve(50); !errors.As(err, &dse) || dse.Need != 50 || dse.Spare != 40 {
		t.Fatalf("reserve beside 60 bytes of uploads in 100: %v, want 40 spare", err)
	}
	uploads.Store(0)
	release, err := disk.Reserve(50)
	if err != nil {
		t.Fatal(err)
	}
	if disk.Reserved() != 50 {
		t.Errorf("reserved %d, want 50", disk.Reserved())
	}
	release()
	release() // a second release gives nothing back twice
	if disk.Reserved() != 0 {
		t.Errorf("reserved %d after release, want 0", disk.Reserved())
	}
	var none *Disk
	if release, err := none.Reserve(1 << 50); err != nil || none.Reserved() != 0 {
		t.Errorf("a nil Disk refused or counted: %v", err)
	} else {
		release()
	}
}

// rendererFunc is a Renderer made of a function.
type rendererFunc func(context.Context, RenderInput) (*stemmaster.Report, error)

func (f rendererFunc) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	return f(ctx, in)
}

// TestRenderWork: the work estimate is the song's minutes × its rate over
// 48 kHz × (stems + BusWork a version), the longest stem's frames with
// its offset at the highest rate (a stem at a lower rate counted at the
// song's); the default budget takes a 10-minute song at 192 kHz with 16
// stems and all four versions exactly, and refuses 20 minutes at 384 kHz
// with 16 stems and one version; a stereo master is one stem.
func TestRenderWork(t *testing.T) {
	t.Parallel()
	file := func(kind, name string, rate int, seconds float64) store.File {
		return store.File{Kind: kind, Name: name, Info: EncodeFileInfo(&FileInfo{Container: "wav",
			Summary: audio.Summary{SampleRate: rate, Channels: 2, BitDepth: 24, Frames: int64(seconds * float64(rate))}})}
	}
	song := func(n, rate int, seconds float64, versions ...stemmaster.Version) (Files, *stemmaster.Session) {
		var fs Files
		sess := &stemmaster.Session{Versions: versions}
		for i := range n {
			name := fmt.Sprintf("s%d.wav", i)
			fs = append(fs, file(store.KindStem, name, rate, seconds))
			sess.Stems = append(sess.Stems, stemmaster.StemSpec{File: name})
		}
		return fs, sess
	}
	fs, sess := song(16, 192_000, 600, stemmaster.AllVersions...)
	if w := fs.RenderWork(sess); w.Units != DefaultRenderWork || w.Stems != 16 || w.Versions != 4 || w.Rate != 192_000 || w.Minutes != 10 {
		t.Errorf("10 min at 192 kHz, 16 stems, 4 versions: %+v, want %d units exactly", w, DefaultRenderWork)
	}
	fs, sess = song(16, 384_000, 1200)
	if w := fs.RenderWork(sess); w.Units != 20*8*(16+BusWork) || w.Units <= DefaultRenderWork {
		t.Errorf("20 min at 384 kHz, 16 stems, main only: %+v, want %d units, over the default budget", w, 20*8*(16+BusWork))
	}
	// One stem at 48 kHz, one of 90 s at 96 kHz played 30 s late: 2 min
	// at 96 kHz, two stems, one version.
	fs = Files{file(store.KindStem, "a.wav", 48_000, 60), file(store.KindStem, "b.wav", 96_000, 90)}
	sess = &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav"}, {File: "b.wav", OffsetSamples: 30 * 96_000}}}
	if w := fs.RenderWork(sess); w.Minutes != 2 || w.Rate != 96_000 || w.Units != 2*2*(2+BusWork) {
		t.Errorf("a 2-minute song at 96 kHz of two stems: %+v, want %d units", w, 2*2*(2+BusWork))
	}
	// Memory: the bus, 8 bytes a frame at the song's rate, whatever the
	// versions, and a few MiB a file read. A one-stem 20-minute song at
	// 384 kHz fits the default work budget and needs 3.8 GB, over the
	// default memory; at 192 kHz with 16 stems and every version it fits
	// both.
	fs, sess = song(1, 384_000, 1200)
	if w := fs.RenderWork(sess); w.Units > DefaultRenderWork || w.MemoryBytes != RenderBaseBytes+RenderInputBytes+8*1200*384_000 || w.MemoryBytes <= DefaultRenderMemory {
		t.Errorf("20 min at 384 kHz, one stem: %+v, want within the work budget and %d bytes, over the memory budget", w, RenderBaseBytes+RenderInputBytes+8*1200*384_000)
	}
	fs, sess = song(16, 192_000, 1200, stemmaster.AllVersions...)
	if w := fs.RenderWork(sess); w.MemoryBytes != RenderBaseBytes+16*RenderInputBytes+8*1200*192_000 || w.MemoryBytes > DefaultRenderMemory {
		t.Errorf("20 min at 192 kHz, 16 stems, 4 versions: %+v, want %d bytes, within the memory budget", w, RenderBaseBytes+16*RenderInputBytes+8*1200*192_000)
	}
	fs = Files{file(store.KindMix, "mix.wav", 48_000, 240)}
	if w := fs.RenderWork(&stemmaster.Session{}); w.Stems != 1 || w.Units != 4*(1+BusWork) {
		t.Errorf("a 4-minute stereo master at 48 kHz: %+v, want one stem, %d units", w, 4*(1+BusWork))
	}
}
