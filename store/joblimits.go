package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// JobLimits bounds what CreateJobWithin makes: repeated requests for the
// same inputs share one job, active jobs are bounded per project and per
// client, and finished jobs are pruned to the project's retention.
type JobLimits struct {
	// Key names the job's inputs (a hash of the session and options of a
	// render, a constant for a check). When not empty, a job of the same
	// project and kind whose key and files generation match is returned
	// instead of a new one: a queued or running one, or a done one whose
	// result the project still shows (the stored check, the current
	// render with its outputs).
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
	// Storage bounds what the project's client and network store: a job
	// with OutputBytes is refused (the owner's *QuotaError, Client) when
	// its outputs would take them over it with what they store and have
	// in flight (uploads, renders queued or running).
	Storage ClientLimits
}

// JobLimitError is CreateJobWithin's refusal: Scope ("project" or
// "client") already has Limit active jobs.
type JobLimitError struct {
	Scope string
	Limit int
	// Wait estimates when the scope's oldest active job ends, from the
	// queue ahead of it and the recent jobs' times (jobwait.go); 0 when
	// the store could not tell.
	Wait time.Duration
}

func (e *JobLimitError) Error() string {
	return fmt.Sprintf("store: the %s already has %d jobs queued or running", e.Scope, e.Limit)
}

// The SQL lists of a job's states: those of a job still to run or
// running, and those it ends in.
const (
	activeStates   = `('queued', 'running')`
	finishedStates = `('done', 'failed', 'cancelled')`
)

// CreateJobWithin inserts j within lim, atomically. It returns the job of
// the same inputs instead when there is one (see JobLimits.Key; j is left
// unchanged then), a *JobLimitError when a bound is reached, or nil after
// inserting j (j.Gen set). Whichever job answers, the project's other
// jobs of its kind that it makes pointless are cancelled (their ids in
// superseded; see supersede), and the project's finished jobs are pruned.
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
			e, err := s.sameInputs(ctx, tx, j.ProjectID, j.Kind, key)
			if err != nil {
				return err
			}
			if e != nil {
				existing = e
				if e.State == StateDone {
					// A newer request for these inputs: what was queued
					// for others since is pointless.
					superseded, err = s.supersede(ctx, tx, j.ProjectID, j.Kind, e.ID, 0, ms(s.Now()))
				}
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
				// Its own key: the storage's owner locks (ownerUse) come
				// after it, as they come after the project's.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stemmaster-jobs:' || $1))`, lim.Client); err != nil {
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
		confirmed, err := encodeConfirmed(j.Confirmed)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO jobs (id, project_id, kind, state, progress, stage, error, attempt, gen, created_at, updated_at, client, request_key, confirmed, note, request_id, output_bytes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			j.ID, j.ProjectID, j.Kind, j.State, j.Progress, j.Stage, j.Error, j.Attempt, j.Gen, ms(j.CreatedAt), ms(j.CreatedAt), lim.Client, key, confirmed, j.Note, j.RequestID, j.OutputBytes); err != nil {
			return err
		}
		if superseded, err = s.supersede(ctx, tx, j.ProjectID, j.Kind, j.ID, j.Gen, ms(j.CreatedAt)); err != nil {
			return err
		}
		// Judged once the renders it supersedes are cancelled: their
		// outputs will not be stored.
		if j.OutputBytes > 0 {
			if _, err := s.ownersRoom(ctx, tx, j.ProjectID, j.ID, 0, j.OutputBytes, lim.Storage); err != nil {
				return err
			}
		}
		if lim.KeepFinished > 0 {
			return s.pruneJobs(ctx, tx, j.ProjectID, lim.KeepFinished)
		}
		return nil
	})
	var qe *QuotaError
	if errors.As(err, &qe) {
		return nil, nil, qe
	}
	var le *JobLimitError
	if errors.As(err, &le) {
		// Estimated after the refusal's transaction: it reads the whole
		// queue and must not hold the project's lock meanwhile.
		le.Wait = s.limitWait(ctx, le, j.ProjectID, lim.Client)
		return nil, nil, le
	}
	if err == nil {
		s.jobsChanged(ctx, superseded...)
	}
	return existing, superseded, err
}

