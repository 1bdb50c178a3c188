package server

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"stemmaster/store"
)

// signedURLLifetime is how long a download link handed out by
// ?signed=1 works.
const signedURLLifetime = 15 * time.Minute

// noDirectLinks is the answer to ?signed=1 where the store gives no link
// its clients can follow.
const noDirectLinks = "this server's file store gives no download links its clients can reach (direct_link is false); download without ?signed=1, through the server"

// serveBlobExtras answers the two download variants beside the plain
// stream: a single byte range (Range: bytes=…, for players that seek and
// for resumed downloads; one ranged read from the blob store) and, with
// ?signed=1 on a store whose links reach it from the clients (the
// outputs' direct_link), a short-lived URL that downloads straight from
// the store without passing through this server. Elsewhere it answers
// 501: a local store signs nothing, and an S3 store reached at an
// internal endpoint would sign a link its clients cannot follow. It
// reports whether it answered.
func (s *Server) serveBlobExtras(w http.ResponseWriter, r *http.Request, o *store.Output, name string) bool {
	if r.URL.Query().Get("signed") == "1" {
		if !s.projects.DirectDownloads() {
			writeError(w, http.StatusNotImplemented, "not_implemented", noDirectLinks)
			return true
		}
		u, expires, err := s.projects.OutputURL(r.Context(), o, name, signedURLLifetime)
		if errors.Is(err, errors.ErrUnsupported) {
			writeError(w, http.StatusNotImplemented, "not_implemented", noDirectLinks)
			return true
		}
		if err != nil {
			s.internal(w, r, err)
			return true
		}
		writeJSON(w, http.StatusOK, map[string]any{"url": u, "expires_at": expires.UTC()})
		return true
	}
	w.Header().Set("Accept-Ranges", "bytes")
	w.Header().Set("ETag", outputETag(o))
	rng := r.Header.Get("Range")
	if rng == "" {
		return false
	}
	// A download resumed after a new render published another main.wav
	// under the same name would splice the new file's tail onto the old
	// one's head: a broken master its client cannot tell. A client that
	// names the version it holds (If-Range) gets the whole new file
	// instead (RFC 9110 §13.1.5); a date there is not a strong validator,
	// so it also gets the whole file.
	if ir := r.Header.Get("If-Range"); ir != "" && ir != outputETag(o) {
		return false
	}
	start, end, ok := parseRange(rng, o.Size)
	if !ok {
		// Several ranges or a malformed header: the whole file, which
		// RFC 9110 allows.
		return false
	}
	if start >= o.Size || start > end {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", o.Size))
		writeError(w, http.StatusRequestedRangeNotSatisfiable, "bad_range", "the range is outside the file")
		return true
	}
	rc, err := s.projects.OpenOutputRange(r.Context(), o, start, end-start+1)
	if err != nil {
		s.internal(w, r, err)
		return true
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", o.ContentType)
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, o.Size))
	h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	if name != "" {
		// Named as the whole file is: a resumed download keeps its name.
		h.Set("Content-Disposition", store.Attachment(name))
	}
	w.WriteHeader(http.StatusPartialContent)
	io.Copy(w, rc)
	return true
}

// outputETag is the strong validator of an output: its blob key, which
// names the render attempt that wrote it, so a new render's file of the
// same name never shares it.
func outputETag(o *store.Output) string {
	sum := sha256.Sum256([]byte(o.BlobKey))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// parseRange reads one "bytes=a-b", "bytes=a-" or "bytes=-n" range of a
// file of size bytes; ok is false for anything else.
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, true
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	end = size - 1
	if b != "" {
		e, err := strconv.ParseInt(b, 10, 64)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e, size-1)
	}
	return start, end, true
}

func (s *Server) handleOutputs(w http.ResponseWriter, r *http.Request, p *store.Project) {
	outs, err := s.projects.Outputs(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"outputs": outputViews(p.ID, outs, s.projects.DirectDownloads())})
}

func (s *Server) findOutput(w http.ResponseWriter, r *http.Request, p *store.Project, name string, kinds ...string) *store.Output {
	o, err := s.projects.Output(r.Context(), p.ID, name, kinds...)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no output named "+name)
		return nil
	}
	if err != nil {
		s.internal(w, r, err)
		return nil
	}
	return o
}

func (s *Server) handleOutput(w http.ResponseWriter, r *http.Request, p *store.Project) {
	o := s.findOutput(w, r, p, r.PathValue("name"), store.OutputAudio, store.OutputReport, store.OutputPreview, store.OutputPicture)
	if o == nil {
		return
	}
	s.serveBlob(w, r, o, true)
}

func (s *Server) handlePicture(w http.ResponseWriter, r *http.Request, p *store.Project) {
	name := r.PathValue("name")
	if !strings.HasSuffix(name, ".png") {
		writeError(w, http.StatusNotFound, "not_found", "pictures are PNG files: …/pictures/NAME.png")
		return
	}
	o := s.findOutput(w, r, p, name, store.OutputPicture)
	if o == nil {
		return
	}
	s.serveBlob(w, r, o, false)
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, o *store.Output, attachment bool) {
	name := "" // shown inline
	if attachment {
		name = downloadName(songTitle(r), o.Name, s.revisionNamed(r.Context(), o.ProjectID, o.JobID))
	}
	if s.serveBlobExtras(w, r, o, name) {
		return
	}
	rc, err := s.projects.OpenOutput(r.Context(), o)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", o.ContentType)
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	if name != "" {
		h.Set("Content-Disposition", store.Attachment(name))
	}
	w.WriteHeader(http.StatusOK)
	io.Copy(w, rc)
}

func (s *Server) handleZip(w http.ResponseWriter, r *http.Request, p *store.Project) {
	outs, err := s.projects.Outputs(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(outs) == 0 {
		writeError(w, http.StatusNotFound, "not_found", "nothing rendered yet")
		return
	}
	// Every listed blob must be there before the 200 goes out: a zip cut
	// short after the header is a broken download the client cannot tell.
	if err := s.projects.OutputsStored(r.Context(), outs); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	title := songTitle(r)
	zipName := "stemmaster-" + p.ID[:8]
	if title != "" {
		zipName = title
	}
	w.Header().Set("Content-Disposition", store.Attachment(downloadName("", zipName+".zip", s.revisionNamed(r.Context(), p.ID, p.RenderJob))))
	if r.Method == http.MethodHead {
		// The zip's size is known only once it is built (the report and
		// the pictures deflated): HEAD has its headers without it.
		return
	}
	zw := zip.NewWriter(w)
	for _, o := range outs {
		if o.Kind == store.OutputPreview {
			continue
		}
		method := zip.Deflate
		if o.Kind == store.OutputAudio || o.Kind == store.OutputPicture {
			method = zip.Store // already as small as it gets, or nearly
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: titled(title, o.Name), Method: method, Modified: time.Now()})
		if err != nil {
			return
		}
		rc, err := s.projects.OpenOutput(r.Context(), &o)
		if err != nil {
			s.cfg.Logger.Error("zip", "key", o.BlobKey, "error", err)
			return // the client sees a truncated zip rather than a wrong one
		}
		_, err = io.Copy(fw, rc)
		rc.Close()
		if err != nil {
			return
		}
	}
	zw.Close()
}
