package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// JobLimits bounds what CreateJobWithin makes: repeated requests for the
// same inputs share one job, active jobs are bounded per project and per
// client, and finished jobs are pruned to the project's retention.
type JobLimits struct {
	// Key names the job's inputs (a hash of the session and options of a
	// render, a constant for a check). When not empty, a queued or
	// running job of the same project and kind whose key and files
	// generation match is returned instead of a new one, and the queued
	// jobs of that kind for other inputs are cancelled as superseded.
	Key string
	// Client is who asks (the address); PerClient bounds its active
	// jobs over every project.
	Client string
	// PerProject and PerClient bound the queued and running jobs; 0 or
	// less: no bound.
	PerProject int
	PerClient  int
	// KeepFinished is how many finished jobs of each kind a project
	// keeps besides those its check, current render, revisions, outputs
	// or pending sweeps name (at least 1); 0: no pruning.
	KeepFinished int
}

// JobLimitError is CreateJobWithin's refusal: Scope ("project" or
// "client") already has Limit active jobs.
type JobLimitError struct {
	Scope string
	Limit int
}

func (e *JobLimitError) Error() string {
	return fmt.Sprintf("store: the %s already has %d jobs queued or running", e.Scope, e.Limit)
}

// finishedStates is the SQL list of the states a job ends in.
const finishedStates = `('done', 'failed', 'cancelled')`

// CreateJobWithin inserts j within lim, atomically: it returns the queued
// or running job of the same inputs when there is one (j is left
// unchanged then), a *JobLimitError when a bound is reached, or nil
// after inserting j (j.Gen set). Queued jobs of the same kind for older
// inputs are cancelled (their ids in superseded) and the project's
// finished jobs pruned.
func (s *SQL) CreateJobWithin(ctx context.Context, j *Job, lim JobLimits) (existing *Job, superseded []string, err error) {
	err = s.tx(ctx, "create job", func(tx *sql.Tx) error {
		existing, superseded = nil, nil
		// The no-op update locks the project's row (PostgreSQL) so two
		// requests of one project see each other's jobs.
		var filesGen int64
		if err := tx.QueryRowContext(ctx, s.q(`UPDATE projects SET job_seq = job_seq WHERE id = ? RETURNING files_gen`), j.ProjectID).Scan(&filesGen); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("project", j.ProjectID)
			}
			return err
		}
		key := ""
		if lim.Key != "" {
			key = strconv.FormatInt(filesGen, 10) + ":" + lim.Key
			e, err := scanJob(tx.QueryRowContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs
				WHERE project_id = ? AND kind = ? AND request_key = ? AND state IN ('queued', 'running')
				ORDER BY gen DESC LIMIT 1`), j.ProjectID, j.Kind, key))
			if err == nil {
				existing = &e
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := s.withinJobLimit(ctx, tx, "project", lim.PerProject, `project_id = ?`, j.ProjectID); err != nil {
			return err
		}
		if lim.Client != "" {
			if s.dialect == Postgres && lim.PerClient > 0 {
				// Requests of one client on different projects take
				// turns too (after their project's lock: no cycle).
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stemmaster-client:' || $1))`, lim.Client); err != nil {
					return err
				}
			}
			if err := s.withinJobLimit(ctx, tx, "client", lim.PerClient, `client = ?`, lim.Client); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, s.q(`UPDATE projects SET job_seq = job_seq + 1 WHERE id = ? RETURNING job_seq`), j.ProjectID).Scan(&j.Gen); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO jobs (id, project_id, kind, state, progress, stage, error, attempt, gen, created_at, updated_at, client, request_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			j.ID, j.ProjectID, j.Kind, j.State, j.Progress, j.Stage, j.Error, j.Attempt, j.Gen, ms(j.CreatedAt), ms(j.CreatedAt), lim.Client, key); err != nil {
			return err
		}
		if key != "" {
			var err error
			if superseded, err = s.supersedeQueued(ctx, tx, j); err != nil {
				return err
			}
		}
		if lim.KeepFinished > 0 {
			return s.pruneJobs(ctx, tx, j.ProjectID, lim.KeepFinished)
		}
		return nil
	})
	var le *JobLimitError
	if errors.As(err, &le) {
		return nil, nil, le
	}
	return existing, superseded, err
}

// withinJobLimit fails with a *JobLimitError when the jobs where selects
// already have limit queued or running.
func (s *SQL) withinJobLimit(ctx context.Context, tx *sql.Tx, scope string, limit int, where string, arg any) error {
	if limit <= 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM jobs WHERE `+where+` AND state IN ('queued', 'running')`), arg).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		return &JobLimitError{Scope: scope, Limit: limit}
	}
	return nil
}

// supersedeQueued cancels the project's queued jobs of j's kind older
// than j: j works on newer inputs, and a queued job has not started.
func (s *SQL) supersedeQueued(ctx context.Context, tx *sql.Tx, j *Job) ([]string, error) {
	ids, err := queryAll(ctx, tx, "supersede", func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	}, s.q(`SELECT id FROM jobs WHERE project_id = ? AND kind = ? AND state = 'queued' AND gen < ? ORDER BY gen`), j.ProjectID, j.Kind, j.Gen)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = 'cancelled', stage = 'cancelled', error = ?, updated_at = ?
		WHERE project_id = ? AND kind = ? AND state = 'queued' AND gen < ?`),
		"superseded by a newer "+j.Kind, ms(j.CreatedAt), j.ProjectID, j.Kind, j.Gen)
	return ids, err
}

// pruneJobs deletes the project's finished jobs beyond the newest keep of
// each kind, except those something still names: the stored check, the
// current render, a revision, an output or a pending sweep.
func (s *SQL) pruneJobs(ctx context.Context, tx *sql.Tx, projectID string, keep int) error {
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM jobs WHERE project_id = ? AND state IN `+finishedStates+`
		AND (SELECT COUNT(*) FROM jobs n WHERE n.project_id = jobs.project_id AND n.kind = jobs.kind
			AND n.state IN `+finishedStates+` AND n.gen > jobs.gen) >= ?
		AND id NOT IN (SELECT check_job FROM projects WHERE id = ?)
		AND id NOT IN (SELECT render_job FROM projects WHERE id = ?)
		AND id NOT IN (SELECT job_id FROM revisions WHERE project_id = ?)
		AND id NOT IN (SELECT job_id FROM outputs WHERE project_id = ?)
		AND id NOT IN (SELECT job_id FROM sweep WHERE project_id = ?)`),
		projectID, keep, projectID, projectID, projectID, projectID, projectID)
	return err
}

// JobPage lists a project's jobs newest first: at most limit of them,
// created before the job of generation before (0: from the newest).
// next is the generation to pass as before for the following page, 0
// after the last.
func (s *SQL) JobPage(ctx context.Context, projectID string, before int64, limit int) (page []Job, next int64, err error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	page, err = s.queryJobs(ctx, "job page", `WHERE project_id = ? AND gen < ? ORDER BY gen DESC LIMIT ?`, projectID, before, limit+1)
	if err != nil {
		return nil, 0, err
	}
	if len(page) > limit {
		page = page[:limit]
		next = page[limit-1].Gen
	}
	return page, next, nil
}

// BoundedJobs is the part of a Metadata store that bounds jobs (*SQL
// has it).
type BoundedJobs interface {
	CreateJobWithin(ctx context.Context, j *Job, lim JobLimits) (existing *Job, superseded []string, err error)
	JobPage(ctx context.Context, projectID string, before int64, limit int) (page []Job, next int64, err error)
}
