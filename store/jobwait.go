package store

import (
	"context"
	"database/sql"
	"time"
)

// How a refusal's wait is estimated (JobLimitError.Wait): the scope's
// oldest active job ends once the work ahead of it in the deployment's
// queue is done. Per kind, that work is the jobs ahead (running, or
// queued no later than it, itself included) times the mean time of the
// kind's recent jobs, less what the running ones have already done; the
// jobs of the kind running at once (how many the workers run side by
// side) share it.
const (
	// recentJobs is how many of the newest done jobs of a kind give its
	// mean time.
	recentJobs = 20
	// defaultJobTime stands for a kind's mean time before any job of it
	// has been timed.
	defaultJobTime = 10 * time.Second
	// minWait and maxWait bound the estimate: a client never comes back
	// at once, and an hour is as far as a queue's present says anything.
	minWait = time.Second
	maxWait = time.Hour
)

// limitWait estimates when the oldest active job of le's scope (the
// project, or the client) ends; 0 when the store cannot tell.
func (s *SQL) limitWait(ctx context.Context, le *JobLimitError, projectID, client string) time.Duration {
	where, arg := `project_id = ?`, projectID
	if le.Scope == "client" {
		where, arg = `client = ?`, client
	}
	var oldest int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT created_at FROM jobs WHERE `+where+` AND state IN `+activeStates+` ORDER BY created_at LIMIT 1`), arg).Scan(&oldest)
	if err != nil {
		return 0
	}
	type work struct {
		jobs, running int
		elapsed       []time.Duration // the running ones' time so far
	}
	kinds := map[string]*work{}
	of := func(kind string) *work {
		if kinds[kind] == nil {
			kinds[kind] = &work{}
		}
		return kinds[kind]
	}
	now := s.Now()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT kind, state, started_at FROM jobs
		WHERE state = 'running' OR (state = 'queued' AND created_at <= ?)`), oldest)
	if err != nil {
		return 0
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var started int64
		if err := rows.Scan(&kind, &state, &started); err != nil {
			return 0
		}
		w := of(kind)
		w.jobs++
		if state == StateRunning {
			w.running++
			if started > 0 {
				w.elapsed = append(w.elapsed, max(0, now.Sub(fromMS(started))))
			}
		}
	}
	if rows.Close() != nil || rows.Err() != nil {
		return 0
	}
	var wait time.Duration
	for kind, w := range kinds {
		mean, err := s.meanJobTime(ctx, kind)
		if err != nil {
			return 0
		}
		left := time.Duration(w.jobs) * mean
		for _, e := range w.elapsed {
			left -= min(e, mean)
		}
		wait += left / time.Duration(max(1, w.running))
	}
	return min(max(wait, minWait), maxWait)
}

// meanJobTime is the mean time of the newest recentJobs done jobs of kind,
// from the start of their last attempt to their end (defaultJobTime when
// none was timed).
func (s *SQL) meanJobTime(ctx context.Context, kind string) (time.Duration, error) {
	var mean sql.NullFloat64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT AVG(CAST(updated_at - started_at AS DOUBLE PRECISION)) FROM (
		SELECT updated_at, started_at FROM jobs WHERE kind = ? AND state = 'done' AND started_at > 0
		ORDER BY updated_at DESC LIMIT ?) recent`), kind, recentJobs).Scan(&mean)
	if err != nil {
		return 0, err
	}
	if !mean.Valid {
		return defaultJobTime, nil
	}
	return time.Duration(mean.Float64 * float64(time.Millisecond)), nil
}
