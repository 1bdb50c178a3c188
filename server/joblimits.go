package server

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"stemmaster"
	"stemmaster/service"
	"stemmaster/store"
)

// Bounds on a project's jobs (docs/api.md, "Jobs are bounded"); the
// Config fields of the same meaning override them.
const (
	// DefaultActiveJobsPerProject bounds the queued and running jobs of
	// one project: a check and a render, each with a successor queued,
	// fit.
	DefaultActiveJobsPerProject = 4
	// DefaultActiveJobsPerClient bounds the queued and running jobs one
	// address has over every project.
	DefaultActiveJobsPerClient = 16
	// DefaultKeepFinishedJobs is how many finished jobs of each kind a
	// project keeps besides those its check, render, revisions and
	// outputs name.
	DefaultKeepFinishedJobs = 5
	// ProjectJobs is how many of the newest jobs GET …/{id} lists;
	// GET …/{id}/jobs pages through the rest.
	ProjectJobs = 20
	// maxJobPage bounds one page of GET …/{id}/jobs.
	maxJobPage = 100
	// jobLimitWait is the Retry-After of a refusal when the store gives
	// no estimate (store.JobLimitError.Wait): about the time a check
	// takes.
	jobLimitWait = 10 * time.Second
)

// jobLimits is the bounds of a job the request asks for; key
// names the job's inputs.
func (s *Server) jobLimits(r *http.Request, key string) store.JobLimits {
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	perClient := pick(s.cfg.ActiveJobsPerClient, DefaultActiveJobsPerClient)
	if perClient > 0 {
		perClient *= s.cfg.ClientsPerAddress // the projects behind one NAT share it
	}
	return store.JobLimits{
		Key:          key,
		Client:       s.client(r),
		PerProject:   pick(s.cfg.ActiveJobsPerProject, DefaultActiveJobsPerProject),
		PerClient:    perClient,
		KeepFinished: pick(s.cfg.KeepFinishedJobs, DefaultKeepFinishedJobs),
		Storage:      s.clientLimits(),
	}
}

// renderKey names what a render renders: the session it was asked for
// and the client's options. The project's files generation is added by
// the store.
func renderKey(sess any, confirmed []string, note string) (string, error) {
	b, err := json.Marshal(struct {
		Session   any      `json:"session"`
		Confirmed []string `json:"confirmed"`
		Note      string   `json:"note"`
	}{sess, confirmed, note})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "render:" + hex.EncodeToString(sum[:16]), nil
}

// queueJob queues the job within the bounds and answers: 202 with a new
// job, 200 with the job of the same inputs (queued, running, or done with
// its result still the project's), 429 when a bound is reached, with
// Retry-After estimated from the queue.
func (s *Server) queueJob(w http.ResponseWriter, r *http.Request, p *store.Project, kind string, req service.JobRequest, key string) {
	job, existing, err := s.projects.QueueJobWithin(r.Context(), p.ID, kind, req, s.jobLimits(r, key))
	var qe *store.QuotaError
	if errors.As(err, &qe) && qe.Client {
		// The render's outputs would take what the projects of the
		// project's address, or of its network, store and have in
		// flight past their bound: the store judges it with the job's
		// creation, as it judges an upload's growth (the owners the
		// store counts an upload to the project against; none for a
		// project of no recorded client, as it bounds none).
		ue := ownerFull("this render", req.OutputBytes, qe)
		writeFieldError(w, ue.status, ue.code, "outputs", ue.message)
		return
	}
	var le *store.JobLimitError
	if errors.As(err, &le) {
		// The message says the wait Retry-After says.
		wait := cmp.Or(le.Wait, jobLimitWait)
		about := " (about " + strconv.Itoa(retryAfterSeconds(wait)) + " s)"
		if le.Scope == "client" {
			writeRetryAfter(w, wait, "too_many_jobs", "you have "+strconv.Itoa(le.Limit)+" checks and renders queued or running; wait for one to finish"+about)
		} else {
			writeRetryAfter(w, wait, "too_many_jobs", "this project has "+strconv.Itoa(le.Limit)+" checks and renders queued or running; wait for one to finish"+about+" or cancel one")
		}
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if existing {
		writeJSON(w, http.StatusOK, map[string]any{"job": job.ID, "state": job.State, "existing": true})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"job": job.ID})
}

// JobPageView is one page of GET …/{id}/jobs.
type JobPageView struct {
	Jobs []JobView `json:"jobs"`
	// Next is the before of the following page; absent after the last.
	Next int64 `json:"next,omitempty"`
}

// handleJobs lists the project's jobs newest first, a page at a time:
// ?limit= (default and most 100) and ?before= (the next of the previous
// page).
func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request, p *store.Project) {
	limit, before := maxJobPage, int64(0)
	q := r.URL.Query()
	if v := strings.TrimSpace(q.Get("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "bad_request", "limit: a whole number of jobs from 1 to "+strconv.Itoa(maxJobPage))
			return
		}
		limit = min(n, maxJobPage)
	}
	if v := strings.TrimSpace(q.Get("before")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "bad_request", "before: the next of the previous page")
			return
		}
		before = n
	}
	js, next, err := s.projects.JobPage(r.Context(), p.ID, before, limit)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := JobPageView{Jobs: make([]JobView, 0, len(js)), Next: next}
	for _, j := range js {
		v.Jobs = append(v.Jobs, jobView(j))
	}
	writeJSON(w, http.StatusOK, v)
}

