package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"stemmaster/store"
)

// spools reserves what uploads take while they are being spooled: a file
// in flight counts against its project's file and size limits, and its
// bytes against the free-disk watermark, from its first byte — not only
// once it is recorded. Without it every upload that starts while the disk
// and the project have room is taken whole, however many run at once.
//
// Bytes spooled count twice against the disk: once in the temporary file
// (the free space already shows it), once for the copy the blob store is
// about to make. Once the file is recorded the store counts it against
// the project's limits; its bytes stay reserved as long as the spool file
// is kept: until the upload ends, or, for an upload whose stream preview is
// made from it after the answer (previewqueue.go), until that is done.
type spools struct {
	mu      sync.Mutex
	total   int64 // bytes spooled by every upload in flight
	project map[string]map[*spool]bool
	// owned is the bytes in flight, not yet counted by the store, of the
	// projects of each owner (a client, a network: spool.owners).
	owned map[string]int64
	// renders is the disk the renders have reserved (service.Disk): the
	// uploads' check counts it, as the renders' counts the uploads'.
	renders func() int64
}

// spool is one file in flight.
type spool struct {
	s       *spools
	project string
	name    string
	kind    string
	n       int64 // bytes reserved
	// counted is set once the store counts the file: it no longer takes
	// a place of its own among the files in flight.
	counted bool
	// owners are who the project's bytes are counted against beside it
	// (the client that created it, its network), each with the room it
	// had when the upload began: the uploads in flight of one client's
	// projects stay within it together, as the store holds them once
	// recorded. Without it a client's 64 connections spooled 64 GB at
	// once, refused only when recorded, while the disk's watermark turned
	// everyone else's uploads away.
	owners []spoolOwner
}

// spoolOwner is one owner of a file in flight and its room.
type spoolOwner struct {
	key  string // "client " or "net " and its name
	nw   string // the network, for the message; "" for a client
	used int64  // what its projects stored when the upload began
	most int64  // what they may store
}

// spoolReference is the kind of a reference track in flight: it takes no
// place among the project's files (references have a bound of their own)
// but its bytes count against the project's size limit and the disk.
const spoolReference = "reference"

func newSpools() *spools {
	return &spools{project: map[string]map[*spool]bool{}, owned: map[string]int64{}}
}

// begin reserves a place for a file among the project's: recorded files
// (count, of total bytes, replaced ones left out) plus the files in
// flight must stay under maxFiles. A file in flight under the same name
// and kind is a replacement and takes no place of its own. owners are who
// the file's bytes count against beside the project (spool.owners).
func (s *spools) begin(projectID, kind, name string, count, maxFiles int, owners []spoolOwner) (*spool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inflight := 0
	names := map[string]bool{}
	for sp := range s.project[projectID] {
		if sp.counted || sp.kind == spoolReference || sp.name == name && sp.kind == kind ||
			kind == store.KindMix && sp.kind == store.KindMix || names[sp.kind+"/"+sp.name] {
			continue
		}
		names[sp.kind+"/"+sp.name] = true
		inflight++
	}
	if count+inflight >= maxFiles {
		return nil, false
	}
	sp := &spool{s: s, project: projectID, name: name, kind: kind, owners: owners}
	if s.project[projectID] == nil {
		s.project[projectID] = map[*spool]bool{}
	}
	s.project[projectID][sp] = true
	return sp, true
}

// reserve adds n bytes to the file's reservation if the project's files in
// flight stay within room (the project's limit less its recorded files)
// and, when free is not negative, the disk keeps minFree after every
// upload in flight is stored. When they do not, the file's whole
// reservation ends with the error.
func (sp *spool) reserve(n, room, free, minFree int64) error {
	s := sp.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var project int64
	for o := range s.project[sp.project] {
		if !o.counted { // a recorded file's size is in the store's total
			project += o.n
		}
	}
	err := error(nil)
	switch {
	case project+n > room:
		err = errSpoolQuota
	case free >= 0 && free-(s.total+n+s.rendersReserved()) < minFree:
		err = errSpoolDisk
	}
	for _, o := range sp.owners {
		if err == nil && o.used+s.owned[o.key]+n > o.most {
			err = &spoolStorageError{o, s.owned[o.key] + n}
		}
	}
	if err != nil {
		// The upload is cut: what it spooled no longer counts, so that
		// the uploads still running are judged without it.
		s.drop(sp)
		return err
	}
	sp.n += n
	s.total += n
	for _, o := range sp.owners {
		s.owned[o.key] += n
	}
	return nil
}

