package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"stemmaster"
	"stemmaster/store"
)

// Every published render is a numbered revision (store.Revisions): its
// session, figures, note and files stay reachable after newer renders, so
// two can be compared and any one downloaded.

// RevisionView is one revision as the API shows it.
type RevisionView struct {
	Number    int             `json:"number"`
	CreatedAt time.Time       `json:"created_at"`
	Note      string          `json:"note"`
	Current   bool            `json:"current"` // the render the project shows
	Session   json.RawMessage `json:"session"`
	Report    json.RawMessage `json:"report"`
	Outputs   []OutputView    `json:"outputs"`
	// Fixes are the findings of the revision's report against the
	// revision's own session: which corrections that render had applied.
	Fixes []FixView `json:"fixes"`
}

// revisionFixes annotates the check findings a revision's report records
// against the session that revision was rendered from.
func revisionFixes(rev store.Revision, mix string) []FixView {
	var rep struct {
		Findings []stemmaster.Finding `json:"findings"`
	}
	var sess stemmaster.Session
	if json.Unmarshal(rev.Report, &rep) != nil || json.Unmarshal(rev.Session, &sess) != nil {
		return []FixView{}
	}
	return findingFixes(rep.Findings, &sess, mix)
}

func revisionPrefix(projectID string, n int) string {
	return "/api/projects/" + projectID + "/revisions/" + strconv.Itoa(n)
}

func (s *Server) handleRevisions(w http.ResponseWriter, r *http.Request, p *store.Project) {
	list, _ := s.projects.Revisions(r.Context(), p.ID)
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	views := make([]RevisionView, 0, len(list))
	for _, rev := range list {
		v := RevisionView{Number: rev.Number, CreatedAt: rev.CreatedAt, Note: rev.Note, Current: rev.JobID == p.RenderJob,
			Session: rev.Session, Report: rev.Report, Outputs: []OutputView{}, Fixes: revisionFixes(rev, files.Mix())}
		for _, o := range rev.Outputs {
			if o.Kind == store.OutputPreview {
				continue
			}
			v.Outputs = append(v.Outputs, outputView(o, revisionPrefix(p.ID, rev.Number)+"/outputs/"+o.Name, s.projects.DirectDownloads()))
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": views})
}

// revisionOutput finds one file of a revision.
func (s *Server) revisionOutput(ctx context.Context, p *store.Project, number, name string) (*store.Output, error) {
	n, err := strconv.Atoi(number)
	if err != nil {
		return nil, store.ErrNotFound
	}
	return s.projects.RevisionOutput(ctx, p.ID, n, name)
}

func (s *Server) handleRevisionOutput(w http.ResponseWriter, r *http.Request, p *store.Project) {
	o, err := s.revisionOutput(r.Context(), p, r.PathValue("n"), r.PathValue("name"))
	if s.failed(w, r, err, "no such revision or file") {
		return
	}
	s.serveBlob(w, r, o, !strings.HasSuffix(o.Name, ".png"))
}
