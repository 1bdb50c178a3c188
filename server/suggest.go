package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"stemmaster"
	"stemmaster/assist"
	"stemmaster/store"
)

// suggestSlots bounds the proposals computed at once: each decodes the
// project's stems into memory and takes a few CPU seconds.
var suggestSlots = make(chan struct{}, 1)

// suggestResponse is what POST /api/projects/{id}/suggest returns: the
// proposed session (the document PUT /session takes) and the decisions
// behind it, each with its amount and reason.
type suggestResponse struct {
	Session      json.RawMessage   `json:"session"`
	Family       assist.Family     `json:"family"`
	FamilyReason string            `json:"family_reason"`
	Amount       float64           `json:"amount"`
	Decisions    []assist.Decision `json:"decisions"`
	YAML         string            `json:"yaml"`
}

// handleSuggest runs the mastering assistant on the project's stems (and
// its mix, whose balance it keeps). Query: amount (0…1, default 1),
// family (auto, bass_heavy, modern, acoustic), target (a preset or
// LUFS). It does not change the project's session: the page shows the
// decisions and PUTs the session when the client takes it.
func (s *Server) handleSuggest(w http.ResponseWriter, r *http.Request, p *store.Project) {
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
	files, err := s.cfg.Meta.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if stemNames(files) == nil {
		writeError(w, http.StatusConflict, "no_stems", "upload at least one stem first")
		return
	}
	select {
	case suggestSlots <- struct{}{}:
		defer func() { <-suggestSlots }()
	default:
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "busy", "the assistant is busy with another project; try again in a few seconds")
		return
	}
	// Roles as the client set them in the session, else from the names.
	roles := map[string]stemmaster.Role{}
	var cur stemmaster.Session
	if json.Unmarshal(s.cfg.Sessions.Reconcile(p.Session, stemNames(files), mixName(files)), &cur) == nil {
		for _, st := range cur.Stems {
			roles[st.File] = st.Role
		}
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "suggest-*")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	var stems []*assist.Track
	for _, f := range files {
		path := filepath.Join(dir, f.Kind+"-"+filepath.Base(f.Name))
		if err := s.cfg.Blobs.Download(r.Context(), f.BlobKey, path); err != nil {
			s.internal(w, r, err)
			return
		}
		t, err := assist.ReadTrack(path)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "unreadable", strings.ReplaceAll(err.Error(), path, f.Name))
			return
		}
		if float64(t.Buf.Frames()) > s.cfg.Limits.MaxDurationS*float64(t.Rate) {
			writeError(w, http.StatusUnprocessableEntity, "too_long", fmt.Sprintf("%s is longer than this server's %g s", f.Name, s.cfg.Limits.MaxDurationS))
			return
		}
		t.Name = f.Name
		if f.Kind == store.KindMix {
			opt.Mix = t
			continue
		}
		t.Role = roles[f.Name]
		stems = append(stems, t)
	}
	if len(stems) == 1 && stems[0].Role == "" {
		stems[0].Role = stemmaster.RoleOther
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
	raw, err := json.Marshal(prop.Session)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, suggestResponse{Session: raw, Family: prop.Family, FamilyReason: prop.FamilyReason,
		Amount: prop.Amount, Decisions: prop.Decisions, YAML: string(prop.YAML())})
}
