package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// BeginAttempt counts a new attempt of a job and marks it running; see
// Metadata.
func (s *SQL) BeginAttempt(ctx context.Context, projectID, jobID string) (*Job, error) {
	var job Job
	err := s.tx(ctx, "begin job "+jobID, func(tx *sql.Tx) error {
		j, err := scanJob(tx.QueryRowContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs WHERE project_id = ? AND id = ?`+s.forUpdate()), projectID, jobID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("job", jobID)
		}
		if err != nil {
			return err
		}
		job = j
		if Finished(j.State) {
			return nil
		}
		job.Attempt++
		job.State, job.Stage, job.Progress = StateRunning, "start", 0
		// started_at times the attempt: the wait a refused client is told
		// (jobwait.go) comes from the recent jobs' times.
		now := ms(s.Now())
		_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET attempt = ?, state = ?, stage = ?, progress = 0, updated_at = ?, started_at = ? WHERE id = ?`),
			job.Attempt, job.State, job.Stage, now, now, jobID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.jobsChanged(ctx, jobID)
	return &job, nil
}

// ReturnAttempt takes back a queued job's last attempt; see Metadata.
func (s *SQL) ReturnAttempt(ctx context.Context, jobID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE jobs SET attempt = attempt - 1, updated_at = ? WHERE id = ? AND state = ? AND attempt > 0`),
		ms(s.Now()), jobID, StateQueued)
	if err != nil {
		return fmt.Errorf("store: return the attempt of job %s: %w", jobID, err)
	}
	s.jobsChanged(ctx, jobID)
	return nil
}

// forUpdate locks the rows a transaction reads on PostgreSQL; SQLite's
// immediate transactions already hold the database's one write lock.
func (s *SQL) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// PublishRender switches the project's current render; see Metadata and
// Publication.
//
// rev, when not nil, is recorded as the project's next revision in the
// same transaction: a crash never leaves a published render without its
// revision.
func (s *SQL) PublishRender(ctx context.Context, jobID string, attempt int, report []byte, outputs []Output, rev *Revision) (Publication, error) {
	var pub Publication
	err := s.tx(ctx, "publish render "+jobID, func(tx *sql.Tx) error {
		projectID, gen, live, err := s.lockAttempt(ctx, tx, jobID, attempt)
		if err != nil {
			return err
		}
		if !live {
			pub.Finished = true
			return nil
		}
		var current string
		var currentGen int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT render_job, render_gen FROM projects WHERE id = ?`+s.forUpdate()), projectID).Scan(&current, &currentGen); err != nil {
			return err
		}
		now := ms(s.Now())
		if currentGen >= gen && current != "" {
			pub.Superseded = true
			if err := s.jobDone(ctx, tx, jobID, "superseded", now); err != nil {
				return err
			}
			return s.addSweep(ctx, tx, projectID, jobID)
		}
		for _, o := range outputs {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outputs (project_id, job_id, name, kind, size, content_type, blob_key, figures_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
				projectID, jobID, o.Name, o.Kind, o.Size, o.ContentType, o.BlobKey, o.Figures); err != nil {
				return fmt.Errorf("output %s: %w", o.Name, err)
			}
		}
		if err := s.jobDone(ctx, tx, jobID, "done", now); err != nil {
			return err
		}
		// The switch: conditional, so that even a database without row
		// locks never publishes an older render over a newer one.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE projects SET render_job = ?, render_gen = ?, report_json = ? WHERE id = ? AND render_gen < ?`), jobID, gen, report, projectID, gen)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("render %s (generation %d) lost the switch", jobID, gen)
		}
		pub.Published = true
		if current != "" && current != jobID {
			pub.Previous = current
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM outputs WHERE job_id = ?`), current); err != nil {
				return err
			}
			// The sweeper keeps it while it is a revision.
			if err := s.addSweep(ctx, tx, projectID, current); err != nil {
				return err
			}
		}
		if rev == nil {
			return nil
		}
		rev.ProjectID, rev.JobID, rev.Outputs = projectID, jobID, outputs
		if rev.CreatedAt.IsZero() {
			rev.CreatedAt = s.Now().UTC()
		}
		return s.addRevision(ctx, tx, rev)
	})
	if err == nil && !pub.Finished {
		s.jobsChanged(ctx, jobID)
	}
	return pub, err
}

func (s *SQL) addSweep(ctx context.Context, tx *sql.Tx, projectID, jobID string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sweep (project_id, job_id, created_at) VALUES (?, ?, ?) ON CONFLICT (project_id, job_id) DO NOTHING`), projectID, jobID, ms(s.Now()))
	return err
}

