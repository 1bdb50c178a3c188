package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/text/unicode/norm"

	"stemmaster"
	"stemmaster/service"
	"stemmaster/store"
)

func (s *Server) handleGetSession(w http.ResponseWriter, r *http.Request, p *store.Project) {
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeSession(w, s.projects.Session(p, files))
}

// writeSession answers a session.
func writeSession(w http.ResponseWriter, sess *stemmaster.Session) {
	js, err := json.Marshal(sess)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the session cannot be shown")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(js)
}

// MaxSessionBytes bounds a session document: with at most 8 outputs and
// 16 EQ bands a strip, a real session is a few KiB.
const MaxSessionBytes = 64 << 10

func (s *Server) handlePutSession(w http.ResponseWriter, r *http.Request, p *store.Project) {
	sess, ok := readSession(w, r)
	if !ok {
		return
	}
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.saveSession(w, r, p, sess, files, files.Mix())
}

// readSession reads the session a request's body gives (PUT …/session,
// POST …/sum-loudness): one JSON object of at most MaxSessionBytes, no key
// unknown or given twice (service.ParseSession), its file names composed.
// When it is not one it has answered (413, 400 or 422) and returns false.
func readSession(w http.ResponseWriter, r *http.Request) (*stemmaster.Session, bool) {
	tooLarge := func() {
		writeFieldError(w, http.StatusRequestEntityTooLarge, "too_large", "session", fmt.Sprintf("a session is at most %d KiB", MaxSessionBytes>>10))
	}
	if r.ContentLength > MaxSessionBytes {
		tooLarge()
		return nil, false
	}
	var raw json.RawMessage
	if err := decodeOne(json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxSessionBytes)), &raw); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge()
			return nil, false
		}
		writeFieldError(w, http.StatusBadRequest, "bad_request", "session", "the session must be a JSON object: "+err.Error())
		return nil, false
	}
	sess, err := service.ParseSession(raw)
	if err != nil {
		writeSessionError(w, err)
		return nil, false
	}
	composeNames(sess)
	return sess, true
}

// saveSession validates a session against the project's files (mix is the
// mix it renders, "" for none), stores it and answers with it; an invalid
// one is a 422 naming its fields.
func (s *Server) saveSession(w http.ResponseWriter, r *http.Request, p *store.Project, sess *stemmaster.Session, files service.Files, mix string) {
	if err := s.projects.SaveSession(r.Context(), p.ID, sess, files, mix); err != nil {
		s.sessionError(w, r, err)
		return
	}
	// The answer is the session as GET …/session shows it from now on:
	// every uploaded file's strip, roles and polarity filled in.
	writeSession(w, service.Sessions{}.ReconcileWith(sess, files.Stems(), files.Mix()))
}

// sessionError answers an invalid session with a 422 naming its fields,
// any other error with a 500.
func (s *Server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	if len(stemmaster.SessionErrors(err)) > 0 {
		writeSessionError(w, err)
		return
	}
	s.internal(w, r, err)
}

// composeNames puts the file names a session gives in composed form
// (NFC), as uploads store them: a client that names its stems as its
// file system spells them, decomposed (a Mac), names the files stored.
func composeNames(sess *stemmaster.Session) {
	for i := range sess.Stems {
		sess.Stems[i].File = norm.NFC.String(sess.Stems[i].File)
	}
	sess.Mix = norm.NFC.String(sess.Mix)
}
