package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"stemmaster"
	"stemmaster/store"
)

// quote prices the project as its session stands: one file mastered
// alone as stereo mastering, stems as stem mastering (whatever the advice,
// which the page shows beside it), and a project with nothing uploaded
// has no price.
func (s *Server) quote(v *ProjectView, sess *stemmaster.Session) any {
	if s.cfg.Quote == nil || (len(v.Stems) == 0 && v.Mix == nil) {
		return nil
	}
	q := quoteRequest(v, sess)
	mix := ""
	if v.Mix != nil {
		mix = v.Mix.Name
	}
	switch {
	case masteredAlone(sess, mix):
		q.Service, q.Stems = string(stemmaster.ServiceStereoMastering), 1
	case q.Service == string(stemmaster.ServiceStereoMastering), q.Service == string(stemmaster.ServiceMixing):
		// Stereo mastering, or mixing first, was advised, and the stems
		// are what Master renders: the quote prices what will be done (the
		// advice, beside it on the page, offers the cheaper path or says
		// the balance is a mix's problem).
		q.Service = string(stemmaster.ServiceStemMastering)
	}
	return s.cfg.Quote(q)
}

// masteredAlone reports whether the session masters one file with no mix
// beside it: the mix alone (a stereo session), or a single file uploaded
// as a stem. Either way one stereo file goes through the chain as it is —
// a stereo master, as the check's advice for a single file says ("a
// single file is a stereo master") — so it is priced as one.
func masteredAlone(sess *stemmaster.Session, mix string) bool {
	if sess == nil {
		return false
	}
	return stereoSession(sess, mix) || (len(sess.Stems) == 1 && sess.Mix == "")
}

// handleQuote prices a session the client has not saved yet (the body), so
// the page's quote follows every tick at once.
func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var raw json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxSessionBytes)).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the body must be a session as JSON")
		return
	}
	draft := draftSession(raw)
	if err := unrenderable(draft); err != nil {
		// A draft no render accepts has no price: the same 422 a save or
		// a render answers, naming the same fields.
		writeSessionError(w, err)
		return
	}
	v, err := s.projectView(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"quote": s.quote(v, draft)})
}

// unrenderable holds the priced lists of a draft to the bounds a render
// holds a session to, by Validate itself (one home for MaxOutputs,
// MaxStems and the versions): 20,000 outputs would otherwise be priced as
// 20,000 deliverables though no render accepts more than MaxOutputs, and
// a version listed twice or unknown priced as one more. Only the counts
// and the versions are judged: the rest of a draft the page sends at
// every tick (a half-typed value) does not change its price, and the
// outputs are read only as a count.
func unrenderable(d *stemmaster.Session) error {
	if d == nil {
		return nil
	}
	var errs []error
	for _, se := range stemmaster.SessionErrors(d.Validate()) {
		if se.Kind == stemmaster.ErrTooMany || strings.HasPrefix(se.Field, "versions") {
			errs = append(errs, se)
		}
	}
	return errors.Join(errs...)
}

// draftSession reads of an unsaved session what its price depends on —
// its stems' files, its mix, its outputs and versions — as far as it reads: a draft
// the page sends at every tick need not validate. Nil when it does not
// read at all.
func draftSession(raw []byte) *stemmaster.Session {
	var d struct {
		Stems []struct {
			File string `json:"file"`
		} `json:"stems"`
		Mix      string            `json:"mix"`
		Outputs  []json.RawMessage `json:"outputs"`
		Versions []string          `json:"versions"`
	}
	if json.Unmarshal(raw, &d) != nil {
		return nil
	}
	s := &stemmaster.Session{Mix: d.Mix, Outputs: make([]stemmaster.Output, len(d.Outputs))}
	for _, st := range d.Stems {
		s.Stems = append(s.Stems, stemmaster.StemSpec{File: st.File})
	}
	for _, v := range d.Versions {
		s.Versions = append(s.Versions, stemmaster.Version(v))
	}
	return s
}