// FileSet returns a project's files and their generation, read together.
func (s *SQL) FileSet(ctx context.Context, projectID string) (int64, []File, error) {
	var gen int64
	var files []File
	err := s.tx(ctx, "files", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT files_gen FROM projects WHERE id = ?`), projectID).Scan(&gen); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("project", projectID)
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT project_id, kind, name, size, blob_key, info_json, created_at FROM files WHERE project_id = ? ORDER BY kind DESC, name`), projectID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f File
			var created int64
			if err := rows.Scan(&f.ProjectID, &f.Kind, &f.Name, &f.Size, &f.BlobKey, &f.Info, &created); err != nil {
				return err
			}
			f.CreatedAt = fromMS(created)
			files = append(files, f)
		}
		return rows.Err()
	})
	return gen, files, err
}

// CompleteCheck stores a check if its stem set is still current; see
// Metadata.
func (s *SQL) CompleteCheck(ctx context.Context, jobID string, attempt int, filesGen int64, check []byte) (bool, error) {
	stored := false
	err := s.tx(ctx, "complete check "+jobID, func(tx *sql.Tx) error {
		projectID, _, live, err := s.lockAttempt(ctx, tx, jobID, attempt)
		if err != nil || !live {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE projects SET check_job = ?, check_json = ?, check_gen = ? WHERE id = ? AND files_gen = ?`), jobID, check, filesGen, projectID, filesGen)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		stored = n == 1
		stage := "done"
		if !stored {
			stage = "superseded"
		}
		return s.jobDone(ctx, tx, jobID, stage, ms(s.Now()))
	})
	if err == nil {
		s.jobsChanged(ctx, jobID)
	}
	return stored, err
}

// KeepCheck stores a check made outside a check job (the suggest's, of
// the files it downloaded) if the project's files are still those of
// generation filesGen, the project holds no check yet and its retention
// has not ended (the database's clock, as lockProject's); see Metadata.
func (s *SQL) KeepCheck(ctx context.Context, projectID string, filesGen int64, check []byte) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE projects SET check_job = '', check_json = ?, check_gen = ? WHERE id = ? AND files_gen = ? AND check_json IS NULL AND expires_at >= `+s.nowMS()),
		check, filesGen, projectID, filesGen)
	if err != nil {
		return false, fmt.Errorf("store: keep check of project %s: %w", projectID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: keep check of project %s: %w", projectID, err)
	}
	return n == 1, nil
}

// lockAttempt takes the rows of job jobID's project and of the job, in
// that order (the order of every transaction here), for the transaction,
// and reports whether attempt is still the job's live one (the job is not
// finished and no later attempt has begun), with the job's project and
// generation.
func (s *SQL) lockAttempt(ctx context.Context, tx *sql.Tx, jobID string, attempt int) (projectID string, gen int64, live bool, err error) {
	// A job's project never changes: read unlocked, it names the row to
	// lock first.
	err = tx.QueryRowContext(ctx, s.q(`SELECT project_id FROM jobs WHERE id = ?`), jobID).Scan(&projectID)
	if err == nil {
		err = s.lockProject(ctx, tx, projectID)
	}
	var state string
	var jobAttempt int
	if err == nil {
		err = tx.QueryRowContext(ctx, s.q(`SELECT state, attempt, gen FROM jobs WHERE id = ?`+s.forUpdate()), jobID).Scan(&state, &jobAttempt, &gen)
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) {
		// The job, or its project with it, was deleted.
		return "", 0, false, notFound("job", jobID)
	}
	if err != nil {
		return "", 0, false, err
	}
	return projectID, gen, !Finished(state) && jobAttempt == attempt, nil
}

// jobDone marks a job done at now (Unix ms), at stage "done" or
// "superseded".
func (s *SQL) jobDone(ctx context.Context, tx *sql.Tx, jobID, stage string, now int64) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = ?, progress = 1, stage = ?, error = '', updated_at = ? WHERE id = ?`), StateDone, stage, now, jobID)
	return err
}

// Sweeps lists the renders awaiting deletion, oldest first.
func (s *SQL) Sweeps(ctx context.Context) ([]Sweep, error) {
	return queryAll(ctx, s.db, "sweeps", func(rows *sql.Rows) (Sweep, error) {
		var sw Sweep
		err := rows.Scan(&sw.ProjectID, &sw.JobID)
		return sw, err
	}, `SELECT project_id, job_id FROM sweep ORDER BY created_at LIMIT 1000`)
}

// SweepDone forgets a swept render.
func (s *SQL) SweepDone(ctx context.Context, sw Sweep) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sweep WHERE project_id = ? AND job_id = ?`), sw.ProjectID, sw.JobID); err != nil {
		return fmt.Errorf("store: sweep: %w", err)
	}
	return nil
}

