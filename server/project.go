package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/service"
	"stemmaster/store"
)

// JobView is a job as the API shows it.
type JobView struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	Progress  float64   `json:"progress"`
	Stage     string    `json:"stage,omitempty"`
	Error     string    `json:"error,omitempty"`
	Attempt   int       `json:"attempt"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func jobView(j store.Job) JobView {
	return JobView{ID: j.ID, Kind: j.Kind, State: j.State, Progress: math.Round(j.Progress*1000) / 1000, Stage: j.Stage,
		Error: j.Error, Attempt: j.Attempt, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
}

// OutputView is an output as the API shows it.
type OutputView struct {
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Size        int64           `json:"size"`
	ContentType string          `json:"content_type"`
	URL         string          `json:"url"`
	Figures     json.RawMessage `json:"figures,omitempty"`
	// DirectLink: URL?signed=1 gives a link that downloads the file
	// straight from the file store, reachable where the clients are
	// (store.Blobs.DirectLinks); false, download it through URL.
	DirectLink bool `json:"direct_link"`
}

// outputViews are the outputs as the API shows them; direct says whether
// the store's signed links reach it from the clients.
func outputViews(projectID string, outs []store.Output, direct bool) []OutputView {
	views := make([]OutputView, 0, len(outs))
	for _, o := range outs {
		url := "/api/projects/" + projectID + "/outputs/" + o.Name
		if o.Kind == store.OutputPicture {
			url = "/api/projects/" + projectID + "/pictures/" + o.Name
		}
		views = append(views, outputView(o, url, direct))
	}
	return views
}

// outputView is output o listed at url, in a project's outputs or a
// revision's. Its link reaches the store directly (direct: the store's
// links reach it from the clients) but for a picture's: the page shows a
// picture inline through the server, never hands its link to the
// browser to save.
func outputView(o store.Output, url string, direct bool) OutputView {
	return OutputView{Name: o.Name, Kind: o.Kind, Size: o.Size, ContentType: o.ContentType, URL: url, Figures: o.Figures,
		DirectLink: direct && o.Kind != store.OutputPicture}
}

// ABView gives the A/B player the volumes (0…1) at which the plain stem sum
// and the main master play at the same integrated loudness: the louder of
// the two is turned down to the quieter.
type ABView struct {
	Sum          string   `json:"sum"`
	Master       string   `json:"master"`
	SumLUFS      *float64 `json:"sum_lufs"`
	MasterLUFS   *float64 `json:"master_lufs"`
	SumVolume    float64  `json:"sum_volume"`
	MasterVolume float64  `json:"master_volume"`
}

// MatchedVolumes returns the playback volumes that bring two programmes of
// the given integrated loudness to the same loudness without boosting
// either (an <audio> element's volume cannot exceed 1).
func MatchedVolumes(aLUFS, bLUFS float64) (float64, float64) {
	if math.IsNaN(aLUFS) || math.IsNaN(bLUFS) || math.IsInf(aLUFS, 0) || math.IsInf(bLUFS, 0) {
		return 1, 1
	}
	quiet := math.Min(aLUFS, bLUFS)
	return math.Pow(10, (quiet-aLUFS)/20), math.Pow(10, (quiet-bLUFS)/20)
}

// ProjectView is GET /api/projects/{id}.
type ProjectView struct {
	ID        string          `json:"id"`
	CreatedAt time.Time       `json:"created_at"`
	ExpiresAt time.Time       `json:"expires_at"`
	Stems     []FileInfo      `json:"stems"`
	Mix       *FileInfo       `json:"mix"`
	Session   json.RawMessage `json:"session"`
	Check     json.RawMessage `json:"check"`
	Advice    json.RawMessage `json:"advice"`
	Quote     any             `json:"quote"`
	Jobs      []JobView       `json:"jobs"` // the newest ProjectJobs, newest first
	Outputs   []OutputView    `json:"outputs"`
	Report    json.RawMessage `json:"report"`
	AB        *ABView         `json:"ab"`
	Limits    Limits          `json:"limits"`
	// Fixes are the check's findings as the page acts on them.
	Fixes []FixView `json:"fixes"`
	// Checklist is the check's checklist as the session leaves its
	// findings: the lines, marks and words the CLI's check prints
	// (analysis.Checklist), each line's findings as indices into Fixes.
	// Null before any check.
	Checklist []analysis.ChecklistLine `json:"checklist"`
	// Stereo is true when the session masters the mix alone.
	Stereo bool `json:"stereo"`
	// JobsNext, when the project keeps older jobs than Jobs lists, is
	// the before of GET …/jobs that lists them.
	JobsNext int64 `json:"jobs_next,omitempty"`
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, p *store.Project) {
	v, err := s.projectView(r.Context(), p)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) projectView(ctx context.Context, p *store.Project) (*ProjectView, error) {
	files, err := s.projects.Files(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	js, jobsNext, err := s.projects.JobPage(ctx, p.ID, 0, ProjectJobs)
	if err != nil {
		return nil, err
	}
	outs, err := s.projects.Outputs(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	v := &ProjectView{ID: p.ID, CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, Stems: []FileInfo{}, Jobs: []JobView{}, JobsNext: jobsNext,
		Outputs: outputViews(p.ID, outs, s.projects.DirectDownloads()), Limits: s.cfg.Limits}
	for _, f := range files {
		fi := service.DecodeFileInfo(f)
		if f.Kind == store.KindMix {
			v.Mix = &fi
		} else {
			v.Stems = append(v.Stems, fi)
		}
	}
	for _, j := range js {
		v.Jobs = append(v.Jobs, jobView(j))
	}
	sess := s.projects.Session(p, files)
	if v.Session, err = json.Marshal(sess); err != nil {
		return nil, err
	}
	check := s.projects.Check(p)
	v.Fixes, v.Checklist = checkViews(check, sess, files.Mix())
	if p.Check != nil {
		v.Check = p.Check
		if adv := sessionAdvice(check, sess, files.Mix()); adv != nil {
			v.Advice, _ = json.Marshal(adv)
		}
	}
	if p.Report != nil {
		v.Report = p.Report
	}
	v.Quote = s.quote(v, sess)
	v.Stereo = v.Mix != nil && stereoSession(sess, v.Mix.Name)
	v.AB = abView(p.ID, outs)
	return v, nil
}

func quoteRequest(v *ProjectView, sess *stemmaster.Session) QuoteRequest {
	q := QuoteRequest{Stems: len(v.Stems), Deliverables: 1, Versions: 1}
	if sess != nil {
		q.Deliverables = max(1, len(sess.Outputs))
		q.Versions = max(1, len(sess.Versions))
	}
	var adv struct {
		Service string `json:"service"`
	}
	if json.Unmarshal(v.Advice, &adv) == nil {
		q.Service = adv.Service
	}
	return q
}

// abView finds the preview and the main master among the outputs.
func abView(projectID string, outs []store.Output) *ABView {
	var sum, master *store.Output
	for i := range outs {
		o := &outs[i]
		switch {
		case o.Kind == store.OutputPreview:
			sum = o
		case o.Kind == store.OutputAudio && strings.HasPrefix(o.Name, "main") && (master == nil || preferredMaster(o.Name, master.Name)):
			master = o
		}
	}
	if sum == nil || master == nil {
		return nil
	}
	ab := &ABView{Sum: "/api/projects/" + projectID + "/outputs/" + sum.Name, Master: "/api/projects/" + projectID + "/outputs/" + master.Name}
	ab.SumLUFS = integrated(sum.Figures)
	ab.MasterLUFS = integrated(master.Figures)
	sl, ml := math.NaN(), math.NaN()
	if ab.SumLUFS != nil {
		sl = *ab.SumLUFS
	}
	if ab.MasterLUFS != nil {
		ml = *ab.MasterLUFS
	}
	ab.SumVolume, ab.MasterVolume = MatchedVolumes(sl, ml)
	return ab
}

// preferredMaster prefers main.wav, then the shortest name (no suffix).
func preferredMaster(a, b string) bool {
	if a == "main.wav" {
		return true
	}
	if b == "main.wav" {
		return false
	}
	return len(a) < len(b)
}

func integrated(figures []byte) *float64 { return service.IntegratedLUFS(figures) }