// minOutputBytes is the least MaxOutputBytes defaults to, whatever the
// upload limit: a report and its pictures alone take up to a few MB.
const minOutputBytes = 256 << 20

// outputsFit answers 413 too_large (field outputs) and returns false when
// a render of sess would store more than Limits.MaxOutputBytes. Outputs
// are not uploads and count against no other limit, while a session can
// ask for 8 outputs in each of 4 versions at up to 384 kHz in 32-bit
// float: from 10 MB of FLAC silence, over 100 GB a render, and a project
// keeps 10 revisions.
func (s *Server) outputsFit(w http.ResponseWriter, sess *stemmaster.Session, files service.Files) bool {
	most := cmp.Or(s.cfg.Limits.MaxOutputBytes, max(2*s.cfg.Limits.MaxTotalBytes, minOutputBytes))
	if most <= 0 {
		return true
	}
	need := files.OutputBytes(sess)
	if need <= most {
		return true
	}
	writeFieldError(w, http.StatusRequestEntityTooLarge, "too_large", "outputs", fmt.Sprintf("this render would store %d MB of outputs, over the %d MB one render may: ask for fewer outputs or versions, or a lower sample rate or bit depth", (need+999_999)/1_000_000, most/1_000_000))
	return false
}

// workFits answers 422 over_budget (field session) and returns false when
// the render's estimated work (service.RenderWork) is over the server's
// budget (Config.RenderWork), naming both figures and what the work is
// made of: such a render would hold a worker's CPU for as long as every
// other render of the hour; or when its estimated memory is over
// Config.RenderMemory, naming both: the work budget bounds CPU, and a
// one-stem song of 20 minutes at 384 kHz fits it while it needs 3.8 GB.
func (s *Server) workFits(w http.ResponseWriter, sess *stemmaster.Session, files service.Files) bool {
	budget := cmp.Or(s.cfg.RenderWork, service.DefaultRenderWork)
	work := files.RenderWork(sess)
	secs := int(math.Round(work.Minutes * 60))
	if budget >= 0 && work.Units > budget {
		writeFieldError(w, http.StatusUnprocessableEntity, "over_budget", "session", fmt.Sprintf(
			"this render's work is %s stem-minutes at 48 kHz (a song of %d:%02d at %g kHz; stems: %d, versions: %d, each version's master counting as %d stems), over the %s one render may on this server: ask for fewer versions, or upload the stems at a lower sample rate, or fewer of them",
			workFigure(work.Units, true), secs/60, secs%60, float64(work.Rate)/1000, work.Stems, work.Versions, service.BusWork, workFigure(budget, false)))
		return false
	}
	most := cmp.Or(s.cfg.RenderMemory, service.DefaultRenderMemory)
	if most >= 0 && work.MemoryBytes > most {
		writeFieldError(w, http.StatusUnprocessableEntity, "over_budget", "session", fmt.Sprintf(
			"this render needs about %s of memory (a song of %d:%02d at %g kHz: the master is held whole, %d bytes a frame, whatever the versions; stems: %d), over the %s one render may on this server: upload the stems at a lower sample rate, or a shorter song",
			memFigure(work.MemoryBytes, true), secs/60, secs%60, float64(work.Rate)/1000, service.RenderBusBytes, work.Stems, memFigure(most, false)))
		return false
	}
	return true
}

// memFigure writes a size in MB, or in GB to one decimal from 1 GB,
// rounded up (a need) or down (a bound), so that a need over its bound
// does not read as the same figure ("about 2.2 GB, over the 2.1 GB" for
// 2.148 GB over 2 GiB, not 2.1 over 2.1).
func memFigure(n int64, up bool) string {
	if n >= 1e9 {
		return strconv.FormatFloat(roundTo(float64(n)/1e9, 10, up), 'f', -1, 64) + " GB"
	}
	return strconv.FormatFloat(roundTo(float64(n)/1e6, 1, up), 'f', -1, 64) + " MB"
}

// workFigure writes a work figure to two decimals, without trailing
// zeros, rounded up (a render's work) or down (the budget), as memFigure.
func workFigure(x float64, up bool) string {
	return strconv.FormatFloat(roundTo(x, 100, up), 'f', -1, 64)
}

// roundTo rounds x to a multiple of 1/scale, up or down; a figure within
// a millionth of a step of one (0.2 × 100 is 20.000000000000004) is that
// multiple.
func roundTo(x, scale float64, up bool) float64 {
	v := x * scale
	if r := math.Round(v); math.Abs(v-r) < 1e-6 {
		return r / scale
	}
	if up {
		return math.Ceil(v) / scale
	}
	return math.Floor(v) / scale
}
