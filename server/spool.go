package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"stemmaster/service"
	"stemmaster/store"
)

// spools reserves what uploads take while they are being spooled, from
// their first byte — not only once they are recorded: without it every
// upload that starts while the disk and the project have room is taken
// whole, however many run at once.
//
// A file in flight counts against its project's places and size, and its
// client's and network's storage, in the store (service.InFlight): every
// front end sees every other's uploads, where counted in each one's memory
// N front ends let N times the bound in flight (a client's 64 connections
// to each spooled 64 GB at once, refused only when recorded). Its bytes
// count against this machine's free-disk watermark here, in memory: the
// disk is this front end's own.
//
// Bytes spooled count twice against the disk: once in the temporary file
// (the free space already shows it), once for the copy the blob store is
// about to make. Once the file is recorded the store counts it as a file;
// its disk bytes stay reserved as long as the spool file is kept: until
// the upload ends, or, for an upload whose stream preview is made from it
// after the answer (previewqueue.go), until that is done.
type spools struct {
	mu    sync.Mutex
	total int64 // bytes spooled by every upload in flight
	// renders is the disk the renders have reserved (service.Disk): the
	// uploads' check counts it, as the renders' counts the uploads'.
	renders func() int64
}

// spool is one file in flight.
type spool struct {
	s *spools
	n int64 // bytes reserved on the disk
	// flight is its reservation in the store, nil without one (or once
	// recorded or ended).
	flight *service.InFlight
}

func newSpools() *spools { return &spools{} }

// begin starts the disk reservation of a file in flight.
func (s *spools) begin() *spool { return &spool{s: s} }

// beginSpool starts a file in flight of kind (store.KindStem,
// store.KindMix or store.KindReference) and name to the project: its
// reservation in the store (a *store.QuotaError with Files when the
// project's files recorded and in flight take every place) and on the
// disk.
func (s *Server) beginSpool(ctx context.Context, projectID, kind, name string) (*spool, error) {
	lim := s.cfg.Limits
	flight, err := s.projects.BeginUpload(ctx, projectID, kind, name,
		store.FileLimits{MaxFiles: lim.MaxFiles, MaxTotalBytes: lim.MaxTotalBytes, ClientLimits: s.clientLimits()})
	if err != nil {
		return nil, err
	}
	sp := s.spools.begin()
	sp.flight = flight
	return sp, nil
}

// reservation names the file's reservation in the store, for the record
// that ends it ("" for none).
func (sp *spool) reservation() string {
	if sp.flight == nil {
		return ""
	}
	return sp.flight.ID()
}

// reserveDisk adds n bytes to the file's disk reservation if, when free is
// not negative, the disk keeps minFree after every upload in flight is
// stored and the renders' reservations are met. When it does not, the
// file's whole disk reservation ends with the error.
func (sp *spool) reserveDisk(n, free, minFree int64) error {
	s := sp.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if free >= 0 && free-(s.total+n+s.rendersReserved()) < minFree {
		// The upload is cut: what it spooled no longer counts, so that
		// the uploads still running are judged without it.
		s.drop(sp)
		return errSpoolDisk
	}
	sp.n += n
	s.total += n
	return nil
}

// recorded notes that the store counts the file now: its reservation
// there is gone with the record (its disk bytes stay reserved until end:
// the blob store's copy is made, the spool file not yet removed).
func (sp *spool) recorded() {
	if sp.flight != nil {
		sp.flight.End()
	}
}

// end releases the reservations.
func (sp *spool) end() {
	if sp.flight != nil {
		sp.flight.End()
	}
	sp.s.mu.Lock()
	sp.s.drop(sp)
	sp.s.mu.Unlock()
}

// drop takes the file's bytes off the disk's reservations (s.mu held).
func (s *spools) drop(sp *spool) {
	s.total -= sp.n
	sp.n = 0
}

// rendersReserved is the bytes the renders hold, 0 without them.
func (s *spools) rendersReserved() int64 {
	if s.renders == nil {
		return 0
	}
	return s.renders()
}

// reserved is the bytes reserved by every upload in flight.
func (s *spools) reserved() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

var errSpoolDisk = &uploadError{http.StatusInsufficientStorage, "disk_full", "the server is short of disk space; try again later"}

// spoolCheckEvery is how many bytes a file spools between two looks at the
// free disk space.
const spoolCheckEvery = 1 << 20

