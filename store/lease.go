package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// StateCancelled is the state of a job its client cancelled or a newer
// render of the same project superseded. It is final: later progress
// reports of the job's worker do not change it.
const StateCancelled = "cancelled"

// Finished reports whether a job state is final: done, failed or
// cancelled.
func Finished(state string) bool {
	return state == StateDone || state == StateFailed || state == StateCancelled
}

// Heartbeat records that a running job's worker is alive and returns the
// job's state, so the worker learns of a cancellation.
func (s *SQL) Heartbeat(ctx context.Context, jobID string) (string, error) {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE jobs SET updated_at = ? WHERE id = ? AND state = 'running'`), ms(s.Now()), jobID); err != nil {
		return "", fmt.Errorf("store: heartbeat: %w", err)
	}
	var state string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT state FROM jobs WHERE id = ?`), jobID).Scan(&state)
	if err == sql.ErrNoRows {
		return "", notFound("job", jobID)
	}
	if err != nil {
		return "", fmt.Errorf("store: heartbeat: %w", err)
	}
	return state, nil
}

// CancelJob cancels one queued or running job of a project and reports
// whether it did (false: the job had already ended).
func (s *SQL) CancelJob(ctx context.Context, projectID, jobID, reason string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE jobs SET state = 'cancelled', stage = 'cancelled', error = ?, updated_at = ?
		WHERE id = ? AND project_id = ? AND state IN `+activeStates), reason, ms(s.Now()), jobID, projectID)
	if err != nil {
		return false, fmt.Errorf("store: cancel job: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		if _, err := s.Job(ctx, projectID, jobID); err != nil {
			return false, err
		}
	}
	if n > 0 {
		s.jobsChanged(ctx, jobID)
	}
	return n > 0, nil
}

// Claim is the outcome of ClaimJob.
type Claim int

// Claim outcomes.
const (
	Claimed       Claim = iota
	ClaimProject        // the project already has as many such jobs running as allowed
	ClaimGlobal         // the deployment already runs as many such jobs as allowed
	ClaimFinished       // the job is cancelled, done or failed: do not run it
	ClaimHeld           // the job runs in another worker, whose heartbeat is fresh
)

// ClaimJob marks a job running if fewer than perProject jobs of its kind
// run for its project and fewer than global run in all (0: no limit).
// A running job counts while its worker's heartbeat is younger than lease;
// a worker that died stops counting after lease. Claims are serialised, so
// concurrent workers on any number of machines never exceed the limits.
// The job itself is claimed only once at a time: the queue may hand a job
// out again while its worker still runs it (a database outage can lose
// the queue's record of the attempt), and that second claim is refused
// (ClaimHeld) until the first worker's heartbeat is older than lease.
func (s *SQL) ClaimJob(ctx context.Context, projectID, jobID, kind string, perProject, global int, lease time.Duration) (Claim, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: claim: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		// SQLite transactions here begin IMMEDIATE and are already serial.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stemmaster-claim'))`); err != nil {
			return 0, fmt.Errorf("store: claim: %w", err)
		}
	}
	var state string
	var updated int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT state, updated_at FROM jobs WHERE id = ? AND project_id = ?`), jobID, projectID).Scan(&state, &updated); err != nil {
		if err == sql.ErrNoRows {
			return 0, notFound("job", jobID)
		}
		return 0, fmt.Errorf("store: claim: %w", err)
	}
	if state != StateQueued && state != StateRunning {
		return ClaimFinished, nil
	}
	fresh := ms(s.Now().Add(-lease))
	if state == StateRunning && updated > fresh {
		return ClaimHeld, nil
	}
	count := func(extra string, args ...any) (int, error) {
		var n int
		q := `SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'running' AND updated_at > ? AND id <> ?` + extra
		err := tx.QueryRowContext(ctx, s.q(q), append([]any{kind, fresh, jobID}, args...)...).Scan(&n)
		return n, err
	}
	if perProject > 0 {
		n, err := count(` AND project_id = ?`, projectID)
		if err != nil {
			return 0, fmt.Errorf("store: claim: %w", err)
		}
		if n >= perProject {
			return ClaimProject, nil
		}
	}
	if global > 0 {
		n, err := count("")
		if err != nil {
			return 0, fmt.Errorf("store: claim: %w", err)
		}
		if n >= global {
			return ClaimGlobal, nil
		}
	}
	// Conditional: a cancellation may land between the read above and
	// this write, and must win.
	res, err := tx.ExecContext(ctx, s.q(`UPDATE jobs SET state = 'running', stage = 'start', updated_at = ? WHERE id = ? AND state IN `+activeStates), ms(s.Now()), jobID)
	if err != nil {
		return 0, fmt.Errorf("store: claim: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ClaimFinished, nil
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: claim: %w", err)
	}
	s.jobsChanged(ctx, jobID)
	return Claimed, nil
}

// StaleJobs returns those of ids that are active (queued or running) but
// whose worker's heartbeat, or the job's last change, is older than
// lease: their worker died or lost the database. A queued job among them
// was taken by a worker that died before claiming it. A finished job is
// never stale: its outcome is recorded, and its worker may still be
// returning (a cancelled render deletes its files for up to 30 s after
// its last change); queueing it again would only log a lost worker that
// is not lost and count an attempt against it.
func (s *SQL) StaleJobs(ctx context.Context, ids []string, lease time.Duration) (map[string]bool, error) {
	stale := map[string]bool{}
	cutoff := ms(s.Now().Add(-lease))
	for _, id := range ids {
		var n int
		err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM jobs WHERE id = ? AND state IN `+activeStates+` AND updated_at < ?`), id, cutoff).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("store: stale jobs: %w", err)
		}
		if n > 0 {
			stale[id] = true
		}
	}
	return stale, nil
}

// WorkedJobs returns those of ids that a process may still be working on:
// jobs changed since since (a running job's heartbeat changes it every
// second; a job that ended since may still be returning). A job deleted,
// or silent since (its process died, or it ended before), is not among
// them.
func (s *SQL) WorkedJobs(ctx context.Context, ids []string, since time.Time) (map[string]bool, error) {
	worked := map[string]bool{}
	for _, id := range ids {
		var n int
		err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM jobs WHERE id = ? AND updated_at > ?`), id, ms(since)).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("store: worked jobs: %w", err)
		}
		if n > 0 {
			worked[id] = true
		}
	}
	return worked, nil
}
