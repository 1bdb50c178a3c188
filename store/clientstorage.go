package store

import (
	"context"
	"database/sql"
	"strings"
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
// deleted, expired or not: its blobs are there until then. The projects
// created from one network (Project.ClientNet) are counted together the
// same way: a renter of a hosting range holds dozens of addresses.

// clientBytesQuery sums the storage of the projects of one client (the
// four placeholders all name it).
const clientBytesQuery = `SELECT
	(SELECT COALESCE(SUM(CASE WHEN f.counted > f.size THEN f.counted ELSE f.size END), 0)
		FROM files f JOIN projects p ON p.id = f.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(r.size), 0) FROM reference_tracks r JOIN projects p ON p.id = r.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(v.bytes), 0) FROM revisions v JOIN projects p ON p.id = v.project_id WHERE p.client = ?)
	+ (SELECT COALESCE(SUM(o.size), 0) FROM outputs o JOIN projects p ON p.id = o.project_id
		WHERE p.client = ? AND o.job_id NOT IN (SELECT job_id FROM revisions WHERE project_id = o.project_id))`

// netBytesQuery sums the storage of the projects created from one network.
var netBytesQuery = strings.ReplaceAll(clientBytesQuery, "p.client = ?", "p.client_net = ?")

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ownerBytes is what the projects of one owner store together: a client
// (query clientBytesQuery) or a network (netBytesQuery).
func (s *SQL) ownerBytes(ctx context.Context, db rowQuerier, query, owner string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, s.q(query), owner, owner, owner, owner).Scan(&n)
	return n, err
}

// ClientLimits bound what the projects of one client store together
// (MaxClientBytes; 0: no bound), and those created from its network
// (MaxNetBytes gives the bound of a network, by its name; nil or 0: none).
type ClientLimits struct {
	MaxClientBytes int64
	MaxNetBytes    func(net string) int64
}

// withinClientBytes fails with a *QuotaError (Client; Net naming the
// network when it is the network's bound) when the project's client, or
// its network, would store more than lim allows once it adds bytes
// (negative: frees them), counting their uploads in flight but the
// reservation except (the upload being recorded; "" for none). It runs in
// a transaction holding the project's lock (ownersRoom).
func (s *SQL) withinClientBytes(ctx context.Context, tx *sql.Tx, projectID string, add int64, lim ClientLimits, except string) error {
	_, err := s.ownersRoom(ctx, tx, projectID, except, 0, add, lim)
	return err
}
