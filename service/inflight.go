package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"stemmaster/store"
)

// InFlight is an upload's reservation in the store while it is spooled,
// inspected and stored (store's inflight.go): its place among the
// project's files and the bytes it holds count against the project's
// limits and its client's storage in every front end at once, not in this
// one's memory only. A goroutine renews its lease until End; a front end
// that dies leaves it to lapse.
type InFlight struct {
	ps        *Projects
	id        string
	projectID string
	lim       store.FileLimits
	granted   int64 // the bytes the store holds for it (Grow's goroutine only)
	// stop ends the renewals, and cancels one under way.
	stop context.CancelFunc
	// renewing is done once the renewals ended.
	renewing context.Context
	done     chan struct{}
	once     sync.Once
}

// ErrUploadLapsed is an upload whose reservation is gone from the store
// while its project lives: its lease ran out (the front end could not
// renew it for UploadLease: the database out of reach that long), so
// others may have taken its bytes. Nothing is wrong with the upload: sent
// again, it is judged afresh.
var ErrUploadLapsed = errors.New("the upload's reservation in the store lapsed")

// endTimeout bounds End's deletion of the reservation: a store that does
// not answer in time leaves the row to lapse (UploadLease) rather than
// hold the request that ends the upload, and the slot it runs in, for
// ever.
const endTimeout = 10 * time.Second

// BeginUpload reserves a place for an upload of kind (store.KindStem,
// store.KindMix or store.KindReference) named name to the project, within
// lim.MaxFiles (a *store.QuotaError with Files beyond); lim bounds its
// bytes as it grows (Grow). The caller ends it (End) however the upload
// ends; recording the file with ID ends it in the store.
func (ps *Projects) BeginUpload(ctx context.Context, projectID, kind, name string, lim store.FileLimits) (*InFlight, error) {
	u := &InFlight{ps: ps, id: NewID(), projectID: projectID, lim: lim, done: make(chan struct{})}
	if err := ps.Meta.BeginUpload(ctx, &store.Reservation{ID: u.id, ProjectID: projectID, Kind: kind, Name: name}, lim.MaxFiles); err != nil {
		return nil, err
	}
	u.renewing, u.stop = context.WithCancel(context.Background())
	go u.renew()
	return u, nil
}

// ID names the reservation: the File.Reservation (or
// ReferenceTrack.Reservation) of the record that ends it.
func (u *InFlight) ID() string { return u.id }

// Grow makes sure the store holds need bytes for the upload. It asks for
// step more than it needs, as much of it as the limits leave (the store
// is asked again only past that), and fails with the store's
// *store.QuotaError when even need is more than they leave. A
// reservation gone while the project lives is ErrUploadLapsed; gone with
// its project, store.ErrNotFound.
func (u *InFlight) Grow(ctx context.Context, need, step int64) error {
	if need <= u.granted {
		return nil
	}
	n, err := u.ps.Meta.GrowUpload(ctx, u.id, need, need+step, u.lim)
	if errors.Is(err, store.ErrNotFound) {
		return u.lapsed(ctx, err)
	}
	if err != nil {
		return err
	}
	u.granted = n
	return nil
}

// lapsed tells a reservation that lapsed (ErrUploadLapsed) from one
// deleted with its project (notFound, the store's ErrNotFound): the
// project's row is read again, and one whose retention ended is gone.
func (u *InFlight) lapsed(ctx context.Context, notFound error) error {
	p, err := u.ps.Meta.Project(ctx, u.projectID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound
	case err != nil:
		return err
	case p.ExpiresAt.Before(u.ps.Now()):
		return notFound
	}
	return fmt.Errorf("%w (reservation %s)", ErrUploadLapsed, u.id)
}

// renew renews the lease every quarter of it until End.
func (u *InFlight) renew() {
	defer close(u.done)
	t := time.NewTicker(store.UploadLease / 4)
	defer t.Stop()
	for {
		select {
		case <-u.renewing.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(u.renewing, store.UploadLease/4)
		err := u.ps.Meta.RenewUpload(ctx, u.id)
		cancel()
		if err != nil && u.renewing.Err() == nil {
			// The store out of reach, or the reservation lapsed (the
			// project gone with it): Grow and the record judge the
			// upload against the store as it is then.
			u.ps.log().Warn("upload reservation not renewed", "reservation", u.id, "error", err)
		}
		if errors.Is(err, store.ErrNotFound) {
			return
		}
	}
}

// End stops renewing the reservation (a renewal under way is cancelled)
// and deletes it (recorded, it is gone already), waiting endTimeout at
// most: a store that hangs leaves it to lapse. Called again, it does
// nothing.
func (u *InFlight) End() {
	u.once.Do(func() {
		u.stop()
		<-u.done
		ctx, cancel := context.WithTimeout(context.Background(), endTimeout)
		defer cancel()
		if err := u.ps.Meta.EndUpload(ctx, u.id); err != nil {
			u.ps.log().Warn("end upload reservation", "reservation", u.id, "error", err)
		}
	})
}
