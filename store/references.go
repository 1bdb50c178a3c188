package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReferenceTrack is the record of a reference track: a commercial record
// the client wants the master compared with. References are kept beside
// the files, never in the stem set (recording one does not move the files
// generation), but they share the project's total size limit with the
// files: PutFileWithin counts them, and PutReferenceWithin counts the
// files, each in the transaction that records.
type ReferenceTrack struct {
	ProjectID string
	Name      string
	Size      int64
	BlobKey   string
	Info      []byte // JSON: the track's format, as a file's Info
	Weight    float64
	CreatedAt time.Time
	// Reservation names the upload in flight that recording the track
	// ends (BeginUpload; "" for none), as File.Reservation does.
	Reservation string
}

// ReferenceCountError is returned by PutReferenceWithin when the project
// already holds its limit of references.
type ReferenceCountError struct{ Limit int }

func (e *ReferenceCountError) Error() string {
	return fmt.Sprintf("store: a project holds at most %d references", e.Limit)
}

// PutReferenceWithin records a reference track, replacing the one of the
// same name, in one transaction that first checks, against the records as
// they are at that moment, that the project keeps at most maxRefs
// references and that its files and references together stay within
// maxTotalBytes (0: no limit, for either), and that the project's client
// and its network store no more than client allows in all their projects
// (clientstorage.go). It serialises with PutFileWithin on the
// project's row, so the limits hold under any concurrency, in any number
// of processes. It returns the reference replaced (nil for none), whose
// blob the caller deletes; a *ReferenceCountError or a *QuotaError when a
// limit would be exceeded.
func (s *SQL) PutReferenceWithin(ctx context.Context, r *ReferenceTrack, maxRefs int, maxTotalBytes int64, client ClientLimits) (*ReferenceTrack, error) {
	return s.putReferenceWithin(ctx, r, maxRefs, maxTotalBytes, client, true)
}

// AdoptReferenceWithin records a reference track only if the project has
// none of its name, within the same project limits and in the same
// transaction as PutReferenceWithin (the client's bound does not refuse
// what is already stored): it takes over references kept the earlier way (a
// record blob beside the audio) without ever replacing one recorded since.
// It returns the reference already recorded under the name (nil when r is
// now recorded); a *ReferenceCountError or a *QuotaError when a limit
// would be exceeded. Two processes adopting the same reference at once
// record it once: the second finds the first's row.
func (s *SQL) AdoptReferenceWithin(ctx context.Context, r *ReferenceTrack, maxRefs int, maxTotalBytes int64) (*ReferenceTrack, error) {
	return s.putReferenceWithin(ctx, r, maxRefs, maxTotalBytes, ClientLimits{}, false)
}

