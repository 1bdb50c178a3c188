package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestReturnAttempt: the attempt of a job queued again after a graceful
// shutdown is taken back once; a running or finished job keeps its count.
func TestReturnAttempt(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		j, read := secondAttempt(t, s, ctx, now, "ra-"+name)
		attempt := func() int { return read().Attempt }
		// Running: nothing to take back.
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 2 {
			t.Errorf("running job: %v, attempt %d; want 2", err, attempt())
		}
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateQueued}); err != nil {
			t.Fatal(err)
		}
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 1 {
			t.Errorf("queued again: %v, attempt %d; want 1", err, attempt())
		}
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateDone}); err != nil {
			t.Fatal(err)
		}
		if err := s.ReturnAttempt(ctx, j.ID); err != nil || attempt() != 1 {
			t.Errorf("done: %v, attempt %d; want 1 kept", err, attempt())
		}
	})
}

// secondAttempt creates project id with a render job id+"-job" running
// its second attempt; read reads the job back.
func secondAttempt(t *testing.T, s *SQL, ctx context.Context, now time.Time, id string) (j *Job, read func() *Job) {
	t.Helper()
	p := createProject(t, s, id, now)
	j = &Job{ID: id + "-job", ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now}
	if err := s.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.BeginAttempt(ctx, p.ID, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	return j, func() *Job {
		got, err := s.Job(ctx, p.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
}

// TestPublicationIsExactlyOnceAndNewestWins publishes renders out of
// order and twice, and stores checks of stem sets since replaced.
func TestPublicationIsExactlyOnceAndNewestWins(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := createProject(t, s, "pp-"+name, now)
		older, newer := &Job{ID: "old-" + name, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now},
			&Job{ID: "new-" + name, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now}
		for _, j := range []*Job{older, newer} {
			if err := s.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			if _, err := s.BeginAttempt(ctx, p.ID, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		if older.Gen >= newer.Gen {
			t.Fatalf("generations %d, %d: want increasing", older.Gen, newer.Gen)
		}
		out := func(key string) []Output {
			return []Output{{Name: "main.wav", Kind: OutputAudio, Size: 1, ContentType: "audio/wav", BlobKey: key}}
		}
		// A stale attempt (a zombie after a rescue) never publishes.
		if pub, err := s.PublishRender(ctx, newer.ID, 7, nil, out("zombie"), nil); err != nil || !pub.Finished {
			t.Fatalf("stale attempt: %+v, %v", pub, err)
		}
		if pub, err := s.PublishRender(ctx, newer.ID, 1, nil, out("new"), nil); err != nil || !pub.Published {
			t.Fatalf("newer: %+v, %v", pub, err)
		}
		// The older render finishes last: it is not shown.
		pub, err := s.PublishRender(ctx, older.ID, 1, nil, out("old"), nil)
		if err != nil || !pub.Superseded || pub.Published {
			t.Fatalf("older after newer: %+v, %v", pub, err)
		}
		outs, _ := s.Outputs(ctx, p.ID)
		if len(outs) != 1 || outs[0].BlobKey != "new" {
			t.Errorf("outputs %+v, want the newer render's", outs)
		}
		// Publishing again (a re-run after a crash) changes nothing.
		if pub, err := s.PublishRender(ctx, newer.ID, 1, nil, out("again"), nil); err != nil || !pub.Finished {
			t.Errorf("second publication: %+v, %v", pub, err)
		}
		if j, _ := s.BeginAttempt(ctx, p.ID, newer.ID); j.State != StateDone || j.Attempt != 1 {
			t.Errorf("a done job began again: %+v", j)
		}
		sw, _ := s.Sweeps(ctx)
		if len(sw) != 1 || sw[0].JobID != older.ID {
			t.Errorf("sweeps %+v, want the superseded render only", sw)
		}

		// A check of a stem set since replaced is not stored.
		gen, _, err := s.FileSet(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		chk := &Job{ID: "chk-" + name, ProjectID: p.ID, Kind: JobCheck, State: StateQueued, CreatedAt: now}
		s.CreateJob(ctx, chk)
		s.BeginAttempt(ctx, p.ID, chk.ID)
		if err := s.PutFile(ctx, &File{ProjectID: p.ID, Kind: KindStem, Name: "new.wav", Size: 1, BlobKey: "k", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		stored, err := s.CompleteCheck(ctx, chk.ID, 1, gen, []byte(`{"stale":true}`))
		if err != nil || stored {
			t.Errorf("stale check stored=%v, %v", stored, err)
		}
		if got, _ := s.Project(ctx, p.ID); got.Check != nil {
			t.Errorf("stale check landed: %s", got.Check)
		}
		gen2, _, _ := s.FileSet(ctx, p.ID)
		chk2 := &Job{ID: "chk2-" + name, ProjectID: p.ID, Kind: JobCheck, State: StateQueued, CreatedAt: now}
		s.CreateJob(ctx, chk2)
		s.BeginAttempt(ctx, p.ID, chk2.ID)
		if stored, err := s.CompleteCheck(ctx, chk2.ID, 1, gen2, []byte(`{"ok":true}`)); err != nil || !stored {
			t.Errorf("current check stored=%v, %v", stored, err)
		}
		// A check made without a job (the suggest's) is kept only for the
		// current files and only where none is stored: one per upload set.
		if stored, err := s.KeepCheck(ctx, p.ID, gen2, []byte(`{"kept":1}`)); err != nil || stored {
			t.Errorf("kept over a stored check: stored=%v, %v", stored, err)
		}
		if err := s.PutFile(ctx, &File{ProjectID: p.ID, Kind: KindStem, Name: "newer.wav", Size: 1, BlobKey: "k2", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if stored, err := s.KeepCheck(ctx, p.ID, gen2, []byte(`{"kept":2}`)); err != nil || stored {
			t.Errorf("kept for replaced files: stored=%v, %v", stored, err)
		}
		gen3, _, _ := s.FileSet(ctx, p.ID)
		if stored, err := s.KeepCheck(ctx, p.ID, gen3, []byte(`{"kept":3}`)); err != nil || !stored {
			t.Errorf("current files' first check: stored=%v, %v", stored, err)
		}
		if got, _ := s.Project(ctx, p.ID); string(got.Check) != `{"kept":3}` || got.CheckGen != gen3 || got.CheckJob != "" {
			t.Errorf("kept check %s of generation %d (job %q), want {\"kept\":3} of %d", got.Check, got.CheckGen, got.CheckJob, gen3)
		}
		if stored, err := s.KeepCheck(ctx, p.ID, gen3, []byte(`{"kept":4}`)); err != nil || stored {
			t.Errorf("a second check of the same files: stored=%v, %v", stored, err)
		}
	})
}

// TestClientBytes: what the projects of one client store together counts
// files (with their previews), references, a published render that is not
// a revision and every revision's outputs, and no other client's; an
// upload that would take it over FileLimits.MaxClientBytes is refused
// (QuotaError.Client, with what is stored), a replacement counts only
// what it adds, and another client is not held back. The projects of one
// network count together the same way, against the network's bound
// (QuotaError.Net names it), whoever of it created them.
func TestClientBytes(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		mk := func(id, client, nw string) string {
			id += "-" + name
			if err := s.CreateProject(ctx, &Project{ID: id, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Client: client, ClientNet: nw}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		a1, a2, b1 := mk("cb-a1", "a", "n"), mk("cb-a2", "a", "n"), mk("cb-b1", "b", "n")
		lim := FileLimits{ClientLimits: ClientLimits{MaxClientBytes: 10_000}}
		put := func(p, file string, size, counted int64) error {
			_, err := s.PutFileWithin(ctx, &File{ProjectID: p, Kind: KindStem, Name: file, Size: size, Counted: counted, BlobKey: p + "/" + file, CreatedAt: now}, lim)
			return err
		}
		if err := put(a1, "x.flac", 100, 3000); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutReferenceWithin(ctx, &ReferenceTrack{ProjectID: a2, Name: "ref.wav", Size: 500, BlobKey: a2 + "/ref", CreatedAt: now}, 0, 0, ClientLimits{}); err != nil {
			t.Fatal(err)
		}
		// Two renders of a2: one published with a revision, one without.
		for i, rev := range []*Revision{{}, nil} {
			j := &Job{ID: fmt.Sprintf("cb-r%d-%s", i, name), ProjectID: a2, Kind: JobRender, State: StateQueued, CreatedAt: now}
			if err := s.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			if _, err := s.BeginAttempt(ctx, a2, j.ID); err != nil {
				t.Fatal(err)
			}
			outs := []Output{{Name: "main.wav", Kind: OutputAudio, Size: 1000, BlobKey: j.ID + "/main.wav"}, {Name: "report.json", Kind: OutputReport, Size: 200, BlobKey: j.ID + "/report.json"}}
			if _, err := s.PublishRender(ctx, j.ID, 1, nil, outs, rev); err != nil {
				t.Fatal(err)
			}
		}
		if err := put(b1, "y.flac", 9000, 0); err != nil {
			t.Fatal(err)
		}
		// stored is what the store counts for the project's client, and for
		// its network: the Used of an upload's refusal of more than any
		// bound (a reference's: it takes no place).
		asked := 0
		stored := func(p string) (client, network int64) {
			used := func(lim ClientLimits) *QuotaError {
				asked++
				id := fmt.Sprintf("stored-%s-%d", name, asked)
				if err := s.BeginUpload(ctx, &Reservation{ID: id, ProjectID: p, Kind: KindReference, Name: "r.wav"}, 0); err != nil {
					t.Fatal(err)
				}
				var qe *QuotaError
				if _, err := s.GrowUpload(ctx, id, 1<<40+1, 1<<40+1, FileLimits{ClientLimits: lim}); !errors.As(err, &qe) || !qe.Client {
					t.Fatalf("%s: an upload over any bound: %v, want its owner's QuotaError", p, err)
				}
				return qe
			}
			qc, qn := used(ClientLimits{MaxClientBytes: 1 << 40}), used(ClientLimits{MaxNetBytes: func(string) int64 { return 1 << 40 }})
			if qc.Net != "" || qn.Net != "n" {
				t.Fatalf("%s: refusals naming %q and %q, want the client's and network n's", p, qc.Net, qn.Net)
			}
			return qc.Used, qn.Used
		}
		// a: 3,000 (the preview) + 500 + 1,200 (revision) + 1,200 (current).
		if c, n := stored(a1); c != 5900 || n != 14900 {
			t.Errorf("client a: %d bytes, network n %d; want 5900, 14900", c, n)
		}
		err := put(a2, "z.flac", 4200, 0)
		var qe *QuotaError
		if !errors.As(err, &qe) || !qe.Client || qe.Limit != 10_000 || qe.Used != 5900 {
			t.Fatalf("4,200 more on 5,900 of 10,000: %v, want a client QuotaError with 5,900 used", err)
		}
		if err := put(a2, "z.flac", 4100, 0); err != nil {
			t.Fatalf("4,100 more on 5,900 of 10,000: %v", err)
		}
		// x.flac again at the same count: nothing more; bigger: refused.
		if err := put(a1, "x.flac", 3000, 0); err != nil {
			t.Errorf("replacing a file by one of its count: %v", err)
		}
		if err := put(a1, "x.flac", 3001, 0); !errors.As(err, &qe) || !qe.Client {
			t.Errorf("replacing a file by a bigger one at the bound: %v, want a client QuotaError", err)
		}
		// So for a reference: ref.wav again at its size fits, bigger does not.
		ref := func(size int64) error {
			_, err := s.PutReferenceWithin(ctx, &ReferenceTrack{ProjectID: a2, Name: "ref.wav", Size: size, BlobKey: a2 + "/ref", CreatedAt: now}, 0, 0, lim.ClientLimits)
			return err
		}
		if err := ref(500); err != nil {
			t.Errorf("replacing a reference by one of its size at the bound: %v", err)
		}
		if err := ref(501); !errors.As(err, &qe) || !qe.Client || qe.Net != "" {
			t.Errorf("replacing a reference by a bigger one at the bound: %v, want a client QuotaError", err)
		}
		if c, n := stored(b1); c != 9000 || n != 19000 {
			t.Errorf("client b: %d bytes, its network %d; want 9000, 19000", c, n)
		}
		// Network n holds 19,000 of 20,000: a new client of it has room
		// for 1,000, one of network m for its own bound.
		lim.MaxNetBytes = func(nw string) int64 {
			if nw == "n" {
				return 20_000
			}
			return 0
		}
		d1, e1 := mk("cb-d1", "d", "n"), mk("cb-e1", "e", "m")
		if err := put(d1, "w.flac", 1001, 0); !errors.As(err, &qe) || !qe.Client || qe.Net != "n" || qe.Limit != 20_000 || qe.Used != 19000 {
			t.Errorf("1,001 more on 19,000 of network n's 20,000: %v, want a QuotaError of network n with 19,000 used", err)
		}
		if err := put(d1, "w.flac", 1000, 0); err != nil {
			t.Errorf("1,000 more on 19,000 of network n's 20,000: %v", err)
		}
		if err := put(e1, "w.flac", 9000, 0); err != nil {
			t.Errorf("9,000 from network m, of no bound: %v", err)
		}
		if _, err := s.PutReferenceWithin(ctx, &ReferenceTrack{ProjectID: d1, Name: "ref2.wav", Size: 1, BlobKey: d1 + "/ref", CreatedAt: now}, 0, 0, lim.ClientLimits); !errors.As(err, &qe) || qe.Net != "n" {
			t.Errorf("a reference of a byte on network n at its bound: %v, want a QuotaError of network n", err)
		}
		// Network n is at its bound, and client a at its own: a2's
		// ref.wav replaced by one of its size still fits both.
		if err := ref(500); err != nil {
			t.Errorf("replacing a reference by one of its size at the network's bound: %v", err)
		}
	})
}

// TestCheckOfAnEndedProject: a project whose retention has ended (on the
// database's clock) takes no check, from a job (SetCheck: ErrNotFound) or
// from the suggest (KeepCheck: not stored), and no session (SetSession:
// ErrNotFound), as it takes no other record.
func TestCheckOfAnEndedProject(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := endedProject(t, s, "ended-check-"+name, now)
		got, err := s.Project(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored, err := s.KeepCheck(ctx, p.ID, got.FilesGen, []byte(`{}`)); err != nil || stored {
			t.Errorf("KeepCheck of an ended project: stored %v, %v; want not stored", stored, err)
		}
		if err := s.SetCheck(ctx, p.ID, "job", []byte(`{}`)); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetCheck of an ended project: %v, want ErrNotFound", err)
		}
		if err := s.SetSession(ctx, p.ID, []byte(`{"stems":[]}`)); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetSession of an ended project: %v, want ErrNotFound", err)
		}
		if got, err := s.Project(ctx, p.ID); err != nil || got.Check != nil || got.Session != nil {
			t.Errorf("an ended project's check and session after them: %v, %v; want none", got, err)
		}
	})
}

// TestUpdateJobIfAttempt: an update for an attempt the job is no longer
// at, or for a job done or failed, changes nothing and answers
// ErrNotFound; for the job's attempt, cancelled included, it lands (a
// cancelled job keeping its state).
func TestUpdateJobIfAttempt(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		j, read := secondAttempt(t, s, ctx, now, "ia-"+name)
		state := func() string { return read().State }
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateFailed, IfAttempt: 1}); !errors.Is(err, ErrNotFound) || state() != StateRunning {
			t.Errorf("attempt 1 failing the job at attempt 2: %v, state %s; want ErrNotFound, running", err, state())
		}
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateRunning, Progress: 0.5, IfAttempt: 2}); err != nil {
			t.Errorf("attempt 2's progress: %v", err)
		}
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateDone}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateJob(ctx, j.ID, JobUpdate{State: StateQueued, IfAttempt: 2}); !errors.Is(err, ErrNotFound) || state() != StateDone {
			t.Errorf("attempt 2 putting off the done job: %v, state %s; want ErrNotFound, done", err, state())
		}
	})
}

