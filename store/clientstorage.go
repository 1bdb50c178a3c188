package store

import (
	"context"
	"database/sql"
	"errors"
)

// Storage per client: each project is bounded (its files and references
// by FileLimits.MaxTotalBytes, each render by the server's output bound),
// but a client creates up to its live-project bound of projects, each
// keeping several renders, and a few MB of FLAC silence fill a project's
// bound. The bytes of every project one client created (Project.Client:
// its address as the server groups it) are therefore counted together,
// from the database, so that the bound holds across front ends: uploaded
// files (the larger of a file and its preview, File.Counts), references,
// and rendered outputs, those of every kept revision and those of a
// published render that is not one. A project counts until it is
// deleted, expired or not: its blobs are there until then.

// clientBytesQuery sums the storage of the projects of one client (the
// four placeholders all name it).
const clientBytesQuery = `SELECT
	(SELECT COALESCE(SUM(CASE WHEN f.counted > f.size THEN f.counted ELSE f.size END), 0)
		FROM files f JOIN projects p ON p.id = f.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(r.size), 0) FROM reference_tracks r JOIN projects p ON p.id = r.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(v.bytes), 0) FROM revisions v JOIN projects p ON p.id = v.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(o.size), 0) FROM outputs o JOIN projects p ON p.id = o.project_id
		WHERE p.client = ? AND o.job_id NOT IN (SELECT job_id FROM revisions WHERE project_id = o.project_id))`

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// clientBytes is what the projects of client store together.
func (s *SQL) clientBytes(ctx context.Context, db rowQuerier, client string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, s.q(clientBytesQuery), client, client, client, client).Scan(&n)
	return n, err
}

// ClientBytesOf returns the client that created the project ("" for one
// created before clients were recorded, or by the command line) and what
// that client's projects store together.
func (s *SQL) ClientBytesOf(ctx context.Context, projectID string) (client string, bytes int64, err error) {
	err = s.db.QueryRowContext(ctx, s.q(`SELECT client FROM projects WHERE id = ?`), projectID).Scan(&client)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, notFound("project", projectID)
	}
	if err != nil || client == "" {
		return client, 0, err
	}
	bytes, err = s.clientBytes(ctx, s.db, client)
	return client, bytes, err
}

// withinClientBytes fails with a *QuotaError (Client) when the project's
// client would store more than most (0: no bound) once it adds bytes
// (negative: frees them). It runs in a transaction holding the project's
// lock; on PostgreSQL it then takes the client's, as CreateJobWithin does
// (project first, then client: no cycle), so that uploads of one client
// to different projects are counted one at a time.
func (s *SQL) withinClientBytes(ctx context.Context, tx *sql.Tx, projectID string, add, most int64) error {
	if most <= 0 {
		return nil
	}
	var client string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT client FROM projects WHERE id = ?`), projectID).Scan(&client); err != nil {
		return err
	}
	if client == "" {
		return nil
	}
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stemmaster-client:' || $1))`, client); err != nil {
			return err
		}
	}
	used, err := s.clientBytes(ctx, tx, client)
	if err != nil {
		return err
	}
	if used+add > most {
		return &QuotaError{Client: true, Limit: most, Used: used}
	}
	return nil
}
