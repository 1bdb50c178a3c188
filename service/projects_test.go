package service

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/s3test"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// fakeQueue records the kinds of the jobs queued.
type fakeQueue struct{ args []string }

func (q *fakeQueue) Enqueue(_ context.Context, args river.JobArgs) error {
	q.args = append(q.args, args.Kind())
	return nil
}
func (q *fakeQueue) Start(context.Context) error { return nil }
func (q *fakeQueue) Stop(context.Context) error  { return nil }
func (q *fakeQueue) Close() error                { return nil }

// TestProjectsLifecycle drives a project through service.Projects as the
// HTTP handlers do, without HTTP: a mix alone (a stereo master), then a
// stem (the project leaves stereo), the file limit, a session refused
// with typed kinds and one stored, a render queued with the session
// reconciled, a file deleted, the project deleted.
func TestProjectsLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, meta, blobs := storetest.Open(t)
	q := &fakeQueue{}
	ps := &Projects{Meta: meta, Blobs: blobs, Queue: q}
	now := time.Now().UTC()
	p := &store.Project{ID: NewID(), TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := ps.Create(ctx, p, false, store.FileLimits{}); err != nil {
		t.Fatal(err)
	}
	lim := store.FileLimits{MaxFiles: 2, MaxTotalBytes: 1 << 20}
	record := func(kind, name string) error {
		info := &FileInfo{Name: name, Size: 4, Summary: audio.Summary{SampleRate: 48000, Channels: 2}}
		f := &store.File{ProjectID: p.ID, Kind: kind, Name: name, Size: 4, BlobKey: store.UploadKey(p.ID, kind, NewID()[:16], name),
			Info: EncodeFileInfo(info), CreatedAt: time.Now().UTC()}
		counted := false
		err := ps.RecordFile(ctx, f, bytes.NewReader([]byte("RIFF")), lim, func() { counted = true })
		if err == nil && !counted {
			t.Errorf("%s recorded without telling", name)
		}
		return err
	}
	if err := record(store.KindMix, "mix.wav"); err != nil {
		t.Fatal(err)
	}
	p, _ = meta.Project(ctx, p.ID)
	files, _ := ps.Files(ctx, p.ID)
	if s := ps.Session(p, files); !StereoSession(s, "mix.wav") {
		t.Fatalf("a mix alone: session %+v, want the stereo master of the mix", s)
	}
	stereo := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "mix.wav"}}}
	if err := ps.SaveSession(ctx, p.ID, stereo, files, files.Mix()); err != nil {
		t.Fatal(err)
	}
	if err := record(store.KindStem, "drums.wav"); err != nil {
		t.Fatal(err)
	}
	var qe *store.QuotaError
	if err := record(store.KindStem, "bass.wav"); !errors.As(err, &qe) || !qe.Files {
		t.Errorf("a third file against a limit of 2: %v, want a file-count QuotaError", err)
	}
	if keys, _ := blobs.Keys(ctx, store.ProjectPrefix(p.ID)); len(keys) != 2 {
		t.Errorf("blobs %v, want the mix and the stem (the refused file's blob deleted)", keys)
	}
	p, _ = meta.Project(ctx, p.ID)
	files, _ = ps.Files(ctx, p.ID)
	if s := ps.Session(p, files); len(s.Stems) != 1 || s.Stems[0].File != "drums.wav" || s.Mix != "mix.wav" {
		t.Errorf("after the first stem: session %+v, want the stem mastered with the mix as reference", s)
	}

	bad := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "bass.wav"}}}
	err := ps.SaveSession(ctx, p.ID, bad, files, files.Mix())
	if ses := stemmaster.SessionErrors(err); len(ses) == 0 || ses[0].Kind != stemmaster.ErrNoFile || ses[0].Field != "stems[0].file" {
		t.Errorf("a session naming a file not uploaded: %v, want a no_file error on stems[0].file", err)
	}
	good, err := ParseSession([]byte(`{"stems":[{"file":"drums.wav","gain_db":-3}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.SaveSession(ctx, p.ID, good, files, files.Mix()); err != nil {
		t.Fatal(err)
	}
	p, _ = meta.Project(ctx, p.ID)
	sess, err := ps.PrepareRender(ctx, p, files)
	if err != nil || len(sess.Stems) != 1 || sess.Stems[0].GainDB != -3 || sess.Mix != "mix.wav" {
		t.Fatalf("render session %+v, %v; want the stored one, reconciled", sess, err)
	}
	job, _, err := ps.QueueJobWithin(ctx, p.ID, store.JobRender, JobRequest{Confirmed: []string{"offset"}, Note: "louder"}, store.JobLimits{})
	if err != nil || len(q.args) != 1 || q.args[0] != "stemmaster_render" {
		t.Fatalf("queue: %v, %v; want one render queued", job, err)
	}
	// The job row keeps what the render was asked with: jobs.Requeue queues
	// it again with them when the insert above is lost.
	if j, err := meta.Job(ctx, p.ID, job.ID); err != nil || len(j.Confirmed) != 1 || j.Confirmed[0] != "offset" || j.Note != "louder" {
		t.Errorf("recorded render %+v, %v; want confirmed [offset], note louder", j, err)
	}

	if err := ps.DeleteFile(ctx, p.ID, store.KindStem, "nope.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a file never uploaded: %v, want ErrNotFound", err)
	}
	if err := ps.DeleteFile(ctx, p.ID, store.KindMix, "mix.wav"); err != nil {
		t.Fatal(err)
	}
	if err := ps.Delete(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if keys, _ := blobs.Keys(ctx, store.ProjectPrefix(p.ID)); len(keys) != 0 {
		t.Errorf("a deleted project left %v", keys)
	}
}

// createdProject creates a project of an hour's retention through ps.
func createdProject(t *testing.T, ps *Projects) *store.Project {
	t.Helper()
	now := time.Now().UTC()
	p := &store.Project{ID: NewID(), TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := ps.Create(context.Background(), p, false, store.FileLimits{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// downMeta is a database that fails the calls named in down, as one
// restarting does (a refused connection).
type downMeta struct {
	store.Metadata
	down map[string]bool
}

var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

func (m downMeta) ExpireProject(ctx context.Context, id string) error {
	if m.down["expire"] {
		return errRefused
	}
	return m.Metadata.ExpireProject(ctx, id)
}

func (m downMeta) DeleteProject(ctx context.Context, id string) error {
	if m.down["delete"] {
		return errRefused
	}
	return m.Metadata.DeleteProject(ctx, id)
}

// TestDeleteWithTheDatabaseDown: a deletion whose records cannot be
// deleted after its files are must not answer 503 and leave a live
// project whose every file is gone until the client retries. A deletion
// ends the project's retention first: refused there, nothing is touched;
// past it, the project is gone for its client and the expiry sweep
// finishes what the failure left.
func TestDeleteWithTheDatabaseDown(t *testing.T) {
	ctx := context.Background()
	_, meta, blobs := storetest.Open(t)
	newProject := func() string {
		ps := &Projects{Meta: meta, Blobs: blobs}
		p := createdProject(t, ps)
		f := &store.File{ProjectID: p.ID, Kind: store.KindStem, Name: "drums.wav", Size: 4, BlobKey: store.UploadKey(p.ID, store.KindStem, NewID()[:16], "drums.wav"),
			Info: EncodeFileInfo(&FileInfo{Name: "drums.wav", Size: 4}), CreatedAt: p.CreatedAt}
		if err := ps.RecordFile(ctx, f, bytes.NewReader([]byte("RIFF")), store.FileLimits{MaxFiles: 4, MaxTotalBytes: 1 << 20}, func() {}); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	blobsOf := func(id string) int {
		keys, err := blobs.Keys(ctx, store.ProjectPrefix(id))
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}

	id := newProject()
	ps := &Projects{Meta: downMeta{meta, map[string]bool{"expire": true}}, Blobs: blobs}
	if err := ps.Delete(ctx, id); !store.Unavailable(err) {
		t.Errorf("deletion with the database down: %v, want it unavailable", err)
	}
	if p, err := meta.Project(ctx, id); err != nil || !p.ExpiresAt.After(time.Now()) || blobsOf(id) != 1 {
		t.Errorf("a refused deletion touched the project: %+v, %v, %d blobs", p, err, blobsOf(id))
	}

	id = newProject()
	ps.Meta = downMeta{meta, map[string]bool{"delete": true}}
	if err := ps.Delete(ctx, id); err != nil {
		t.Errorf("deletion whose records outlived its files: %v, want it done for the client", err)
	}
	if p, err := meta.Project(ctx, id); err != nil || !p.ExpiresAt.Before(time.Now()) || blobsOf(id) != 0 {
		t.Errorf("after the deletion: %+v, %v, %d blobs; want the project expired and its files gone", p, err, blobsOf(id))
	}
	if n, err := (&Runner{Meta: meta, Blobs: blobs}).Expire(ctx, time.Now()); err != nil || n != 1 {
		t.Errorf("expiry sweep: %d, %v; want the deleted project's records removed", n, err)
	}
	if _, err := meta.Project(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after the sweep: %v, want the project gone", err)
	}
}

// hungMeta is a database that does not answer EndUpload: the call would
// return only when its context ends. It says whether that context has a
// deadline, and returns as if it had passed (a test waits for no clock).
type hungMeta struct {
	store.Metadata
	ended chan bool // whether the call's context had a deadline
}

func (m hungMeta) EndUpload(ctx context.Context, id string) error {
	_, bounded := ctx.Deadline()
	m.ended <- bounded
	return context.DeadlineExceeded
}

// TestEndUploadOnAHungDatabase: ending an upload in flight asks the store
// to delete its reservation within a bound (endTimeout); a database that
// does not answer leaves the reservation to lapse, never the request
// that ends the upload, and its slot, held for ever.
func TestEndUploadOnAHungDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, meta, blobs := storetest.Open(t)
	ps := &Projects{Meta: meta, Blobs: blobs}
	p := createdProject(t, ps)
	hung := hungMeta{meta, make(chan bool, 1)}
	ps.Meta = hung
	u, err := ps.BeginUpload(ctx, p.ID, store.KindStem, "drums.wav", store.FileLimits{MaxFiles: 4})
	if err != nil {
		t.Fatal(err)
	}
	u.End()
	if bounded := <-hung.ended; !bounded {
		t.Error("End asked the store to delete the reservation with no deadline: a hung database holds it for ever")
	}
}

// racingMeta runs writes when a deletion has deleted the project's blobs
// and is about to delete its records: the moment a write racing the
// deletion kept its folder for good.
type racingMeta struct {
	store.Metadata
	writes func()
}

func (m racingMeta) DeleteProject(ctx context.Context, id string) error {
	m.writes()
	return m.Metadata.DeleteProject(ctx, id)
}

// TestWritesRacingADelete: every writer of a project whose write lands
// between a deletion's blob delete and its records' (an upload, a
// reference, the title, the parked stems, a stream preview) is refused
// and leaves nothing under the project's prefix, for a deletion the
// client asked for and for the expiry sweep's.
func TestWritesRacingADelete(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"delete", "expiry"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir, meta, blobs := storetest.Open(t)
			writer := &Projects{Meta: meta, Blobs: blobs}
			p := createdProject(t, writer)
			now := p.CreatedAt
			lim := store.FileLimits{MaxFiles: 8, MaxTotalBytes: 1 << 20}
			stem := func(name string) *store.File {
				return &store.File{ProjectID: p.ID, Kind: store.KindStem, Name: name, Size: 4, CreatedAt: now,
					BlobKey: store.UploadKey(p.ID, store.KindStem, NewID()[:16], name), Info: EncodeFileInfo(&FileInfo{Name: name, Size: 4})}
			}
			if err := writer.RecordFile(ctx, stem("drums.wav"), strings.NewReader("RIFF"), lim, nil); err != nil {
				t.Fatal(err)
			}
			ran := false
			race := racingMeta{meta, func() {
				ran = true
				if keys, _ := blobs.Keys(ctx, store.ProjectPrefix(p.ID)); len(keys) != 0 {
					t.Errorf("the deletion's records went before its blobs: %v left", keys)
				}
				bass := stem("bass.wav")
				writes := map[string]error{
					"a stem":       writer.RecordFile(ctx, bass, strings.NewReader("RIFF"), lim, nil),
					"a reference":  writer.RecordReference(ctx, p.ID, &FileInfo{Name: "ref.wav", Size: 4}, 1, strings.NewReader("RIFF"), ReferenceLimits{MaxReferences: 4, MaxTotalBytes: 1 << 20}),
					"the title":    writer.SetTitle(ctx, p.ID, "My Song"),
					"parked stems": writer.ParkStems(ctx, p.ID, &stemmaster.Session{}),
					"a preview":    writer.PutPreview(ctx, bass.BlobKey, strings.NewReader("0123"), []byte(`{}`)),
				}
				for what, err := range writes {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s stored while the project's deletion ran: %v, want ErrNotFound", what, err)
					}
				}
			}}
			switch how {
			case "delete":
				if err := (&Projects{Meta: race, Blobs: blobs}).Delete(ctx, p.ID); err != nil {
					t.Fatal(err)
				}
			case "expiry":
				// Past its retention by the database's clock, as the
				// sweep finds it.
				if _, err := meta.DB().ExecContext(ctx, `UPDATE projects SET expires_at = ? WHERE id = ?`, now.Add(-time.Second).UnixMilli(), p.ID); err != nil {
					t.Fatal(err)
				}
				clock, err := meta.Clock(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n, err := (&Runner{Meta: race, Blobs: blobs}).Expire(ctx, clock); err != nil || n != 1 {
					t.Fatalf("expiry sweep: %d, %v; want the project deleted", n, err)
				}
			}
			if !ran {
				t.Fatal("the deletion never deleted the project's records")
			}
			if _, err := meta.Project(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after the deletion: %v, want the project gone", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "blobs", "projects", p.ID)); !errors.Is(err, fs.ErrNotExist) {
				keys, _ := blobs.Keys(ctx, store.ProjectPrefix(p.ID))
				t.Errorf("the deleted project's folder: %v (keys %v), want it gone", err, keys)
			}
		})
	}
}

// TestOutputURLOnTheStoreClock: on a front end whose clock runs 2 hours
// ahead of the database, a download link is signed as made at the
// database's time and expires_at is that time and the lifetime: one
// clock, what the client is told and what S3 checks the link against
// agreeing. Signed on the machine's clock, the link's X-Amz-Date and the
// expiry it was told were the machine's.
func TestOutputURLOnTheStoreClock(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()
	_, meta, _ := storetest.Open(t)
	blobs, err := store.OpenBlobs(ctx, srv.Bucket(t, "signed")+"&public_links=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	ps := &Projects{Meta: clockBehind{meta, 2 * time.Hour}, Blobs: blobs}
	before := ps.Now()
	link, expires, err := ps.OutputURL(ctx, &store.Output{Name: "main.wav", BlobKey: "projects/p/main.wav"}, "main.wav", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("link %s: %v", link, err)
	}
	if d := signed.Sub(before); d < -time.Second || d > 5*time.Second {
		t.Errorf("the link is signed as made at %v, %v from the database's clock %v", signed, d, before)
	}
	if d := expires.Sub(signed.Add(15 * time.Minute)); d.Abs() > time.Second {
		t.Errorf("expires_at %v is %v off the link's own expiry (X-Amz-Date %v and 15 min)", expires, d, signed)
	}
}