// TestNamesThatReadAlike: a file whose name reads as another's once
// compatibility forms and letter case are folded (NFKC, simple case
// folding) is refused as that name's
// conflict, as the same name of another kind is, under any concurrency
// (the server's own check comes before the upload and is not atomic); a
// new mix still replaces the old one, however it is spelled.
func TestNamesThatReadAlike(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := createProject(t, s, "alike-"+name, now)
		put := func(kind, file string) error {
			_, err := s.PutFileWithin(ctx, &File{ProjectID: p.ID, Kind: kind, Name: file, Size: 10, BlobKey: p.ID + "/" + kind + file, CreatedAt: now}, FileLimits{})
			return err
		}
		for _, f := range [][2]string{{KindStem, "full.wav"}, {KindStem, "take2.wav"}, {KindMix, "mix.wav"}, {KindMix, "\uff4d\uff49\uff58.wav"}} {
			if err := put(f[0], f[1]); err != nil {
				t.Fatalf("%s %s: %v", f[0], f[1], err)
			}
		}
		for _, f := range [][3]string{
			{KindStem, "\uff46\uff55\uff4c\uff4c.wav", "full.wav"}, // full width
			{KindMix, "\uff46\uff55\uff4c\uff4c.wav", "full.wav"},
			{KindStem, "take\u00b2.wav", "take2.wav"}, // superscript two
			{KindStem, "mix.wav", "\uff4d\uff49\uff58.wav"},
			{KindStem, "Full.wav", "full.wav"}, // letter case only: one file on macOS and Windows
			{KindMix, "TAKE2.WAV", "take2.wav"},
			{KindStem, "\uff26ull.wav", "full.wav"}, // full width and case
		} {
			var ce *NameConflictError
			if err := put(f[0], f[1]); !errors.As(err, &ce) || ce.Name != f[2] {
				t.Errorf("%s %s beside %s: %v, want the name conflict with %s", f[0], f[1], f[2], err, f[2])
			}
		}
	})
}