// spoolStorageError is a file in flight that would take what an owner's
// projects store, with the uploads in flight, over its bound.
type spoolStorageError struct {
	owner  spoolOwner
	flight int64 // the owner's bytes in flight, this file's included
}

func (e *spoolStorageError) Error() string { return "spool: over " + e.owner.key + "'s storage" }

// disown takes the file's bytes in flight off its owners' (s.mu held):
// it is counted by the store, or it goes.
func (s *spools) disown(sp *spool) {
	if sp.counted {
		return
	}
	for _, o := range sp.owners {
		if s.owned[o.key] -= sp.n; s.owned[o.key] <= 0 {
			delete(s.owned, o.key)
		}
	}
}

// recorded notes that the store counts the file now (its bytes stay
// reserved until end: the blob store's copy is made, the spool file not
// yet removed).
func (sp *spool) recorded() {
	sp.s.mu.Lock()
	sp.s.disown(sp)
	sp.counted = true
	sp.s.mu.Unlock()
}

// end releases the reservation.
func (sp *spool) end() {
	s := sp.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop(sp)
	if len(s.project[sp.project]) == 0 {
		delete(s.project, sp.project)
	}
}

// drop takes the file out of the files in flight and its bytes off the
// reservations (s.mu held).
func (s *spools) drop(sp *spool) {
	s.disown(sp)
	s.total -= sp.n
	sp.n = 0
	delete(s.project[sp.project], sp)
}

// spoolOwners is who a file in flight to the project counts against
// beside it (spool.owners), and a render's outputs (outputsStored): the
// client that created the project and its network, with what their
// projects store less freed (the file it replaces); none without a
// storage bound.
func (s *Server) spoolOwners(ctx context.Context, projectID string, freed int64) ([]spoolOwner, error) {
	lim := s.clientLimits()
	if lim.MaxClientBytes <= 0 {
		return nil, nil
	}
	c, err := s.projects.ClientStorage(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var owners []spoolOwner
	if c.Client != "" {
		owners = append(owners, spoolOwner{key: "client " + c.Client, used: c.ClientBytes - freed, most: lim.MaxClientBytes})
	}
	if c.Net != "" {
		owners = append(owners, spoolOwner{key: "net " + c.Net, nw: c.Net, used: c.NetBytes - freed, most: lim.MaxNetBytes(c.Net)})
	}
	return owners, nil
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

var (
	errSpoolQuota = &uploadError{http.StatusRequestEntityTooLarge, "too_large", ""}
	errSpoolDisk  = &uploadError{http.StatusInsufficientStorage, "disk_full", "the server is short of disk space; try again later"}
)

// spoolCheckEvery is how many bytes a file spools between two looks at the
// free disk space.
const spoolCheckEvery = 1 << 20

// spoolWriter writes a file being spooled, reserving each write first.
type spoolWriter struct {
	w       io.Writer
	sp      *spool
	srv     *Server
	name    string
	room    int64 // the project's limit less its recorded files
	free    int64 // the free disk at the last look; -1: no watermark
	checked int64 // bytes reserved at the last look
}

func (w *spoolWriter) Write(p []byte) (int, error) {
	if w.free >= 0 && w.sp.n-w.checked >= spoolCheckEvery {
		w.free, w.checked = w.srv.freeBytes(), w.sp.n
	}
	if err := w.sp.reserve(int64(len(p)), w.room, w.free, w.srv.cfg.MinFreeBytes); err != nil {
		if err == errSpoolQuota {
			return 0, tooLarge(w.name, w.srv.cfg.Limits.MaxTotalBytes)
		}
		if se, ok := err.(*spoolStorageError); ok {
			return 0, storageFull(w.name+" with the uploads in flight", se.flight, se.owner.nw, se.owner.used, se.owner.most)
		}
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

// spoolWriteError is a spool file that could not be written: a fault of
// the server, answered 500, never told as the client's malformed body.
type spoolWriteError struct{ error }

func (e spoolWriteError) Unwrap() error { return e.error }

// spoolBody copies an upload's body (at most limit bytes) to w, reserving
// each write for sp (room: the project's limit less its recorded files),
// and returns the bytes copied. A body too slow, too large or over the
// reservations is an *uploadError.
func (s *Server) spoolBody(sp *spool, w io.Writer, body io.Reader, limit, room int64, name string) (int64, error) {
	sw := &spoolWriter{w: w, sp: sp, srv: s, name: name, room: room, free: s.freeBytes()}
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
