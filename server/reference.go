package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"sync"

	"stemmaster/service"
	"stemmaster/store"
)

// Reference tracks are commercial records the client wants the master to
// sound like: the assistant matches tone, loudness and width to their
// weighted blend. service.Projects keeps them (References).

// maxReferences bounds a project's references.
const maxReferences = 4

// maxReferenceWeight bounds a weight; weights are relative to each other.
const maxReferenceWeight = 100

// ReferenceInfo is what the API tells about a reference track.
type ReferenceInfo = service.Reference

// referenceLocks serialise the changes to one project's references in this
// process (count and quota checked, then written); striped so that the
// set stays bounded whatever the number of projects.
var referenceLocks [64]sync.Mutex

func referenceLock(projectID string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(projectID))
	return &referenceLocks[h.Sum32()%uint32(len(referenceLocks))]
}

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
// a name already held replaces it. Bounds: maxReferences per project,
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
	// The project's limits hold for references when they are stored
	// (below); the disk is reserved while they spool.
	sp, _ := s.spools.begin(projectID, spoolReference, name, 0, math.MaxInt)
	defer sp.end()
	n, err := s.spoolBody(sp, tmp, body, lim.MaxFileBytes+1, math.MaxInt64, name)
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
	info := *fi

	mu := referenceLock(projectID)
	mu.Lock()
	defer mu.Unlock()
	refs, err := s.projects.References(ctx, projectID)
	if err != nil {
		return nil, err
	}
	files, err := s.projects.Files(ctx, projectID)
	if err != nil {
		return nil, err
	}
	total, count := n, 0
	for _, f := range files {
		total += f.Size
	}
	for _, ref := range refs {
		if ref.Name == name {
			continue // replaced
		}
		total += ref.Size
		count++
	}
	if count >= maxReferences {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_many_files", fmt.Sprintf("%s: a project holds at most %d references; remove one first", name, maxReferences)}
	}
	if total > lim.MaxTotalBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: the project's files and references may total at most %d bytes", name, lim.MaxTotalBytes)}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := s.projects.PutReferenceAudio(ctx, projectID, name, tmp); err != nil {
		return nil, err
	}
	if err := s.projects.SaveReference(ctx, projectID, &ReferenceInfo{FileInfo: info, Weight: weight}); err != nil {
		return nil, err
	}
	return &info, nil
}

// handleReferenceWeight sets a reference's weight: body {"weight": w}.
func (s *Server) handleReferenceWeight(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var req struct {
		Weight *float64 `json:"weight"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.Weight == nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "weight", `body must be {"weight": w}, w over 0`)
		return
	}
	if _, err := parseWeight(strconv.FormatFloat(*req.Weight, 'g', -1, 64)); err != nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "weight", err.Error())
		return
	}
	name, unlock, ok := s.lockReference(w, r, p)
	if !ok {
		return
	}
	defer unlock()
	ri, ok := s.referenceOr404(w, r, p.ID, name)
	if !ok {
		return
	}
	ri.Weight = *req.Weight
	if err := s.projects.SaveReference(r.Context(), p.ID, ri); err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ri)
}

func (s *Server) handleReferenceDelete(w http.ResponseWriter, r *http.Request, p *store.Project) {
	name, unlock, ok := s.lockReference(w, r, p)
	if !ok {
		return
	}
	defer unlock()
	if _, ok := s.referenceOr404(w, r, p.ID, name); !ok {
		return
	}
	if err := s.projects.DeleteReference(r.Context(), p.ID, name); err != nil {
		s.internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lockReference takes the reference the path names and locks the
// project's references; a name no upload could have is a 404.
func (s *Server) lockReference(w http.ResponseWriter, r *http.Request, p *store.Project) (name string, unlock func(), ok bool) {
	name = r.PathValue("name")
	if name != SanitizeName(name) {
		writeError(w, http.StatusNotFound, "not_found", "no reference named "+name)
		return "", nil, false
	}
	mu := referenceLock(p.ID)
	mu.Lock()
	return name, mu.Unlock, true
}

// referenceOr404 reads a reference's record, answering 404 (or 500) when
// it cannot.
func (s *Server) referenceOr404(w http.ResponseWriter, r *http.Request, projectID, name string) (*ReferenceInfo, bool) {
	ri, err := s.projects.Reference(r.Context(), projectID, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no reference named "+name)
		return nil, false
	case err != nil:
		s.internal(w, r, err)
		return nil, false
	}
	return ri, true
}