// putReferenceWithin records r within the limits; with replace false, a
// reference of its name is returned untouched instead of replaced.
func (s *SQL) putReferenceWithin(ctx context.Context, r *ReferenceTrack, maxRefs int, maxTotalBytes int64, client ClientLimits, replace bool) (*ReferenceTrack, error) {
	var replaced *ReferenceTrack
	err := s.withinLimits(ctx, "put reference "+r.Name, r.ProjectID, func(tx *sql.Tx) error {
		refs, err := s.referenceTracks(ctx, tx, r.ProjectID)
		if err != nil {
			return err
		}
		files, err := s.filesBytes(ctx, tx, r.ProjectID)
		if err != nil {
			return err
		}
		// The uploads in flight hold their bytes (inflight.go); this
		// one's reservation becomes the record.
		flight, err := s.inFlightBytes(ctx, tx, r.ProjectID, r.Reservation)
		if err != nil {
			return err
		}
		count, total := 0, files+flight+r.Size
		for i, o := range refs {
			if o.Name == r.Name {
				replaced = &refs[i]
				continue
			}
			count++
			total += o.Size
		}
		if replaced != nil && !replace {
			return nil
		}
		if maxRefs > 0 && count+1 > maxRefs {
			return &ReferenceCountError{Limit: maxRefs}
		}
		if maxTotalBytes > 0 && total > maxTotalBytes {
			return &QuotaError{Limit: maxTotalBytes}
		}
		add := r.Size
		if replaced != nil {
			add -= replaced.Size
		}
		if err := s.withinClientBytes(ctx, tx, r.ProjectID, add, client, r.Reservation); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM upload_reservations WHERE id = ?`), r.Reservation); err != nil {
			return err
		}
		// Adopting never overwrites: the primary key keeps the row that
		// got there first, even were the project's lock not taken.
		onConflict := `DO NOTHING`
		if replace {
			onConflict = `DO UPDATE SET size = excluded.size, blob_key = excluded.blob_key, info_json = excluded.info_json, weight = excluded.weight, created_at = excluded.created_at`
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO reference_tracks (project_id, name, size, blob_key, info_json, weight, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, name) `+onConflict),
			r.ProjectID, r.Name, r.Size, r.BlobKey, r.Info, r.Weight, ms(r.CreatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// withinLimits runs f in a transaction that holds the project's lock
// (lockProject). The limit errors f returns (*QuotaError,
// *NameConflictError, *ReferenceCountError) come back as they are, without
// the transaction's wrapping, for the API to show.
func (s *SQL) withinLimits(ctx context.Context, what, projectID string, f func(*sql.Tx) error) error {
	err := s.tx(ctx, what, func(tx *sql.Tx) error {
		if err := s.lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		return f(tx)
	})
	var qe *QuotaError
	var ce *NameConflictError
	var re *ReferenceCountError
	switch {
	case errors.As(err, &qe):
		return qe
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &re):
		return re
	}
	return err
}

// lockProject takes the project's row for the transaction (ErrNotFound
// when there is none): every change bounded by the project's limits goes
// through it, one at a time. A project whose retention has ended (expired,
// or its deletion begun: ExpireProject) is not found either, by the
// database's clock where the statement runs: its blobs are being deleted,
// and a record made now would outlive them and keep the blob its writer
// stored after the deletion went by, for no delete to find. Refused, the
// writer deletes what it wrote (service's projectGone says it is gone).
func (s *SQL) lockProject(ctx context.Context, tx *sql.Tx, projectID string) error {
	var one int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM projects WHERE id = ? AND expires_at >= `+s.nowMS()+s.forUpdate()), projectID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("project", projectID)
	}
	return err
}

// referencesBytes is the size of a project's references together.
func (s *SQL) referencesBytes(ctx context.Context, tx *sql.Tx, projectID string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(size), 0) FROM reference_tracks WHERE project_id = ?`), projectID).Scan(&n)
	return n, err
}

// filesBytes is the size of a project's files together.
func (s *SQL) filesBytes(ctx context.Context, tx *sql.Tx, projectID string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN counted > size THEN counted ELSE size END), 0) FROM files WHERE project_id = ?`), projectID).Scan(&n)
	return n, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *SQL) referenceTracks(ctx context.Context, db querier, projectID string) ([]ReferenceTrack, error) {
	rows, err := db.QueryContext(ctx, s.q(`SELECT name, size, blob_key, info_json, weight, created_at FROM reference_tracks WHERE project_id = ? ORDER BY name`), projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReferenceTrack
	for rows.Next() {
		r := ReferenceTrack{ProjectID: projectID}
		var created int64
		if err := rows.Scan(&r.Name, &r.Size, &r.BlobKey, &r.Info, &r.Weight, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = fromMS(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReferenceTracks lists a project's reference tracks by name.
func (s *SQL) ReferenceTracks(ctx context.Context, projectID string) ([]ReferenceTrack, error) {
	out, err := s.referenceTracks(ctx, s.db, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: references: %w", err)
	}
	return out, nil
}

// SetReferenceWeight changes a reference track's weight.
func (s *SQL) SetReferenceWeight(ctx context.Context, projectID, name string, weight float64) error {
	return s.execOne(ctx, "reference "+name, `UPDATE reference_tracks SET weight = ? WHERE project_id = ? AND name = ?`, weight, projectID, name)
}

// DeleteReferenceTrack removes a reference track's record and returns it
// (for its blob).
func (s *SQL) DeleteReferenceTrack(ctx context.Context, projectID, name string) (*ReferenceTrack, error) {
	var r *ReferenceTrack
	err := s.tx(ctx, "delete reference "+name, func(tx *sql.Tx) error {
		refs, err := s.referenceTracks(ctx, tx, projectID)
		if err != nil {
			return err
		}
		for i := range refs {
			if refs[i].Name == name {
				r = &refs[i]
			}
		}
		if r == nil {
			return notFound("reference", name)
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM reference_tracks WHERE project_id = ? AND name = ?`), projectID, name)
		return err
	})
	return r, err
}
