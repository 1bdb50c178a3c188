package store

import (
	"context"
	"testing"
	"time"
)

// TestReturnAttempt: the attempt of a job queued again after a graceful
// shutdown is taken back once; a running or finished job keeps its count.
func TestReturnAttempt(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := createProject(t, s, "ra-"+name, now)
		j := &Job{ID: "ra-job-" + name, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now}
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		attempt := func() int {
			got, err := s.Job(ctx, p.ID, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Attempt
		}
		for range 2 {
			if _, err := s.BeginAttempt(ctx, p.ID, j.ID); err != nil {
				t.Fatal(err)
			}
		}
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
	})
}
