package server

import (
	"encoding/json"
	"net/http"

	"stemmaster"
	"stemmaster/store"
)

// quote prices the project as its session stands: a stereo session as
// stereo mastering, stems as stem mastering (whatever the advice, which
// the page shows beside it), and a project with nothing uploaded has no
// price.
func (s *Server) quote(v *ProjectView) any {
	if s.cfg.Quote == nil || (len(v.Stems) == 0 && v.Mix == nil) {
		return nil
	}
	q := quoteRequest(v)
	switch {
	case v.Mix != nil && isStereoJSON(v.Session, v.Mix.Name):
		q.Service, q.Stems = string(stemmaster.ServiceStereoMastering), 1
	case q.Service == string(stemmaster.ServiceStereoMastering):
		// Stereo mastering was advised, the stems are chosen: the quote
		// prices what will be done (the advice offers the cheaper one).
		q.Service = string(stemmaster.ServiceStemMastering)
	}
	return s.cfg.Quote(q)
}

// handleQuote prices a session the client has not saved yet (the body), so
// the page's quote follows every tick at once.
func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var raw json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxSessionBytes)).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the body must be a session as JSON")
		return
	}
	v, err := s.projectView(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Session = raw
	writeJSON(w, http.StatusOK, map[string]any{"quote": s.quote(v)})
}

// isStereoJSON reports whether a session document (as the API shows it, or
// as the page sends it unsaved) masters one file, the uploaded mix.
func isStereoJSON(session []byte, mix string) bool {
	var s struct {
		Stems []struct {
			File string `json:"file"`
		} `json:"stems"`
	}
	return mix != "" && json.Unmarshal(session, &s) == nil && len(s.Stems) == 1 && s.Stems[0].File == mix
}