// spoolWriter writes a file being spooled, reserving each write first.
type spoolWriter struct {
	ctx     context.Context
	w       io.Writer
	sp      *spool
	srv     *Server
	name    string
	free    int64 // the free disk at the last look; -1: no watermark
	checked int64 // bytes reserved at the last look
}

func (w *spoolWriter) Write(p []byte) (int, error) {
	if w.free >= 0 && w.sp.n-w.checked >= spoolCheckEvery {
		w.free, w.checked = w.srv.freeBytes(), w.sp.n
	}
	if err := w.reserveStore(int64(len(p))); err != nil {
		return 0, err
	}
	if err := w.sp.reserveDisk(int64(len(p)), w.free, w.srv.cfg.MinFreeBytes); err != nil {
		w.srv.cfg.Logger.Warn("upload cut: free disk below the watermark with the uploads in flight", "file", w.name,
			"free_bytes", w.free, "reserved_bytes", w.sp.s.reserved(), "min_free_bytes", w.srv.cfg.MinFreeBytes)
		return 0, err
	}
	n, err := w.w.Write(p)
	if err != nil {
		// The server's disk, not the client's body, is at fault.
		if store.DiskFull(err) {
			w.srv.cfg.Logger.Error("upload cut: the disk is full", "file", w.name, "error", err)
			return n, errSpoolDisk
		}
		return n, spoolWriteError{err}
	}
	return n, nil
}

// reserveStore makes sure the file's reservation in the store holds its
// bytes spooled and n more (service.InFlight.Grow), asking for
// spoolStoreStep more at a time; beyond the limits the upload is cut with
// the limit's message.
func (w *spoolWriter) reserveStore(n int64) error {
	if w.sp.flight == nil {
		return nil
	}
	lim := w.srv.cfg.Limits
	need := w.sp.n + n
	err := w.sp.flight.Grow(w.ctx, need, spoolStoreStep(lim.MaxTotalBytes))
	var qe *store.QuotaError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &qe) && qe.Client:
		return ownerFull(w.name, need, qe)
	case errors.As(err, &qe):
		return tooLarge(w.name, lim.MaxTotalBytes)
	case errors.Is(err, service.ErrUploadLapsed):
		// The project lives: the store was out of reach for the whole
		// lease, and the upload is worth sending again, as after any
		// 503 unavailable (which the page does).
		return &uploadError{http.StatusServiceUnavailable, "unavailable",
			w.name + ": the service's storage was out of reach for too long during the upload, which was cut; send the file again shortly"}
	}
	if w.ctx.Err() != nil {
		return err // the client is gone: as its body's end
	}
	// The store's fault, or the project gone: told as such, never as the
	// client's malformed body.
	return spoolWriteError{err}
}

// spoolStoreStep is how far ahead of its bytes spooled an upload reserves
// in the store: a transaction per 64th of the project's size limit at
// most (16 MiB at most, 64 KiB at least), and no upload holds more than
// that beyond its bytes from the others.
func spoolStoreStep(maxTotal int64) int64 {
	return min(max(maxTotal/64, 64<<10), 16<<20)
}

// spoolWriteError is a spool file that could not be written: a fault of
// the server, answered 500, never told as the client's malformed body.
type spoolWriteError struct{ error }

func (e spoolWriteError) Unwrap() error { return e.error }

// spoolBody copies an upload's body (at most limit bytes) to w, reserving
// each write for sp, and returns the bytes copied. A body too slow, too
// large or over the reservations is an *uploadError.
func (s *Server) spoolBody(ctx context.Context, sp *spool, w io.Writer, body io.Reader, limit int64, name string) (int64, error) {
	sw := &spoolWriter{ctx: ctx, w: w, sp: sp, srv: s, name: name, free: s.freeBytes()}
	n, err := io.Copy(sw, io.LimitReader(body, limit))
	if err != nil {
		var ue *uploadError
		var we spoolWriteError
		if errors.As(err, &ue) {
			return n, ue
		}
		if errors.As(err, &we) {
			return n, we.error
		}
		return n, s.readError(err)
	}
	return n, nil
}

// freeBytes is the free disk space where uploads are spooled, -1 when the
// watermark is off or the space unknown.
func (s *Server) freeBytes() int64 {
	if s.cfg.MinFreeBytes <= 0 || s.cfg.FreeBytes == nil {
		return -1
	}
	free, err := s.cfg.FreeBytes()
	if err != nil {
		return -1
	}
	return int64(min(free, 1<<62))
}
