package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestUploadReservations: the places and bytes of uploads in flight count
// against a project's limits and its client's storage beside what is
// recorded (a render's outputs judged against them too), a record ends its upload's reservation, and a reservation
// whose front end stopped renewing it lapses.
func TestUploadReservations(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := &Project{ID: "inflight-" + name, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Client: "c-" + name}
		q := &Project{ID: "inflight2-" + name, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Client: "c-" + name}
		for _, pr := range []*Project{p, q} {
			if err := s.CreateProject(ctx, pr); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.PutFileWithin(ctx, &File{ProjectID: p.ID, Kind: KindStem, Name: "a.wav", Size: 300, BlobKey: "k", CreatedAt: now}, FileLimits{}); err != nil {
			t.Fatal(err)
		}
		begin := func(id, kind, name string, maxFiles int) error {
			return s.BeginUpload(ctx, &Reservation{ID: id + "-" + name, ProjectID: p.ID, Kind: kind, Name: name}, maxFiles)
		}
		isFiles := func(err error) bool {
			var qe *QuotaError
			return errors.As(err, &qe) && qe.Files
		}

		// Places: a.wav recorded, b and c and a mix in flight take four.
		for _, r := range [][2]string{{KindStem, "b.wav"}, {KindStem, "c.wav"}, {KindMix, "m.wav"}} {
			if err := begin(r[1], r[0], r[1], 4); err != nil {
				t.Fatalf("%s in flight: %v", r[1], err)
			}
		}
		if err := begin("d", KindStem, "d.wav", 4); !isFiles(err) {
			t.Errorf("a fifth file in flight: %v, want the file count's QuotaError", err)
		}
		for _, r := range [][2]string{{KindStem, "b.wav"}, {KindStem, "a.wav"}, {KindMix, "n.wav"}, {KindReference, "r.wav"}} {
			// The same stem again, the recorded one replaced, a second
			// mix, a reference: no place of their own.
			if err := begin("again", r[0], r[1], 4); err != nil {
				t.Errorf("%s %s in flight beside its place: %v, want it let in", r[0], r[1], err)
			}
		}
		if err := s.EndUpload(ctx, "c.wav-c.wav"); err != nil {
			t.Fatal(err)
		}
		if err := begin("d", KindStem, "d.wav", 4); err != nil {
			t.Errorf("a file in flight once another ended: %v, want it let in", err)
		}

		// Bytes: 300 recorded of 1000; b grows to what it asks, c to what
		// is left, and no further.
		lim := FileLimits{MaxTotalBytes: 1000}
		if n, err := s.GrowUpload(ctx, "b.wav-b.wav", 400, 600, lim); err != nil || n != 600 {
			t.Errorf("b grown: %d, %v; want 600", n, err)
		}
		// Refused, an upload is cut: its reservation ends with the
		// refusal, not when its front end gets round to it.
		var qe *QuotaError
		if err := begin("e", KindStem, "e.wav", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GrowUpload(ctx, "e-e.wav", 200, 300, lim); !errors.As(err, &qe) || qe.Files || qe.Client || qe.Limit != 1000 {
			t.Errorf("e past the project's size with b in flight: %v, want the size's QuotaError", err)
		}
		if _, err := s.GrowUpload(ctx, "e-e.wav", 1, 1, lim); !errors.Is(err, ErrNotFound) {
			t.Errorf("e's reservation after its refusal: %v, want it gone", err)
		}
		if n, err := s.GrowUpload(ctx, "d-d.wav", 50, 300, lim); err != nil || n != 100 {
			t.Errorf("d grown: %d, %v; want the 100 left", n, err)
		}
		// Recorded, b's reservation becomes the file, judged with d's
		// bytes in flight.
		b := &File{ProjectID: p.ID, Kind: KindStem, Name: "b.wav", Size: 650, BlobKey: "kb", CreatedAt: now, Reservation: "b.wav-b.wav"}
		if _, err := s.PutFileWithin(ctx, b, lim); !errors.As(err, &qe) || qe.Files || qe.Client {
			t.Errorf("b recorded past the size with d in flight: %v, want the size's QuotaError", err)
		}
		b.Size = 600
		if _, err := s.PutFileWithin(ctx, b, lim); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GrowUpload(ctx, "b.wav-b.wav", 1, 1, lim); !errors.Is(err, ErrNotFound) {
			t.Errorf("b's reservation after its record: %v, want it gone", err)
		}
		if n, err := s.GrowUpload(ctx, "d-d.wav", 100, 300, lim); err != nil || n != 100 {
			t.Errorf("d with b recorded: %d, %v; want its 100 still", n, err)
		}

		// The client's storage: its projects store 900; what q's upload
		// may take is less d in flight on p.
		clim := FileLimits{ClientLimits: ClientLimits{MaxClientBytes: 1500}}
		for _, id := range []string{"q0", "q1"} {
			if err := s.BeginUpload(ctx, &Reservation{ID: id, ProjectID: q.ID, Kind: KindStem, Name: id + ".wav"}, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.GrowUpload(ctx, "q0", 600, 600, clim); !errors.As(err, &qe) || !qe.Client || qe.Used != 900 || qe.InFlight != 100 || qe.Limit != 1500 {
			t.Errorf("q past the client's storage with d in flight: %v (%+v), want the client's QuotaError, 900 used, 100 in flight", err, qe)
		}
		if n, err := s.GrowUpload(ctx, "q1", 100, 600, clim); err != nil || n != 500 {
			t.Errorf("q grown: %d, %v; want the 500 left", n, err)
		}
		// A render's outputs are judged against the same when it is
		// queued: a byte more than the 900 stored and 600 in flight is
		// refused, and nothing is queued.
		render := func(id string, bytes int64) error {
			_, _, err := s.CreateJobWithin(ctx, &Job{ID: id, ProjectID: p.ID, Kind: JobRender, State: StateQueued, CreatedAt: now, OutputBytes: bytes},
				JobLimits{Storage: clim.ClientLimits})
			return err
		}
		if err := render("big-"+name, 1); !errors.As(err, &qe) || !qe.Client || qe.Used != 900 || qe.InFlight != 600 {
			t.Errorf("a render's byte with the client's storage taken by uploads in flight: %v (%+v), want the client's QuotaError, 900 used, 600 in flight", err, qe)
		}
		if _, err := s.Job(ctx, p.ID, "big-"+name); !errors.Is(err, ErrNotFound) {
			t.Errorf("the refused render: %v, want no job", err)
		}
		// A front end gone: d's lease runs out, its bytes no longer count,
		// and it cannot be renewed or grown.
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE upload_reservations SET expires_at = 0 WHERE id = ?`), "d-d.wav"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.GrowUpload(ctx, "q1", 100, 600, clim); err != nil || n != 600 {
			t.Errorf("q with d lapsed: %d, %v; want 600", n, err)
		}
		// A render queued counts against the uploads that follow it until
		// it ends: its outputs are to be stored. With q1 ended, 900
		// stored and the render's 300 leave an upload 300.
		if err := s.EndUpload(ctx, "q1"); err != nil {
			t.Fatal(err)
		}
		if err := render("small-"+name, 300); err != nil {
			t.Fatalf("a render within the client's storage: %v", err)
		}
		for _, id := range []string{"q3", "q4"} {
			if err := s.BeginUpload(ctx, &Reservation{ID: id, ProjectID: q.ID, Kind: KindStem, Name: id + ".wav"}, 0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.GrowUpload(ctx, "q3", 301, 301, clim); !errors.As(err, &qe) || !qe.Client || qe.Used != 900 || qe.InFlight != 300 {
			t.Errorf("an upload past the client's storage with a render queued: %v (%+v), want the client's QuotaError, 900 used, 300 in flight", err, qe)
		}
		if err := s.UpdateJob(ctx, "small-"+name, JobUpdate{State: StateFailed, Error: "x"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.GrowUpload(ctx, "q4", 600, 600, clim); err != nil || n != 600 {
			t.Errorf("an upload once the render failed: %d, %v; want 600", n, err)
		}
		// A project whose deletion began takes no upload.
		if err := s.ExpireProject(ctx, q.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.BeginUpload(ctx, &Reservation{ID: "q2", ProjectID: q.ID, Kind: KindStem, Name: "y.wav"}, 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("an upload to a project being deleted: %v, want ErrNotFound", err)
		}
		if _, err := s.GrowUpload(ctx, "q4", 700, 700, clim); !errors.Is(err, ErrNotFound) {
			t.Errorf("an upload in flight to a project being deleted: %v, want ErrNotFound", err)
		}
	})
}

// TestGrowUploadOfAReservationEndedMeanwhile: GrowUpload reads the
// reservation before it waits for the project's lock; a reservation
// ended while it waited is not reported held (ErrNotFound, not the bytes
// it would have granted). PostgreSQL only: there the wait is a row lock
// another transaction can end the reservation behind; SQLite's writers
// take turns.
func TestGrowUploadOfAReservationEndedMeanwhile(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		if s.dialect != Postgres {
			t.Skip("SQLite's writers take turns: no reservation ends behind a held lock")
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		p := &Project{ID: "ended-" + name, TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Client: "c-" + name}
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.BeginUpload(ctx, &Reservation{ID: "r-" + name, ProjectID: p.ID, Kind: KindStem, Name: "a.wav"}, 0); err != nil {
			t.Fatal(err)
		}
		holder, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback()
		var pid int
		if err := holder.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.ExecContext(ctx, `SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, p.ID); err != nil {
			t.Fatal(err)
		}
		type result struct {
			n   int64
			err error
		}
		done := make(chan result, 1)
		go func() {
			n, err := s.GrowUpload(ctx, "r-"+name, 1, 100, FileLimits{MaxTotalBytes: 1000})
			done <- result{n, err}
		}()
		// Until GrowUpload waits behind the holder's lock (no timing: the
		// database says who waits for whom).
		for {
			var waiting int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				break
			}
			select {
			case r := <-done:
				t.Fatalf("GrowUpload did not wait for the project's lock: %d, %v", r.n, r.err)
			case <-time.After(5 * time.Millisecond):
			}
		}
		if _, err := holder.ExecContext(ctx, `DELETE FROM upload_reservations WHERE id = $1`, "r-"+name); err != nil {
			t.Fatal(err)
		}
		if err := holder.Commit(); err != nil {
			t.Fatal(err)
		}
		if r := <-done; !errors.Is(r.err, ErrNotFound) {
			t.Errorf("GrowUpload of a reservation ended while it waited: %d, %v; want ErrNotFound", r.n, r.err)
		}
	})
}

