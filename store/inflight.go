package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Uploads in flight. A front end spools an upload to its own disk before
// it records it, and the spooling may take minutes: counted only once
// recorded, every upload that begins while a project (or its client) has
// room is taken whole, however many run at once. Counted in each front
// end's memory, N front ends let N times the bound in flight. So each
// upload in flight holds a reservation row here (the upload_reservations
// table): a place among its project's files (a reference takes none) and
// the bytes spooled so far, which count against its project's size and its
// client's and network's storage beside what is recorded, by every front
// end at once. The record that ends the upload deletes the row in its
// transaction (File.Reservation, ReferenceTrack.Reservation); an upload
// that fails ends it (EndUpload); a front end that dies leaves it until its
// lease runs out (UploadLease, on the database's clock), renewed while the
// upload lives.

// KindReference is the kind of a reference track beside the files: of
// its reservation in flight, and of its blobs' folder.
const KindReference = "reference"

// UploadLease is how long a reservation outlives its last renewal: a front
// end renews it every quarter of it while the upload lives, so only a
// front end gone (or cut off from the database that long) lets it lapse.
const UploadLease = 2 * time.Minute

// Reservation is an upload in flight.
type Reservation struct {
	ID        string
	ProjectID string
	Kind      string // KindStem, KindMix or KindReference
	Name      string // the name it will be recorded under
}

// placeKey is the place a file of kind and name takes among its project's
// files: a stem its own, the mix the one mix's (a new mix replaces it).
func placeKey(kind, name string) string {
	if kind == KindMix {
		return KindMix
	}
	return kind + "/" + name
}

// liveReservation is the SQL condition on the reservations table (alias
// r) of a reservation whose lease has not run out.
func (s *SQL) liveReservation() string { return `r.expires_at >= ` + s.nowMS() }

// BeginUpload records a reservation for an upload, within the project's
// places: a stem or a mix takes one unless a file of its place is recorded
// or in flight already (a replacement), and the project's files recorded
// and in flight together stay within maxFiles (0: no bound; a *QuotaError
// with Files beyond). It holds no bytes yet (GrowUpload). ErrNotFound when
// the project is gone or its retention has ended.
func (s *SQL) BeginUpload(ctx context.Context, r *Reservation, maxFiles int) error {
	return s.withinLimits(ctx, "begin upload "+r.Name, r.ProjectID, func(tx *sql.Tx) error {
		if _, err := s.dropLapsedUploads(ctx, tx); err != nil {
			return err
		}
		if r.Kind != KindReference && maxFiles > 0 {
			places, err := s.placesBeside(ctx, tx, r.ProjectID, placeKey(r.Kind, r.Name), "")
			if err != nil {
				return err
			}
			if places+1 > maxFiles {
				return &QuotaError{Files: true, Limit: int64(maxFiles)}
			}
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO upload_reservations (id, project_id, kind, name, bytes, expires_at) VALUES (?, ?, ?, ?, 0, `+s.nowMS()+` + ?)`),
			r.ID, r.ProjectID, r.Kind, r.Name, UploadLease.Milliseconds())
		return err
	})
}

// placesBeside counts the places the project's files recorded and in
// flight take, but for the place key (the file being added: it replaces
// the file there) and the reservation except (the upload being recorded).
func (s *SQL) placesBeside(ctx context.Context, tx *sql.Tx, projectID, key, except string) (int, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT kind, name FROM files WHERE project_id = ?
		UNION ALL SELECT r.kind, r.name FROM upload_reservations r WHERE r.project_id = ? AND r.id <> ? AND r.kind <> ? AND `+s.liveReservation()),
		projectID, projectID, except, KindReference)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	places := map[string]bool{}
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			return 0, err
		}
		if k := placeKey(kind, name); k != key {
			places[k] = true
		}
	}
	return len(places), rows.Err()
}