// AddSweep queues a job's blobs for deletion (a failed render's attempts).
func (s *SQL) AddSweep(ctx context.Context, sw Sweep) error {
	return s.tx(ctx, "sweep", func(tx *sql.Tx) error { return s.addSweep(ctx, tx, sw.ProjectID, sw.JobID) })
}

// UnfinishedJobs lists the jobs queued or running, of every project.
func (s *SQL) UnfinishedJobs(ctx context.Context) ([]Job, error) {
	return s.queryJobs(ctx, "unfinished jobs", `WHERE state IN `+activeStates+` ORDER BY created_at, id`)
}

// LiveProjects counts the projects not expired at now.
func (s *SQL) LiveProjects(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE expires_at >= ?`), ms(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count projects: %w", err)
	}
	return n, nil
}

// LiveProjectsOf counts the projects not yet expired at now that client
// created, and those created from its network net ("" counts none).
func (s *SQL) LiveProjectsOf(ctx context.Context, client, net string, now time.Time) (byClient, byNet int, err error) {
	err = s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN client = ? THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN client_net = ? AND client_net <> '' THEN 1 ELSE 0 END), 0)
		FROM projects WHERE (client = ? OR (client_net = ? AND client_net <> '')) AND expires_at >= ?`), client, net, client, net, ms(now)).Scan(&byClient, &byNet)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count projects: %w", err)
	}
	return byClient, byNet, nil
}

// FileLimits bound what a project may hold.
type FileLimits struct {
	MaxFiles      int
	MaxTotalBytes int64
	// What every project of the project's client, and of its network,
	// stores together (clientstorage.go).
	ClientLimits
}

// QuotaError is returned by PutFileWithin when the file would take the
// project, or its client, over a limit.
type QuotaError struct {
	Files  bool   // the file count (else the total size)
	Client bool   // what the client's projects store together
	Net    string // with Client: the network whose projects' bound it is ("": the client's)
	Limit  int64  // the limit exceeded
	Used   int64  // with Client: what the client's (or network's) projects store now
	// InFlight is, with Client, what the client's (or network's) other
	// uploads in flight hold (inflight.go) and its renders queued or
	// running will store (Job.OutputBytes).
	InFlight int64
}

func (e *QuotaError) Error() string {
	if e.Client && e.Net != "" {
		return fmt.Sprintf("store: the projects of network %s may store at most %d bytes together", e.Net, e.Limit)
	}
	if e.Client {
		return fmt.Sprintf("store: the projects of one client may store at most %d bytes together", e.Limit)
	}
	if e.Files {
		return fmt.Sprintf("store: a project holds at most %d files", e.Limit)
	}
	return fmt.Sprintf("store: a project's files may total at most %d bytes", e.Limit)
}

// NameConflictError is returned by PutFileWithin when the file's name is
// already taken by a different file: one of the other kind, or one whose
// original name (before sanitising) differs.
type NameConflictError struct {
	Name     string // the stored name both share
	Kind     string // the kind of the file holding it
	Original string // that file's original name
}

func (e *NameConflictError) Error() string {
	return fmt.Sprintf("store: %s is taken by the %s %q", e.Name, e.Kind, e.Original)
}