// TestLapsedUploadsDropped: a reservation whose lease ran out (its front
// end died) stayed in the table until the next upload began anywhere; the
// maintenance sweep drops it, and leaves a live one.
func TestLapsedUploadsDropped(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		p := createProject(t, s, "lapsed-"+name, now)
		for _, id := range []string{"dead", "live"} {
			if err := s.BeginUpload(ctx, &Reservation{ID: id + "-" + name, ProjectID: p.ID, Kind: KindStem, Name: id + ".wav"}, 0); err != nil {
				t.Fatal(err)
			}
		}
		// The dead front end's lease ran out a second ago.
		if _, err := s.db.ExecContext(ctx, s.q(`UPDATE upload_reservations SET expires_at = expires_at - ? WHERE id = ?`),
			(UploadLease + time.Second).Milliseconds(), "dead-"+name); err != nil {
			t.Fatal(err)
		}
		n, err := s.DropLapsedUploads(ctx)
		if err != nil || n < 1 {
			t.Fatalf("DropLapsedUploads: %d, %v; want the lapsed one dropped", n, err)
		}
		rows := map[string]bool{}
		for _, id := range []string{"dead", "live"} {
			var c int
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM upload_reservations WHERE id = ?`), id+"-"+name).Scan(&c); err != nil {
				t.Fatal(err)
			}
			rows[id] = c == 1
		}
		if rows["dead"] || !rows["live"] {
			t.Errorf("after the sweep: %v, want the lapsed reservation gone and the live one kept", rows)
		}
	})
}
