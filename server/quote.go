package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/store"
)

// quote prices the project as its session stands (analysis.QuotedService),
// and a project with nothing uploaded has no price.
func (s *Server) quote(v *ProjectView, sess *stemmaster.Session) any {
	if s.cfg.Quote == nil || (len(v.Stems) == 0 && v.Mix == nil) {
		return nil
	}
	q := quoteRequest(v, sess)
	mix := ""
	if v.Mix != nil {
		mix = v.Mix.Name
	}
	// What the render does (analysis.QuotedService): one file mastered
	// alone, or balanced stems with no mix whose sum the session masters
	// as it is, is stereo mastering, as the advice says; stems worked on,
	// or beside a mix, are stem mastering (the advice, beside the quote
	// on the page, offers the stereo mode or says the balance is a mix's
	// problem).
	q.Service = string(analysis.QuotedService(stemmaster.Service(q.Service), sess, mix))
	if q.Service == string(stemmaster.ServiceStereoMastering) {
		q.Stems = 1
	}
	return s.cfg.Quote(q)
}

// handleQuote prices a session the client has not saved yet (the body), so
// the page's quote follows every tick at once.
func (s *Server) handleQuote(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var raw json.RawMessage
	if err := decodeOne(json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxSessionBytes)), &raw); err != nil {
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
// its stems' files and strips (whether they work on a stem:
// analysis.SumMastered), its mix, its outputs and versions — as far as it
// reads: a draft the page sends at every tick need not validate, and a
// strip that does not read as one (a half-typed value) is read for its
// file alone. Nil when it does not read at all.
func draftSession(raw []byte) *stemmaster.Session {
	var d struct {
		Stems    []json.RawMessage `json:"stems"`
		Mix      string            `json:"mix"`
		Outputs  []json.RawMessage `json:"outputs"`
		Versions []string          `json:"versions"`
	}
	if json.Unmarshal(raw, &d) != nil {
		return nil
	}
	s := &stemmaster.Session{Mix: d.Mix, Outputs: make([]stemmaster.Output, len(d.Outputs))}
	for _, raw := range d.Stems {
		var st stemmaster.StemSpec
		if json.Unmarshal(raw, &st) != nil {
			var f struct {
				File string `json:"file"`
			}
			_ = json.Unmarshal(raw, &f) // a strip with no file reads as one with none
			st = stemmaster.StemSpec{File: f.File}
		}
		s.Stems = append(s.Stems, st)
	}
	for _, v := range d.Versions {
		s.Versions = append(s.Versions, stemmaster.Version(v))
	}
	return s
}