// sameInputs returns the project's job of kind whose request key is key
// that still answers for those inputs: a queued or running one, else a
// done one whose result the project shows (the stored check; the current
// render, with its outputs recorded). nil when there is none.
func (s *SQL) sameInputs(ctx context.Context, tx *sql.Tx, projectID, kind, key string) (*Job, error) {
	e, err := scanJob(tx.QueryRowContext(ctx, s.q(`SELECT `+jobColumns+` FROM jobs
		WHERE project_id = ? AND kind = ? AND request_key = ? AND (state IN `+activeStates+`
			OR (state = 'done' AND (
				id IN (SELECT check_job FROM projects WHERE id = ? AND check_json IS NOT NULL)
				OR (id IN (SELECT render_job FROM projects WHERE id = ?) AND EXISTS (SELECT 1 FROM outputs o WHERE o.job_id = jobs.id)))))
		ORDER BY gen DESC LIMIT 1`), projectID, kind, key, projectID, projectID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// withinJobLimit fails with a *JobLimitError when the jobs where selects
// already have limit queued or running.
func (s *SQL) withinJobLimit(ctx context.Context, tx *sql.Tx, scope string, limit int, where string, arg any) error {
	if limit <= 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM jobs WHERE `+where+` AND state IN `+activeStates), arg).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		return &JobLimitError{Scope: scope, Limit: limit}
	}
	return nil
}

// supersede cancels the project's jobs of kind that the job keep (of
// generation gen; 0: a done job answering a newer request) makes
// pointless, and returns their ids. A render supersedes every other
// render queued or running: only the newest session is worth rendering.
// A check supersedes only the queued checks: they have not started, and
// a running check finishes (its result is stored only if the files did
// not change meanwhile). This is the one place a job is superseded.
func (s *SQL) supersede(ctx context.Context, tx *sql.Tx, projectID, kind, keep string, gen, now int64) ([]string, error) {
	states := `('queued')`
	if kind == JobRender {
		states = activeStates
	}
	if gen <= 0 {
		gen = 1<<63 - 1
	}
	where := `WHERE project_id = ? AND kind = ? AND id <> ? AND gen < ? AND state IN ` + states
	ids, err := queryAll(ctx, tx, "supersede", func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	}, s.q(`SELECT id FROM jobs `+where+` ORDER BY gen`), projectID, kind, keep, gen)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = 'cancelled', stage = 'cancelled', error = ?, updated_at = ? `+where),
		"superseded by a newer "+kind, now, projectID, kind, keep, gen)
	return ids, err
}

// pruneJobs deletes the project's finished jobs beyond the newest keep of
// each kind, except those something still names: the stored check, the
// current render, a revision, an output or a pending sweep. Each pruned
// job leaves a tombstone (pruned_jobs), so its id answers ErrPruned; the
// project keeps the newest maxTombstones of them.
func (s *SQL) pruneJobs(ctx context.Context, tx *sql.Tx, projectID string, keep int) error {
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO pruned_jobs (project_id, id, kind, gen, pruned_at)
		SELECT project_id, id, kind, gen, ? FROM jobs WHERE project_id = ? AND state IN `+finishedStates+`
		AND (SELECT COUNT(*) FROM jobs n WHERE n.project_id = jobs.project_id AND n.kind = jobs.kind
			AND n.state IN `+finishedStates+` AND n.gen > jobs.gen) >= ?
		AND id NOT IN (SELECT check_job FROM projects WHERE id = ?)
		AND id NOT IN (SELECT render_job FROM projects WHERE id = ?)
		AND id NOT IN (SELECT job_id FROM revisions WHERE project_id = ?)
		AND id NOT IN (SELECT job_id FROM outputs WHERE project_id = ?)
		AND id NOT IN (SELECT job_id FROM sweep WHERE project_id = ?)
		AND id NOT IN (SELECT id FROM pruned_jobs WHERE project_id = ?)`),
		ms(s.Now()), projectID, keep, projectID, projectID, projectID, projectID, projectID, projectID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM jobs WHERE project_id = ? AND id IN (SELECT id FROM pruned_jobs WHERE project_id = ?)`), projectID, projectID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.q(`DELETE FROM pruned_jobs WHERE project_id = ? AND gen < COALESCE(
		(SELECT gen FROM pruned_jobs WHERE project_id = ? ORDER BY gen DESC LIMIT 1 OFFSET ?), 0)`), projectID, projectID, maxTombstones-1)
	return err
}

// maxTombstones bounds the pruned jobs a project remembers: a client
// following a job reads it within minutes, long before a hundred newer
// ones finish.
const maxTombstones = 100

// ErrPruned is returned (wrapped) for a job that existed and was pruned
// (a project keeps its newest finished jobs); it is an ErrNotFound too.
var ErrPruned = fmt.Errorf("%w (pruned: the project keeps only its newest finished jobs)", ErrNotFound)

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
