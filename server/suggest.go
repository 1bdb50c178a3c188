package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"stemmaster"
	"stemmaster/assist"
	"stemmaster/service"
	"stemmaster/store"
)

// suggestResponse is what POST /api/projects/{id}/suggest returns: the
// proposed session (the document PUT /session takes) and the decisions
// behind it, each with its amount and reason.
type suggestResponse struct {
	Session      json.RawMessage `json:"session"`
	Family       assist.Family   `json:"family"`
	FamilyReason string          `json:"family_reason"`
	Amount       float64         `json:"amount"`
	MatchAmount  float64         `json:"match_amount"`
	References   []ReferenceInfo `json:"references"` // the references matched, with their weights
	// Excerpt is the part of the song the assistant analysed when the
	// whole would exceed its memory budget (suggest_budget.go); null when
	// it analysed the whole song.
	Excerpt   *suggestExcerpt   `json:"excerpt"`
	Decisions []assist.Decision `json:"decisions"`
	YAML      string            `json:"yaml"`
}

// handleSuggest runs the mastering assistant on the project's stems (and
// its mix, whose balance it keeps), or on the mix alone in a stereo
// project, matched to the project's references (see reference.go) by
// their weights. Query: amount (0…1, default 1), match_amount (0…1,
// default amount), smoothing (octaves, 1/3 … 3, default 1/3: how
// smoothed the spectra are before matching), family (auto, bass_heavy, modern, acoustic), target (a
// preset or LUFS). It does not change the project's session: the page shows the
// decisions and PUTs the session when the client takes it. A project not
// checked yet is checked on the way, and keeps that check
// (service.Projects.SuggestCheck).
func (s *Server) handleSuggest(w http.ResponseWriter, r *http.Request, p *store.Project) {
	if !s.computeAllowed(w, r, p, "suggest") {
		return
	}
	q := r.URL.Query()
	opt := assist.Options{Amount: 1}
	if v := q.Get("amount"); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || !(a >= 0 && a <= 1) {
			writeFieldError(w, http.StatusBadRequest, "bad_request", "amount", fmt.Sprintf("amount %q is not a number from 0 to 1", v))
			return
		}
		opt.Amount = a
	}
	fam, err := assist.ParseFamily(q.Get("family"))
	if err != nil {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "family", err.Error())
		return
	}
	opt.Family = fam
	if v := q.Get("target"); v != "" {
		t, err := stemmaster.ParseTarget(v)
		if err != nil {
			writeFieldError(w, http.StatusBadRequest, "bad_request", "target", err.Error())
			return
		}
		opt.Target = &t
	}
	if v := q.Get("match_amount"); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || !(a >= 0 && a <= 1) {
			writeFieldError(w, http.StatusBadRequest, "bad_request", "match_amount", fmt.Sprintf("match_amount %q is not a number from 0 to 1", v))
			return
		}
		opt.MatchAmount = &a
	}
	if v := q.Get("smoothing"); v != "" {
		sm, err := strconv.ParseFloat(v, 64)
		if sm >= 0.33 && sm < 1.0/3 {
			sm = 1.0 / 3 // "0.33" means a third of an octave
		}
		if err != nil || !(sm >= 1.0/3 && sm <= 3) {
			writeFieldError(w, http.StatusBadRequest, "bad_request", "smoothing", fmt.Sprintf("smoothing %q is not a width from 1/3 to 3 octaves", v))
			return
		}
		opt.Smoothing = sm
	}
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if !renderable(files) {
		writeError(w, http.StatusConflict, "no_stems", "upload at least one stem, or the stereo mix, first")
		return
	}
	refs, err := s.projects.References(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	select {
	case s.suggestions <- struct{}{}:
		defer func() { <-s.suggestions }()
	default:
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "busy", "the assistant is busy with another project; try again in a few seconds")
		return
	}
	// Roles as the client set them in the session, else from the names.
	roles := map[string]stemmaster.Role{}
	mix := mixName(files)
	cur := s.projects.Session(p, service.Files(files))
	for _, st := range cur.Stems {
		roles[st.File] = st.Role
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "suggest-*")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	// A stereo master (the mix alone, by default or by choice) has the mix
	// as its one input.
	stereo := stemNames(files) == nil || stereoSession(cur, mix)
	var in []suggestInput
	for _, f := range files {
		if stereo != (f.Kind == store.KindMix) && (stereo || f.Kind != store.KindMix || mix == "") {
			continue
		}
		in = append(in, suggestInput{kind: f.Kind, name: f.Name, key: f.BlobKey, onTimeline: true})
	}
	for _, ref := range refs {
		in = append(in, suggestInput{kind: "reference", name: ref.Name, key: ref.BlobKey, weight: ref.Weight})
	}
	plan, ok := s.planSuggest(w, r, dir, in)
	if !ok {
		return
	}
	var stems []*assist.Track
	var stemPaths []string
	mixPath := ""
	for i, t := range plan.tracks {
		t.Name = in[i].name
		switch {
		case in[i].kind == "reference":
			opt.References = append(opt.References, assist.Reference{Track: t, Weight: in[i].weight})
		case !stereo && in[i].kind == store.KindMix:
			opt.Mix, mixPath = t, plan.paths[i]
		default:
			t.Role = roles[in[i].name]
			stems, stemPaths = append(stems, t), append(stemPaths, plan.paths[i])
		}
	}
	if len(stems) == 1 && stems[0].Role == "" {
		stems[0].Role = stemmaster.RoleOther
	}
	if !stereo {
		// The stems' offsets, polarities and conversions are the check's
		// (assist.Options.Check), the one the checklist shows: the
		// project's, or, before the client ran one, a check of the
		// downloaded files now, stored as the project's (an upload clears
		// the stored check, so a stored one is of these files).
		if opt.Check, err = s.projects.SuggestCheck(r.Context(), p, stemPaths, mixPath, dir); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	if e := plan.excerpt; e != nil {
		opt.Excerpt = &assist.Excerpt{StartS: e.StartS, LengthS: e.LengthS, SongS: e.SongS}
	}
	prop, err := assist.Propose(stems, opt)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "cannot_suggest", err.Error())
		return
	}
	if opt.Mix != nil {
		prop.Session.Mix = opt.Mix.Name
	}
	// Outputs and versions stay the client's.
	prop.Session.Outputs, prop.Session.Versions = cur.Outputs, cur.Versions
	if stereo {
		toStereo(prop.Session, mix)
	}
	raw, err := json.Marshal(prop.Session)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, suggestResponse{Session: raw, Family: prop.Family, FamilyReason: prop.FamilyReason,
		Amount: prop.Amount, MatchAmount: prop.MatchAmount, References: refs, Excerpt: plan.excerpt, Decisions: prop.Decisions, YAML: string(prop.YAML())})
}
