package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"stemmaster"
	"stemmaster/store"
)

// Fix or confirm: while the check has errors the delivery is not mastered
// as it is. A finding the session can correct (a stem's offset, polarity —
// of the stem or of one channel —, gain against the mix, exchanged
// channels or sample rate) carries an Apply that writes the correction into
// the session; any other error needs the client to master anyway, which
// the render records in report.json ("mastered_anyway").

// Apply is a correction of one stem's session fields.
type Apply struct {
	File  string  `json:"file"`
	Field string  `json:"field"` // offset_samples, polarity, gain_db, swap_channels or resample
	Value float64 `json:"value"` // for polarity, -1 means inverted; for swap_channels and resample, 1 means true
	// Setting is the session value written where it is a name
	// (polarity: "inverted", "left_inverted", "right_inverted").
	Setting string `json:"setting,omitempty"`
	Label   string `json:"label"` // "set offset_samples to -1000 on drums.wav"
}

// FixView is a check finding as the page acts on it.
type FixView struct {
	stemmaster.Finding
	Apply    *Apply `json:"apply,omitempty"`
	Applied  bool   `json:"applied"`  // the session already corrects it
	Blocking bool   `json:"blocking"` // an error the session does not correct
	Guide    string `json:"guide"`    // the stem export guide's paragraph
}

// The check states the session correction in its fix text ("… or set
// offset_samples: -1000 for drums.wav in the session"); the page offers
// exactly what the text says, so the two cannot disagree.
var (
	reOffset   = regexp.MustCompile(`set offset_samples: (-?\d+) for `)
	reGain     = regexp.MustCompile(`set gain_db: (-?\d+(?:\.\d+)?) for `)
	rePolarity = regexp.MustCompile(`set polarity: inverted for `)
)

// applyFor returns the session correction a finding names, nil for none.
func applyFor(f stemmaster.Finding, stems map[string]*stemmaster.StemSpec) *Apply {
	if f.File == "" || stems[f.File] == nil {
		return nil // a finding on the mix or the delivery as a whole
	}
	if a := channelApply(f); a != nil {
		return a
	}
	if m := reOffset.FindStringSubmatch(f.Fix); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		when := "later"
		if v < 0 {
			when = "earlier"
		}
		unit := "samples"
		if math.Abs(v) == 1 {
			unit = "sample"
		}
		return &Apply{File: f.File, Field: "offset_samples", Value: v, Label: fmt.Sprintf("move %s %.0f %s %s", f.File, math.Abs(v), unit, when)}
	}
	if rePolarity.MatchString(f.Fix) {
		return &Apply{File: f.File, Field: "polarity", Value: -1, Setting: string(stemmaster.PolarityInverted), Label: "invert the polarity of " + f.File}
	}
	if m := reGain.FindStringSubmatch(f.Fix); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		return &Apply{File: f.File, Field: "gain_db", Value: v, Label: fmt.Sprintf("set %s to %s dB", f.File, m[1])}
	}
	return nil
}

func applied(a *Apply, st *stemmaster.StemSpec) bool {
	switch a.Field {
	case "offset_samples":
		return float64(st.OffsetSamples) == a.Value
	case "polarity":
		return st.Polarity == stemmaster.Polarity(a.Setting)
	case "gain_db":
		return math.Abs(st.GainDB-a.Value) < 0.05
	case "swap_channels":
		return st.SwapChannels
	case "resample":
		return st.Resample
	}
	return false
}

func (a *Apply) set(st *stemmaster.StemSpec) {
	switch a.Field {
	case "offset_samples":
		st.OffsetSamples = int64(a.Value)
	case "polarity":
		st.Polarity = stemmaster.Polarity(a.Setting)
	case "gain_db":
		st.GainDB = a.Value
	case "swap_channels":
		st.SwapChannels = true
	case "resample":
		st.Resample = true
	}
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

// findingFixes annotates findings against a session: the one rule for
// "this finding is corrected by the session", used for the project's
// current session (the checklist, the render gate, the advice) and for
// each revision's own session (the results).
func findingFixes(findings []stemmaster.Finding, s *stemmaster.Session, mix string) []FixView {
	stereo := stereoSession(s, mix)
	stems := map[string]*stemmaster.StemSpec{}
	for i := range s.Stems {
		stems[s.Stems[i].File] = &s.Stems[i]
	}
	out := make([]FixView, 0, len(findings))
	for _, f := range findings {
		v := FixView{Finding: f, Guide: guideAnchor(f.Code)}
		if !stereo {
			v.Apply = applyFor(f, stems)
			v.Applied = v.Apply != nil && applied(v.Apply, stems[f.File])
			v.Blocking = f.Severity == stemmaster.SeverityError && !v.Applied
		}
		out = append(out, v)
	}
	return out
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

// correctedFiles names, once each in finding order, the files whose
// level in the stems' sum the session corrects: a gain, or a polarity
// (an inverted stem cancels part of the sum). The balance the check
// measured rests on that sum; an offset, a channel swap or a resampling
// leaves each family's level in it as it was.
func correctedFiles(fixes []FixView) []string {
	var out []string
	for _, f := range fixes {
		levelMoves := f.Code == stemmaster.CodeGainMismatch || f.Code == stemmaster.CodePolarityInverted
		if f.Applied && levelMoves && !slices.Contains(out, f.File) {
			out = append(out, f.File)
		}
	}
	return out
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
			a.set(&sess.Stems[i])
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
		msg := f.Message
		if f.File != "" && !strings.Contains(msg, f.File) {
			msg = f.File + ": " + msg
		}
		out = append(out, f.Code+": "+msg)
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
