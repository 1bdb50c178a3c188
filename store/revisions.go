package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Revision is one published render of a project, kept beside the newer
// ones: the session it rendered, its report and outputs, and a note.
type Revision struct {
	ProjectID string
	Number    int // 1, 2, … in the order renders were published
	JobID     string
	CreatedAt time.Time
	Note      string
	Session   []byte
	Report    []byte
	Outputs   []Output
}

// Revisions keeps every published render. A Metadata store that
// implements it keeps the files of replaced renders (service.Runner then
// leaves their blobs in place).
type Revisions interface {
	// AddRevision records a published render and returns its number.
	AddRevision(ctx context.Context, r *Revision) (int, error)
	// ListRevisions lists a project's revisions, oldest first.
	ListRevisions(ctx context.Context, projectID string) ([]Revision, error)
	// DeleteRevision forgets the revision of a job (after the sweeper
	// deleted its files); no such revision is not an error.
	DeleteRevision(ctx context.Context, projectID, jobID string) error
}

var _ Revisions = (*SQL)(nil)

// AddRevision numbers the revision after the project's last one.
func (s *SQL) AddRevision(ctx context.Context, r *Revision) (int, error) {
	var n int
	err := s.tx(ctx, "add revision", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`SELECT number FROM revisions WHERE job_id = ?`), r.JobID).Scan(&n)
		if !errors.Is(err, sql.ErrNoRows) {
			return err // nil: a retried job publishes once
		}
		if err := s.addRevision(ctx, tx, r); err != nil {
			return err
		}
		n = r.Number
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// addRevision records rev as its project's next revision (the runner
// queues those past its kept window for the sweeper).
func (s *SQL) addRevision(ctx context.Context, tx *sql.Tx, rev *Revision) error {
	outs, err := json.Marshal(rev.Outputs)
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(number), 0) + 1 FROM revisions WHERE project_id = ?`), rev.ProjectID).Scan(&n); err != nil {
		return err
	}
	var bytes int64
	for _, o := range rev.Outputs {
		bytes += o.Size
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO revisions (project_id, number, job_id, created_at, note, session, report_json, outputs_json, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		rev.ProjectID, n, rev.JobID, ms(rev.CreatedAt), rev.Note, rev.Session, rev.Report, outs, bytes); err != nil {
		return err
	}
	rev.Number = n
	return nil
}

// ListRevisions lists a project's revisions by number.
func (s *SQL) ListRevisions(ctx context.Context, projectID string) ([]Revision, error) {
	return queryAll(ctx, s.db, "revisions", func(rows *sql.Rows) (Revision, error) {
		r := Revision{ProjectID: projectID}
		var created int64
		var outs []byte
		if err := rows.Scan(&r.Number, &r.JobID, &created, &r.Note, &r.Session, &r.Report, &outs); err != nil {
			return r, fmt.Errorf("store: revisions: %w", err)
		}
		r.CreatedAt = fromMS(created)
		if err := json.Unmarshal(outs, &r.Outputs); err != nil {
			return r, fmt.Errorf("store: revision %d outputs: %w", r.Number, err)
		}
		return r, nil
	}, s.q(`SELECT number, job_id, created_at, note, session, report_json, outputs_json FROM revisions WHERE project_id = ? ORDER BY number`), projectID)
}

// DeleteRevision forgets a job's revision.
func (s *SQL) DeleteRevision(ctx context.Context, projectID, jobID string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM revisions WHERE project_id = ? AND job_id = ?`), projectID, jobID); err != nil {
		return fmt.Errorf("store: delete revision: %w", err)
	}
	return nil
}
