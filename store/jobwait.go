package store

import (
	"context"
	"database/sql"
	"time"
)

// How a refusal's wait is estimated (JobLimitError.Wait): the scope's
// oldest active job ends once the jobs ahead of it in the deployment's
// queue have run. Per kind, that is the jobs ahead (running, or queued no
// later than it, itself included) times the mean time of the kind's
// recent jobs, divided by the jobs of the kind running at once (how many
// the workers run side by side).
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
	type ahead struct{ running, all int }
	kinds, err := queryAll(ctx, s.db, "queue ahead", func(rows *sql.Rows) (struct {
		kind string
		ahead
	}, error) {
		var k struct {
			kind string
			ahead
		}
		return k, rows.Scan(&k.kind, &k.running, &k.all)
	}, s.q(`SELECT kind, SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), COUNT(*) FROM jobs
		WHERE state = 'running' OR (state = 'queued' AND created_at <= ?) GROUP BY kind`), oldest)
	if err != nil {
		return 0
	}
	var wait time.Duration
	for _, k := range kinds {
		mean, err := s.meanJobTime(ctx, k.kind)
		if err != nil {
			return 0
		}
		wait += time.Duration(k.all) * mean / time.Duration(max(1, k.running))
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