// inFlightBytes is what the project's uploads in flight hold, but the
// reservation except.
func (s *SQL) inFlightBytes(ctx context.Context, tx *sql.Tx, projectID, except string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(r.bytes), 0) FROM upload_reservations r WHERE r.project_id = ? AND r.id <> ? AND `+s.liveReservation()),
		projectID, except).Scan(&n)
	return n, err
}

// GrowUpload takes the reservation to as many bytes as lim leaves it, up
// to most, and at least least: the project's files, references and other
// uploads in flight with it within MaxTotalBytes, and what its client's
// and its network's projects store and have in flight within
// ClientLimits. It returns the bytes now reserved, and renews the lease.
// Short of least, the reservation ends in the same transaction (the
// upload is cut: the uploads still in flight are judged without it from
// then on, where two refused one after the other would cut each other)
// and the error is a *QuotaError (the project's size, or an owner's
// storage with InFlight); ErrNotFound when the reservation lapsed or the
// project is gone.
func (s *SQL) GrowUpload(ctx context.Context, id string, least, most int64, lim FileLimits) (int64, error) {
	var granted int64
	var refused *QuotaError
	err := s.tx(ctx, "grow upload", func(tx *sql.Tx) error {
		var err error
		granted, err = s.growUpload(ctx, tx, id, least, most, lim)
		if !errors.As(err, &refused) {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM upload_reservations WHERE id = ?`), id)
		return err
	})
	if err == nil && refused != nil {
		return 0, refused
	}
	return granted, err
}

// growUpload is GrowUpload's transaction, but for the end of a refused
// reservation.
func (s *SQL) growUpload(ctx context.Context, tx *sql.Tx, id string, least, most int64, lim FileLimits) (int64, error) {
	r, err := s.reservation(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	if err := s.lockProject(ctx, tx, r.ProjectID); err != nil {
		return 0, err
	}
	used, freed, err := s.projectBytes(ctx, tx, r)
	if err != nil {
		return 0, err
	}
	granted := most
	if lim.MaxTotalBytes > 0 {
		room := lim.MaxTotalBytes - (used - freed)
		if room < least {
			return 0, &QuotaError{Limit: lim.MaxTotalBytes}
		}
		granted = min(granted, room)
	}
	room, err := s.ownersRoom(ctx, tx, r.ProjectID, r.ID, freed, least, lim.ClientLimits)
	if err != nil {
		return 0, err
	}
	granted = min(granted, room)
	// The reservation was read before the project's lock was taken: one
	// ended meanwhile leaves no row, and nothing is held.
	res, err := tx.ExecContext(ctx, s.q(`UPDATE upload_reservations SET bytes = ?, expires_at = `+s.nowMS()+` + ? WHERE id = ?`),
		granted, UploadLease.Milliseconds(), id)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, notFound("upload reservation", id)
	}
	return granted, nil
}

// reservation reads a live reservation (ErrNotFound when it lapsed or
// ended).
func (s *SQL) reservation(ctx context.Context, tx *sql.Tx, id string) (*Reservation, error) {
	r := Reservation{ID: id}
	err := tx.QueryRowContext(ctx, s.q(`SELECT r.project_id, r.kind, r.name FROM upload_reservations r WHERE r.id = ? AND `+s.liveReservation()), id).
		Scan(&r.ProjectID, &r.Kind, &r.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("upload reservation", id)
	}
	return &r, err
}

// projectBytes is what the project of r stores and has in flight beside
// r (used), and what of it the file r replaces counts for (freed).
func (s *SQL) projectBytes(ctx context.Context, tx *sql.Tx, r *Reservation) (used, freed int64, err error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT kind, name, CASE WHEN counted > size THEN counted ELSE size END FROM files WHERE project_id = ?
		UNION ALL SELECT ?, name, size FROM reference_tracks WHERE project_id = ?`), r.ProjectID, KindReference, r.ProjectID)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	key := placeKey(r.Kind, r.Name)
	for rows.Next() {
		var kind, name string
		var n int64
		if err := rows.Scan(&kind, &name, &n); err != nil {
			return 0, 0, err
		}
		used += n
		if placeKey(kind, name) == key {
			freed += n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	flight, err := s.inFlightBytes(ctx, tx, r.ProjectID, r.ID)
	return used + flight, freed, err
}

// ownersRoom is the most that may be added to the project's storage
// within what its client and its network may store (lim): their bound
// less what their projects store (less freed, what the addition replaces)
// and have in flight beside the reservation except. Short of least, the
// error is the owner's *QuotaError (a network's names it). It runs in a transaction
// holding the project's lock; on PostgreSQL it then takes the client's
// and then the network's (ownerUse), so that the uploads of one client,
// or of one network, to different projects are counted one at a time.
func (s *SQL) ownersRoom(ctx context.Context, tx *sql.Tx, projectID, except string, freed, least int64, lim ClientLimits) (int64, error) {
	room := int64(1<<62 - 1)
	if lim.MaxClientBytes <= 0 && lim.MaxNetBytes == nil {
		return room, nil
	}
	var client, nw string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT client, client_net FROM projects WHERE id = ?`), projectID).Scan(&client, &nw); err != nil {
		return 0, err
	}
	for _, o := range []struct {
		kind, owner string
		most        int64
	}{{"client", client, lim.MaxClientBytes}, {"net", nw, netBound(lim, nw)}} {
		if o.owner == "" || o.most <= 0 {
			continue
		}
		stored, flight, err := s.ownerUse(ctx, tx, o.kind, o.owner, except)
		if err != nil {
			return 0, err
		}
		left := o.most - (stored - freed + flight)
		if left < least {
			qe := &QuotaError{Client: true, Limit: o.most, Used: stored - freed, InFlight: flight}
			if o.kind == "net" {
				qe.Net = o.owner
			}
			return 0, qe
		}
		room = min(room, left)
	}
	return room, nil
}