// ReadAlike reports whether two different file names are one text to a
// reader: the same once their compatibility forms are folded (NFKC), as
// "ｆｕｌｌ.wav" (full width) and "full.wav", "ﬁll.wav" (a ligature) and
// "fill.wav", "take².wav" and "take2.wav". Two files so named would be two
// strips, two session entries and two downloads no one can tell apart, so
// a project holds one of them (PutFileWithin). Names that differ only in
// letter case ("Drums.wav", "drums.wav") read alike too: macOS and Windows
// take them for one file name, and unzipping outputs.zip or saving the
// stems there keeps one of the two, the other overwritten. The fold is
// Unicode's simple case folding, as those file systems compare names.
func ReadAlike(a, b string) bool {
	return a != b && strings.EqualFold(norm.NFKC.String(a), norm.NFKC.String(b))
}

// PutFileWithin records an uploaded file as PutFile does, replacing the
// file of the same kind and name (and, for a mix, the previous mix), in one
// transaction that first checks, against the records as they are at that
// moment, that the project stays within lim (its references, and the
// places and bytes of its other uploads in flight, count toward it) and
// that the name is not held by a different file; it ends the upload's
// reservation (f.Reservation). Concurrent uploads to one project are
// serialised by it, so limits hold under any concurrency. It returns the
// files replaced, whose blobs the caller deletes.
func (s *SQL) PutFileWithin(ctx context.Context, f *File, lim FileLimits) ([]File, error) {
	var replaced []File
	err := s.withinLimits(ctx, "put file "+f.Name, f.ProjectID, func(tx *sql.Tx) error {
		// The project's references share its total size (references.go).
		total, err := s.referencesBytes(ctx, tx, f.ProjectID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT kind, name, size, blob_key, original_name, counted FROM files WHERE project_id = ?`), f.ProjectID)
		if err != nil {
			return err
		}
		var conflict error
		for rows.Next() {
			var o File
			if err := rows.Scan(&o.Kind, &o.Name, &o.Size, &o.BlobKey, &o.OriginalName, &o.Counted); err != nil {
				rows.Close()
				return err
			}
			o.ProjectID = f.ProjectID
			same := o.Kind == f.Kind && o.Name == f.Name
			switch {
			case o.Name == f.Name && o.Kind != f.Kind && !(f.Kind == KindMix && o.Kind == KindMix):
				conflict = &NameConflictError{Name: o.Name, Kind: o.Kind, Original: cmp.Or(o.OriginalName, o.Name)}
			case same && cmp.Or(o.OriginalName, o.Name) != cmp.Or(f.OriginalName, f.Name):
				conflict = &NameConflictError{Name: o.Name, Kind: o.Kind, Original: cmp.Or(o.OriginalName, o.Name)}
			case same || (f.Kind == KindMix && o.Kind == KindMix):
				replaced = append(replaced, o)
			case ReadAlike(o.Name, f.Name):
				conflict = &NameConflictError{Name: o.Name, Kind: o.Kind, Original: cmp.Or(o.OriginalName, o.Name)}
			default:
				total += o.Counts()
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if conflict != nil {
			return conflict
		}
		// The other uploads in flight hold their places and bytes
		// (inflight.go); this one's reservation becomes the record.
		count, err := s.placesBeside(ctx, tx, f.ProjectID, placeKey(f.Kind, f.Name), f.Reservation)
		if err != nil {
			return err
		}
		flight, err := s.inFlightBytes(ctx, tx, f.ProjectID, f.Reservation)
		if err != nil {
			return err
		}
		total += flight
		if lim.MaxFiles > 0 && count+1 > lim.MaxFiles {
			return &QuotaError{Files: true, Limit: int64(lim.MaxFiles)}
		}
		if lim.MaxTotalBytes > 0 && total+f.Counts() > lim.MaxTotalBytes {
			return &QuotaError{Limit: lim.MaxTotalBytes}
		}
		add := f.Counts()
		for _, o := range replaced {
			add -= o.Counts()
		}
		if err := s.withinClientBytes(ctx, tx, f.ProjectID, add, lim.ClientLimits, f.Reservation); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM upload_reservations WHERE id = ?`), f.Reservation); err != nil {
			return err
		}
		for _, o := range replaced {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM files WHERE project_id = ? AND kind = ? AND name = ?`), f.ProjectID, o.Kind, o.Name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO files (project_id, kind, name, size, blob_key, info_json, created_at, original_name, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			f.ProjectID, f.Kind, f.Name, f.Size, f.BlobKey, f.Info, ms(f.CreatedAt), f.OriginalName, f.Counted); err != nil {
			return err
		}
		return s.filesChanged(ctx, tx, f.ProjectID)
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}
