package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"

	"stemmaster/service"
	"stemmaster/store"
)

// Reference tracks are commercial records the client wants the master to
// sound like: the assistant matches tone, loudness and width to their
// weighted blend. service.Projects keeps them (References).

// MaxReferences bounds a project's references (adopting references kept
// the earlier way holds to it too).
const MaxReferences = 4

// maxReferenceWeight bounds a weight; weights are relative to each other.
const maxReferenceWeight = 100

// ReferenceInfo is what the API tells about a reference track.
type ReferenceInfo = service.Reference

func (s *Server) handleReferences(w http.ResponseWriter, r *http.Request, p *store.Project) {
	refs, err := s.projects.References(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"references": refs})
}

// parseWeight reads a reference weight: a number over 0, at most
// maxReferenceWeight; "" is 1.
func parseWeight(v string) (float64, error) {
	if v == "" {
		return 1, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !(x > 0 && x <= maxReferenceWeight) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("weight %q is not a number over 0 and at most %d", v, maxReferenceWeight)
	}
	return x, nil
}

// handleReferenceUpload takes one or more reference tracks (multipart,
// field "file"; query weight, default 1, applied to each). A reference of
// a name already held replaces it. Bounds: MaxReferences per project,
// each file at most the server's file size and length, and the project's
// files and references together within its total.
func (s *Server) handleReferenceUpload(w http.ResponseWriter, r *http.Request, p *store.Project) {
	weight, err := parseWeight(r.URL.Query().Get("weight"))
	if err != nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "weight", err.Error())
		return
	}
	if !s.capacity(w, r, false) {
		return
	}
	lim := s.cfg.Limits
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "file", "send the references as multipart/form-data in the field \"file\"")
		return
	}
	if _, ok := s.eachFile(w, r, mr, func(part *multipart.Part) (*FileInfo, error) {
		return s.acceptReference(r.Context(), p.ID, part.FileName(), part, weight)
	}); !ok {
		return
	}
	refs, err := s.projects.References(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"references": refs})
}

// acceptReference spools one reference to a temporary file, checks it as
// an upload is checked, and stores it.
func (s *Server) acceptReference(ctx context.Context, projectID, fileName string, body io.Reader, weight float64) (*FileInfo, error) {
	lim := s.cfg.Limits
	name := SanitizeName(fileName)
	if name == "" {
		return nil, &uploadError{http.StatusBadRequest, "bad_name", fmt.Sprintf("file name %q has no usable characters", fileName)}
	}
	tmp, err := os.CreateTemp(s.cfg.TempDir, "reference-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	// A reference counts against the project's total, its client's and
	// its network's storage and the disk from its first byte, as a stem
	// does (acceptPart; it takes no place among the files), less the
	// reference it replaces; the store holds the limits again,
	// atomically, when it is recorded (below). Counted only when
	// recorded, one address's connections spooled a reference each,
	// gigabytes past its bound, refused only at the end.
	sp, err := s.beginSpool(ctx, projectID, store.KindReference, name)
	if err != nil {
		return nil, err
	}
	defer sp.end()
	n, err := s.spoolBody(ctx, sp, tmp, body, lim.MaxFileBytes+1, name)
	if err != nil {
		return nil, err
	}
	if n > lim.MaxFileBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: a file is at most %d bytes", name, lim.MaxFileBytes)}
	}
	fi, err := service.InspectUploadAs(tmp.Name(), name, service.RoleReference, n, lim.MaxDurationS)
	if err != nil {
		return nil, refused(err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	err = s.projects.RecordReference(ctx, projectID, fi, weight, tmp, service.ReferenceLimits{MaxReferences: MaxReferences, MaxTotalBytes: lim.MaxTotalBytes, Client: s.clientLimits(),
		Reservation: sp.reservation()})
	var ce *store.ReferenceCountError
	var qe *store.QuotaError
	switch {
	case errors.As(err, &ce):
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_many_files", fmt.Sprintf("%s: a project holds at most %d references; remove one first", name, ce.Limit)}
	case errors.As(err, &qe) && qe.Client:
		return nil, ownerFull(name, n, qe)
	case errors.As(err, &qe):
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: the project's files and references may total at most %d bytes", name, qe.Limit)}
	case err != nil:
		return nil, err
	}
	return fi, nil
}

// handleReferenceWeight sets a reference's weight: body {"weight": w}.
func (s *Server) handleReferenceWeight(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var req struct {
		Weight *float64 `json:"weight"`
	}
	if err := decodeSmall(w, r, &req); err != nil || req.Weight == nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "weight", `body must be {"weight": w}, w over 0`)
		return
	}
	if _, err := parseWeight(strconv.FormatFloat(*req.Weight, 'g', -1, 64)); err != nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "weight", err.Error())
		return
	}
	name, ok := referenceName(w, r)
	if !ok {
		return
	}
	ri, err := s.projects.SetReferenceWeight(r.Context(), p.ID, name, *req.Weight)
	if s.referenceFailed(w, r, name, err) {
		return
	}
	writeJSON(w, http.StatusOK, ri)
}

func (s *Server) handleReferenceDelete(w http.ResponseWriter, r *http.Request, p *store.Project) {
	name, ok := referenceName(w, r)
	if !ok {
		return
	}
	if s.referenceFailed(w, r, name, s.projects.DeleteReference(r.Context(), p.ID, name)) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// referenceFailed answers the error of a call on the reference name, if
// any: a 404 when the project has no such reference, else an internal
// error. It reports whether it answered.
func (s *Server) referenceFailed(w http.ResponseWriter, r *http.Request, name string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no reference named "+name)
	default:
		s.internal(w, r, err)
	}
	return true
}

// referenceName takes the reference the path names; a name no upload
// could have is a 404.
func referenceName(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := fileNameParam(r)
	if name != SanitizeName(name) {
		writeError(w, http.StatusNotFound, "not_found", "no reference named "+name)
		return "", false
	}
	return name, true
}