// netBound is the storage bound of network nw under lim (0: none).
func netBound(lim ClientLimits, nw string) int64 {
	if nw == "" || lim.MaxNetBytes == nil {
		return 0
	}
	return lim.MaxNetBytes(nw)
}

// ownerUse is what the projects of one owner (kind "client" or "net")
// store and have in flight: the uploads' reservations and the outputs of
// the renders queued or running (jobs.output_bytes), but the reservation
// or job except, taking the owner's lock first on PostgreSQL
// (withinOwnerBytes' order: project, client, network).
func (s *SQL) ownerUse(ctx context.Context, tx *sql.Tx, kind, owner, except string) (stored, flight int64, err error) {
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('stemmaster-'||$1||':'||$2))`, kind, owner); err != nil {
			return 0, 0, err
		}
	}
	query, column := clientBytesQuery, "p.client"
	if kind == "net" {
		query, column = netBytesQuery, "p.client_net"
	}
	if stored, err = s.ownerBytes(ctx, tx, query, owner); err != nil {
		return 0, 0, err
	}
	err = tx.QueryRowContext(ctx, s.q(`SELECT
		(SELECT COALESCE(SUM(r.bytes), 0) FROM upload_reservations r JOIN projects p ON p.id = r.project_id
			WHERE `+column+` = ? AND r.id <> ? AND `+s.liveReservation()+`)
		+ (SELECT COALESCE(SUM(j.output_bytes), 0) FROM jobs j JOIN projects p ON p.id = j.project_id
			WHERE `+column+` = ? AND j.id <> ? AND j.state IN `+activeStates+`)`), owner, except, owner, except).Scan(&flight)
	return stored, flight, err
}

// RenewUpload extends the reservation's lease; ErrNotFound when it lapsed
// (its bytes may be taken by others since: the upload is to stop).
func (s *SQL) RenewUpload(ctx context.Context, id string) error {
	return s.execOne(ctx, "upload reservation "+id, `UPDATE upload_reservations SET expires_at = `+s.nowMS()+` + ? WHERE id = ? AND expires_at >= `+s.nowMS(),
		UploadLease.Milliseconds(), id)
}

// DropLapsedUploads deletes the reservations whose lease ran out (their
// front end died or lost the database) and returns how many. They count
// for nothing already (liveReservation); the maintenance sweep drops them
// so that the table holds only uploads in flight, where the next upload
// to any project would otherwise be the first to.
func (s *SQL) DropLapsedUploads(ctx context.Context) (int, error) {
	n, err := s.dropLapsedUploads(ctx, s.db)
	if err != nil {
		return 0, fmt.Errorf("store: drop lapsed uploads: %w", err)
	}
	return n, nil
}

func (s *SQL) dropLapsedUploads(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) (int, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM upload_reservations WHERE expires_at < `+s.nowMS())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// EndUpload deletes the reservation of an upload that ends without being
// recorded (ended already: nothing to do).
func (s *SQL) EndUpload(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM upload_reservations WHERE id = ?`), id); err != nil {
		return fmt.Errorf("store: end upload: %w", err)
	}
	return nil
}
