package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/store"
)

// Fix or confirm: while the check has errors the delivery is not mastered
// as it is. A finding the session can correct (analysis.CorrectionFor)
// carries an Apply that writes the correction into the session; any other
// error needs the client to master anyway, which the render records in
// report.json ("mastered_anyway").

// Apply is a correction of one stem's session fields (the rule's
// analysis.Correction): the page's Apply button.
type Apply = analysis.Correction

// FixView is a check finding as the page acts on it.
type FixView struct {
	stemmaster.Finding
	Apply    *Apply `json:"apply,omitempty"`
	Applied  bool   `json:"applied"`  // the session already corrects it
	Blocking bool   `json:"blocking"` // an error the session does not correct
	// Outstanding is a warning or an error on what the session masters
	// that it does not correct (analysis.Resolution): the master is made
	// with it.
	Outstanding bool   `json:"outstanding"`
	Guide       string `json:"guide"` // the stem export guide's paragraph
	// CannotRender marks a finding whose file the render cannot read as
	// it is (analysis.Unrenderable): mastering anyway would fail on it.
	CannotRender bool `json:"cannot_render,omitempty"`
}

// guideAnchor is the stem export guide's paragraph for a finding code.
func guideAnchor(code string) string {
	return "/guide#" + strings.ReplaceAll(code, "_", "-")
}

// fixViews annotates the check's findings against the session. With a
// stereo session (the mix mastered alone) no stem finding blocks.
func fixViews(c *stemmaster.CheckReport, s *stemmaster.Session, mix string) []FixView {
	if c == nil {
		return []FixView{}
	}
	return findingFixes(c.Findings, s, mix)
}

// findingFixes annotates findings against a session with the one rule
// for "this finding is corrected by the session" (analysis.Resolve), used
// for the project's current session (the checklist, the render gate, the
// advice) and for each revision's own session (the results).
func findingFixes(findings []stemmaster.Finding, s *stemmaster.Session, mix string) []FixView {
	return fixesOf(analysis.Resolve(findings, s, stereoSession(s, mix)))
}

func fixesOf(rs []analysis.Resolution) []FixView {
	out := make([]FixView, 0, len(rs))
	for _, r := range rs {
		out = append(out, FixView{Finding: r.Finding, Apply: r.Correction, Applied: r.Corrected, Blocking: r.Blocking, Outstanding: r.Outstanding, Guide: guideAnchor(r.Code),
			CannotRender: analysis.Unrenderable(r.Code)})
	}
	return out
}

// checkViews is the check's fixes and its checklist against the session
// (analysis.Checklist, what the CLI's check prints), from one Resolve, so
// the checklist's lines index the fixes' list. Nil checklist without a
// check.
func checkViews(c *stemmaster.CheckReport, s *stemmaster.Session, mix string) ([]FixView, []analysis.ChecklistLine) {
	if c == nil {
		return []FixView{}, nil
	}
	stereo := stereoSession(s, mix)
	rs := analysis.Resolve(c.Findings, s, stereo)
	return fixesOf(rs), analysis.Checklist(c, rs, stereo)
}

// blocking returns the findings that stop a plain render.
func blocking(fixes []FixView) []FixView {
	var out []FixView
	for _, f := range fixes {
		if f.Blocking {
			out = append(out, f)
		}
	}
	return out
}

// sessionAdvice is the check's advice as the session leaves the delivery
// (analysis.SessionAdvice): the errors the session corrects (✓ applied)
// no longer need fixing in the export, and once it makes every correction
// the findings name the advice is the one measured on the corrected
// stems. Nil without a check or its advice.
func sessionAdvice(c *stemmaster.CheckReport, s *stemmaster.Session, mix string) *stemmaster.Advice {
	if c == nil {
		return nil
	}
	return analysis.SessionAdvice(c, analysis.Resolve(c.Findings, s, stereoSession(s, mix)))
}

// applyRequest is the body of POST /api/projects/{id}/apply.
type applyRequest struct {
	Code string `json:"code"`
	File string `json:"file"`
}

// handleApply writes the correction a check finding names into the
// session and answers the session as stored.
func (s *Server) handleApply(w http.ResponseWriter, r *http.Request, p *store.Project) {
	var req applyRequest
	if err := decodeSmall(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be {"code": "…", "file": "…"}`)
		return
	}
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	sess := s.projects.Session(p, files)
	var a *Apply
	for _, f := range fixViews(s.projects.Check(p), sess, files.Mix()) {
		if f.Code == req.Code && f.File == req.File && f.Apply != nil {
			a = f.Apply
			break
		}
	}
	if a == nil {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("the check has no correctable %s finding on %q", req.Code, req.File))
		return
	}
	for i := range sess.Stems {
		if sess.Stems[i].File == a.File {
			a.Set(&sess.Stems[i])
		}
	}
	s.saveSession(w, r, p, sess, files, files.Mix())
}

// renderRequest is the optional body of POST /api/projects/{id}/render.
type renderRequest struct {
	// MasterAnyway renders despite check errors the session does not
	// correct; report.json then lists them under "mastered_anyway".
	MasterAnyway bool `json:"master_anyway"`
	// Note describes the revision ("louder vocal").
	Note string `json:"note"`
}

// confirmations lists the blocking findings as the report records them.
func confirmations(fixes []FixView) []string {
	var out []string
	for _, f := range blocking(fixes) {
		out = append(out, f.Line())
	}
	return out
}

// gateRender reads the render request and refuses a render while the check
// has errors the session does not correct, unless the client masters
// anyway; it returns the findings so confirmed.
func (s *Server) gateRender(w http.ResponseWriter, r *http.Request, p *store.Project, session *stemmaster.Session, mix string) ([]string, string, bool) {
	var req renderRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, smallBodyBytes))
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be empty or {"master_anyway": true, "note": "…"}`)
		return nil, "", false
	}
	if len(req.Note) > 200 {
		req.Note = strings.ToValidUTF8(req.Note[:200], "")
	}
	fixes := fixViews(s.projects.Check(p), session, mix)
	b := blocking(fixes)
	if len(b) == 0 {
		return nil, req.Note, true
	}
	if !req.MasterAnyway {
		writeError(w, http.StatusConflict, "check_errors", fmt.Sprintf("the check found %d error(s) the session does not correct (%s); apply the fixes, or send {\"master_anyway\": true}", len(b), strings.Join(confirmations(fixes), "; ")))
		return nil, "", false
	}
	return confirmations(fixes), req.Note, true
}
