package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// terminal reports whether a job state is final.
func terminal(state string) bool { return state == StateDone || state == StateFailed }

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
		if terminal(j.State) {
			return nil
		}
		job.Attempt++
		job.State, job.Stage, job.Progress = StateRunning, "start", 0
		_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET attempt = ?, state = ?, stage = ?, progress = 0, updated_at = ? WHERE id = ?`),
			job.Attempt, job.State, job.Stage, ms(time.Now()), jobID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &job, nil
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
func (s *SQL) PublishRender(ctx context.Context, jobID string, attempt int, report []byte, outputs []Output) (Publication, error) {
	var pub Publication
	err := s.tx(ctx, "publish render "+jobID, func(tx *sql.Tx) error {
		var projectID, state string
		var jobAttempt int
		var gen int64
		err := tx.QueryRowContext(ctx, s.q(`SELECT project_id, state, attempt, gen FROM jobs WHERE id = ?`+s.forUpdate()), jobID).Scan(&projectID, &state, &jobAttempt, &gen)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("job", jobID)
		}
		if err != nil {
			return err
		}
		if terminal(state) || jobAttempt != attempt {
			pub.Finished = true
			return nil
		}
		var current string
		var currentGen int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT render_job, render_gen FROM projects WHERE id = ?`+s.forUpdate()), projectID).Scan(&current, &currentGen); err != nil {
			return err
		}
		now := ms(time.Now())
		if currentGen >= gen && current != "" {
			pub.Superseded = true
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = ?, progress = 1, stage = 'superseded', error = '', updated_at = ? WHERE id = ?`), StateDone, now, jobID); err != nil {
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
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = ?, progress = 1, stage = 'done', error = '', updated_at = ? WHERE id = ?`), StateDone, now, jobID); err != nil {
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
			return s.addSweep(ctx, tx, projectID, current)
		}
		return nil
	})
	return pub, err
}

func (s *SQL) addSweep(ctx context.Context, tx *sql.Tx, projectID, jobID string) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO sweep (project_id, job_id, created_at) VALUES (?, ?, ?) ON CONFLICT (project_id, job_id) DO NOTHING`), projectID, jobID, ms(time.Now()))
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
		var projectID, state string
		var jobAttempt int
		err := tx.QueryRowContext(ctx, s.q(`SELECT project_id, state, attempt FROM jobs WHERE id = ?`+s.forUpdate()), jobID).Scan(&projectID, &state, &jobAttempt)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("job", jobID)
		}
		if err != nil {
			return err
		}
		if terminal(state) || jobAttempt != attempt {
			return nil
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
		_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = ?, progress = 1, stage = ?, error = '', updated_at = ? WHERE id = ?`), StateDone, stage, ms(time.Now()), jobID)
		return err
	})
	return stored, err
}

// Sweeps lists the renders awaiting deletion, oldest first.
func (s *SQL) Sweeps(ctx context.Context) ([]Sweep, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT project_id, job_id FROM sweep ORDER BY created_at LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("store: sweeps: %w", err)
	}
	defer rows.Close()
	var out []Sweep
	for rows.Next() {
		var sw Sweep
		if err := rows.Scan(&sw.ProjectID, &sw.JobID); err != nil {
			return nil, err
		}
		out = append(out, sw)
	}
	return out, rows.Err()
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

// UnfinishedJobs lists the jobs neither done nor failed.
func (s *SQL) UnfinishedJobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs WHERE state <> ? AND state <> ? ORDER BY created_at, id`), StateDone, StateFailed)
	if err != nil {
		return nil, fmt.Errorf("store: unfinished jobs: %w", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// LiveProjects counts the projects not expired at now.
func (s *SQL) LiveProjects(ctx context.Context, now time.Time) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM projects WHERE expires_at >= ?`), ms(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count projects: %w", err)
	}
	return n, nil
}
