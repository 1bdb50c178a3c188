// Package jobs holds the background work of the stemmaster service as River
// jobs (github.com/riverqueue/river): checking a delivery, rendering a
// session, and expiring old projects.
//
// A Runner does the work against the store; the River workers only carry
// the job arguments to it, so the same work runs inside `stemmaster serve`
// (River on SQLite, riversqlite) or in separate `stemmaster worker`
// processes (River on PostgreSQL, riverpgxv5).
//
// Reliability: River keeps jobs in the database, so a restart loses none,
// and Resume queues again what a crash left unqueued. Each attempt of a
// render writes under its own blob prefix and publishes with one
// conditional switch (store.PublishRender): a job already done never runs
// again, an older render never replaces a newer one, and what is replaced
// is deleted by the sweeper after the switch, never the current render. A
// check is stored only if the stems it checked are still the project's.
// Attempts are counted in the store across crashes: a job cut off as many
// times as its bound fails with a clear error instead of crash-looping.
// Errors shown to clients go through PublicMessage (no paths, keys or
// database URLs); the details go to the log, one line per state change.
//
// Example, the whole service in one process:
//
//	runner := &jobs.Runner{Meta: meta, Blobs: blobs, Renderer: r, Checker: c, WorkDir: dir}
//	q, err := jobs.OpenSQLiteQueue(ctx, "river.sqlite", runner, jobs.QueueOptions{Work: true})
//	…
//	q.Start(ctx)
//	q.Enqueue(ctx, jobs.RenderArgs{ProjectID: p, JobID: j})
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"stemmaster"
	"stemmaster/internal/faultpoint"
	"stemmaster/store"
)

// Job kinds as River stores them.
const (
	KindCheck  = "stemmaster_check"
	KindRender = "stemmaster_render"
	KindExpire = "stemmaster_expire"
)

// Queue names.
const (
	QueueRender      = "render"
	QueueCheck       = "check"
	QueueMaintenance = "maintenance"
)

// CheckArgs asks for the check of a project's delivery.
type CheckArgs struct {
	ProjectID string `json:"project_id"`
	JobID     string `json:"job_id"`
}

// Kind implements river.JobArgs.
func (CheckArgs) Kind() string { return KindCheck }

// InsertOpts puts checks on their own queue, one River job per job id
// (Resume may insert it again).
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCheck, MaxAttempts: maxAttemptsDefault, Priority: PriorityCheck, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RenderArgs asks for the render of a project's current session.
type RenderArgs struct {
	ProjectID string `json:"project_id"`
	JobID     string `json:"job_id"`
	// Confirmed lists the check errors the client chose to master
	// anyway; the report records them.
	Confirmed []string `json:"confirmed,omitempty"`
	// Note describes the revision the render makes.
	Note string `json:"note,omitempty"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return KindRender }

// InsertOpts puts renders on their own queue, one River job per job id
// (Resume may insert it again).
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueRender, MaxAttempts: maxAttemptsDefault, Priority: PriorityRender, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ExpireArgs asks for the deletion of expired projects.
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return KindExpire }

// InsertOpts puts expiry on the maintenance queue.
func (ExpireArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 1}
}

// RenderInput is what a Renderer gets: the session (the session-file schema
// as JSON, each stem's "file" and the "mix" naming a file in Dir) and where
// to write.
type RenderInput struct {
	Session []byte
	// Parsed is Session parsed, when the runner has it (it reconciled the
	// session with the uploads): the renderer need not parse it again.
	Parsed *stemmaster.Session
	Dir    string
	// Open, when set, opens the files the session names in Dir, which is
	// then empty: they are read in place (store.Inputs.Open).
	Open     func(path string) (io.ReadSeekCloser, error)
	OutDir   string
	Progress func(stage string, fraction float64)
	// Confirmed lists the check errors the client chose to master anyway
	// (report.json's "mastered_anyway").
	Confirmed []string
}

// RenderOutput is what a Renderer returns. Every file it wrote to OutDir is
// published: audio deliverables, report.json, report.html, pictures (*.png).
type RenderOutput struct {
	Report []byte // report.json
	// Figures holds, per output file name, its loudness figures as JSON.
	Figures map[string][]byte
	// MasterLUFS is the integrated loudness of the main master, for the
	// A/B player's loudness matching.
	MasterLUFS float64
}

// Renderer masters a session. Errors it returns are taken as problems of the
// session or the files (the job fails at once and shows the error), except a
// cancelled context, which retries the job.
type Renderer interface {
	Render(ctx context.Context, in RenderInput) (*RenderOutput, error)
}

// Checker checks a stem delivery (stems and an optional reference mix, both
// local paths) and returns the check report as JSON, with file names as the
// base names of the paths.
type Checker interface {
	Check(ctx context.Context, stems []string, mix string) ([]byte, error)
}

// Runner does the jobs' work against the store.
type Runner struct {
	Meta     store.Metadata
	Blobs    *store.Blobs
	Renderer Renderer
	Checker  Checker
	// WorkDir holds the temporary working directories of running jobs;
	// os.TempDir when empty.
	WorkDir string
	Logger  *slog.Logger
	// Reconcile brings the project's session (nil when the client set
	// none) in line with its uploaded stems and mix, parsed; see
	// service.Sessions.ReconcileSession. Nil renders the stored session
	// as it is.
	Reconcile func(session []byte, stems []string, mix string) *stemmaster.Session
	// ProgressInterval is the least time between two progress writes.
	ProgressInterval time.Duration
	// ReadInPlace has renders read the stems in place from Blobs (ranged
	// reads, see store.Inputs) instead of copying them to WorkDir first.
	ReadInPlace bool
	// KeepRevisions is how many published renders of a project keep their
	// files (the current one included) when the store keeps revisions;
	// older ones are swept. 0 means DefaultKeepRevisions.
	KeepRevisions int
}

// DefaultKeepRevisions bounds the renders a project keeps: enough to
// compare a session's history, not so many that one project fills a disk.
const DefaultKeepRevisions = 10

func (r *Runner) keepRevisions() int {
	if r.KeepRevisions > 0 {
		return r.KeepRevisions
	}
	return DefaultKeepRevisions
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// errGone is returned internally when the project or job was deleted while
// queued; the job then ends quietly.
var errGone = errors.New("project deleted")

// fetch downloads files into dir under their upload names and returns the
// stem paths and the mix path ("" for none).
func (r *Runner) fetch(ctx context.Context, files []store.File, dir string) (stems []string, mix string, err error) {
	for _, f := range files {
		sub := filepath.Join(dir, f.Kind)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, "", err
		}
		path := filepath.Join(sub, f.Name)
		if err := r.Blobs.DownloadScratch(ctx, f.BlobKey, path); err != nil {
			return nil, "", err
		}
		if f.Kind == store.KindMix {
			mix = path
		} else {
			stems = append(stems, path)
		}
	}
	if len(stems) == 0 && mix != "" {
		// A stereo master: the mix is the one input.
		stems, mix = []string{mix}, ""
	}
	return stems, mix, nil
}

// maxAttemptsDefault bounds the attempts of a job when River does not say.
const maxAttemptsDefault = 3

// begin starts an attempt of a job. It returns errGone when the job or its
// project is gone, and errFinished when the job is already done or failed
// (a crash after publication and before River recorded the completion):
// such a job never runs again. An attempt over the bound fails the job for
// good: the attempts before it were cut off (a crash, a kill, an
// out-of-memory), so running it again would only crash again.
func (r *Runner) begin(ctx context.Context, kind, projectID, jobID string, maxAttempts int) (*store.Job, error) {
	job, err := r.Meta.BeginAttempt(ctx, projectID, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	log := r.logger().With("job", job.ID, "project", projectID, "kind", job.Kind)
	if job.State == store.StateDone || job.State == store.StateFailed || job.State == store.StateCancelled {
		log.Info("job already finished; not run again", "state", job.State)
		return nil, errFinished
	}
	if maxAttempts <= 0 {
		maxAttempts = maxAttemptsDefault
	}
	if job.Attempt > maxAttempts {
		// This start does not run: the job shows the attempts that did.
		job.Attempt = maxAttempts
		return nil, r.fail(ctx, job, fmt.Errorf("this %s crashed the worker %d times (it was cut off before it could finish each time); it is not tried again", kind, maxAttempts))
	}
	log.Info("job running", "attempt", job.Attempt, "max_attempts", maxAttempts)
	return job, nil
}

// errFinished is returned internally for a job already done, failed or
// cancelled.
var errFinished = errors.New("job already finished")

// Check runs a check job. The report is stored only if the stems it
// checked are still the project's.
func (r *Runner) Check(ctx context.Context, a CheckArgs, attempt, maxAttempts int) error {
	job, err := r.begin(ctx, "check", a.ProjectID, a.JobID, maxAttempts)
	if errors.Is(err, errGone) || errors.Is(err, errFinished) {
		return nil
	}
	if err != nil {
		return err
	}
	last := job.Attempt >= maxAttempts || attempt >= maxAttempts
	work, err := os.MkdirTemp(r.WorkDir, "check-"+job.ID+"-")
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	defer os.RemoveAll(work)
	gen, files, err := r.Meta.FileSet(ctx, a.ProjectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	src, err := r.checkFiles(ctx, files, work)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	if len(src.stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	r.progress(ctx, job.ID, "check", 0.1)
	report, err := noPanic(r.logger(), func() ([]byte, error) { return r.check(ctx, src) })
	if err != nil {
		if interrupted(ctx, err) || src.storeFailed() {
			return r.retry(ctx, job, last, err)
		}
		return r.fail(ctx, job, scrub(err, work))
	}
	faultpoint.Hit("check-measured")
	stored, err := r.Meta.CompleteCheck(ctx, job.ID, job.Attempt, gen, scrubJSON(report, work))
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	faultpoint.Hit("check-stored")
	if stored {
		r.logger().Info("job done", "job", job.ID, "project", a.ProjectID, "kind", job.Kind, "attempt", job.Attempt)
	} else {
		r.logger().Info("job done, superseded: the stems changed during the check", "job", job.ID, "project", a.ProjectID, "kind", job.Kind, "attempt", job.Attempt)
	}
	return nil
}

// Render runs a render job: the outputs go to this attempt's own key space
// and become visible only through the one switch of PublishRender.
func (r *Runner) Render(ctx context.Context, a RenderArgs, attempt, maxAttempts int) error {
	job, err := r.begin(ctx, "render", a.ProjectID, a.JobID, maxAttempts)
	if errors.Is(err, errGone) || errors.Is(err, errFinished) {
		return nil
	}
	if err != nil {
		return err
	}
	last := job.Attempt >= maxAttempts || attempt >= maxAttempts
	log := r.logger().With("job", job.ID, "project", a.ProjectID, "kind", job.Kind, "attempt", job.Attempt)
	// Nothing of this job is published (it is not done): what earlier,
	// interrupted attempts wrote is clutter.
	if err := r.Blobs.DeletePrefix(ctx, store.JobPrefix(a.ProjectID, job.ID)); err != nil {
		return r.retry(ctx, job, last, err)
	}
	work, err := os.MkdirTemp(r.WorkDir, "render-"+job.ID+"-")
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	defer os.RemoveAll(work)
	out := filepath.Join(work, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r.retry(ctx, job, last, err)
	}
	_, files, err := r.Meta.FileSet(ctx, a.ProjectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	src, err := r.renderFiles(ctx, files, work)
	if errors.Is(err, store.ErrNotFound) {
		// A stem was deleted while this render started: its input is gone.
		return r.fail(ctx, job, errors.New("a stem was deleted while the render started; render again"))
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	stems, mix := src.stems, src.mix
	if len(stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	p, err := r.Meta.Project(ctx, a.ProjectID)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	session := p.Session
	var parsed *stemmaster.Session
	if r.Reconcile != nil {
		mixName := ""
		if mix != "" {
			mixName = filepath.Base(mix)
		}
		parsed = r.Reconcile(session, baseNames(stems), mixName)
		if js, err := json.Marshal(parsed); err == nil {
			session = js // the revision records what was rendered
		}
	}
	// The engine calls progress from its hot path: it only records the
	// latest value; a goroutine of its own writes it to the database.
	rep := newProgressReporter()
	// The A/B player's plain sum is made beside the render, from the same
	// local files, so it costs the render no time of its own (the render
	// is CPU-bound; the sum mostly reads). It lands outside out and moves
	// in once the render is done.
	pctx, stopPreview := context.WithCancel(ctx)
	defer stopPreview()
	preview := filepath.Join(work, PreviewName)
	type previewResult struct {
		lufs float64
		err  error
	}
	previewDone := make(chan previewResult, 1)
	go func() {
		lufs, err := writeSumPreviewFrom(pctx, preview, stems, src.open)
		previewDone <- previewResult{lufs, err}
	}()
	faultpoint.Hit("render-started")
	stopProgress := r.reportProgress(ctx, job.ID, rep)
	res, err := noPanic(r.logger(), func() (*RenderOutput, error) {
		return r.Renderer.Render(ctx, RenderInput{Session: session, Parsed: parsed, Dir: src.dir, Open: src.open, OutDir: out, Confirmed: a.Confirmed, Progress: func(stage string, f float64) {
			// The render takes the first 90 %; the preview and the upload the rest.
			rep.set(stage, 0.9*clamp01(f))
			if f > 0.3 {
				faultpoint.Hit("render-midway")
			}
		}})
	})
	stopProgress()
	if err != nil {
		stopPreview()
		<-previewDone
		if interrupted(ctx, err) || src.storeFailed() {
			return r.retry(ctx, job, last, err)
		}
		return r.fail(ctx, job, scrub(err, work))
	}
	r.progress(ctx, job.ID, "preview", 0.92)
	pr := <-previewDone
	sumLUFS := pr.lufs
	if pr.err == nil {
		pr.err = os.Rename(preview, filepath.Join(out, PreviewName))
	}
	if pr.err != nil {
		log.Warn("sum preview failed", "error", pr.err)
	}
	r.progress(ctx, job.ID, "upload", 0.95)
	prefix := store.AttemptPrefix(a.ProjectID, job.ID, job.Attempt)
	outputs, err := r.upload(ctx, prefix, out, res, sumLUFS)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	faultpoint.Hit("render-uploaded")
	// Every published render is a revision: its session, report, outputs
	// and the client's note, recorded with the switch.
	rev := &store.Revision{Note: a.Note, Session: session, Report: scrubJSON(res.Report, work)}
	pub, err := r.Meta.PublishRender(ctx, job.ID, job.Attempt, scrubJSON(res.Report, work), outputs, rev)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	switch {
	case pub.Finished:
		log.Warn("render finished by another attempt; this attempt's outputs are dropped")
		if err := r.Blobs.DeletePrefix(ctx, prefix); err != nil {
			log.Warn("delete dropped attempt", "error", err)
		}
		return nil
	case pub.Superseded:
		log.Info("job done, superseded: a newer render is already published", "state", store.StateDone)
	default:
		log.Info("job done: render published", "state", store.StateDone, "outputs", len(outputs), "replaced", pub.Previous)
		// Revisions past the kept window go to the sweeper (a crash before
		// this is made up for by the next publication).
		r.sweepOldRevisions(ctx, a.ProjectID)
	}
	faultpoint.Hit("render-published")
	r.Sweep(ctx)
	return nil
}

// progressReporter holds the latest progress of a render; set never
// blocks on anything but a short mutex.
type progressReporter struct {
	mu    sync.Mutex
	stage string
	f     float64
	dirty bool
}

func newProgressReporter() *progressReporter { return &progressReporter{} }

func (p *progressReporter) set(stage string, f float64) {
	p.mu.Lock()
	p.stage, p.f, p.dirty = stage, f, true
	p.mu.Unlock()
}

func (p *progressReporter) take() (string, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dirty
	p.dirty = false
	return p.stage, p.f, d
}

// reportProgress writes the reporter's latest value every progress
// interval until the returned function is called.
func (r *Runner) reportProgress(ctx context.Context, jobID string, p *progressReporter) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(r.progressInterval())
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if stage, f, ok := p.take(); ok {
					r.progress(ctx, jobID, stage, f)
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// PreviewName is the file name of the plain stem sum for the A/B player.
const PreviewName = "preview-sum.wav"

// upload copies every file of out under prefix and describes it.
func (r *Runner) upload(ctx context.Context, prefix, out string, res *RenderOutput, sumLUFS float64) ([]store.Output, error) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, err
	}
	var outputs []store.Output
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		o := store.Output{Name: name, Kind: OutputKind(name), ContentType: ContentType(name), BlobKey: prefix + name}
		o.Figures = res.Figures[name]
		if name == PreviewName {
			lufs, _ := stemmaster.Level(sumLUFS).MarshalJSON()
			o.Figures = fmt.Appendf(nil, `{"integrated_lufs":%s}`, lufs)
		}
		n, err := r.Blobs.PutFile(ctx, o.BlobKey, o.ContentType, filepath.Join(out, name))
		if err != nil {
			return nil, err
		}
		o.Size = n
		outputs = append(outputs, o)
	}
	return outputs, nil
}

// OutputKind classifies an output file by its name.
func OutputKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png":
		return store.OutputPicture
	case ".json", ".html":
		return store.OutputReport
	}
	if name == PreviewName {
		return store.OutputPreview
	}
	return store.OutputAudio
}

// ContentType gives the MIME type served for an output.
func ContentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".wav":
		return "audio/wav"
	case ".flac":
		return "audio/flac"
	case ".aif", ".aiff":
		return "audio/aiff"
	case ".json":
		return "application/json"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Resume makes the service whole after a crash: every job the store lists
// as unfinished is inserted in the queue again (River keeps one job per
// job id, so a job still queued is not doubled; this recovers a job created
// just before a crash and never queued), replaced renders are swept, and,
// with minAge > 0, orphaned blobs older than minAge are removed.
func (r *Runner) Resume(ctx context.Context, q Queue, minAge time.Duration) error {
	unfinished, err := r.Meta.UnfinishedJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range unfinished {
		var args river.JobArgs = CheckArgs{ProjectID: j.ProjectID, JobID: j.ID}
		if j.Kind == store.JobRender {
			args = RenderArgs{ProjectID: j.ProjectID, JobID: j.ID}
		}
		if err := q.Enqueue(ctx, args); err != nil {
			return err
		}
	}
	r.Sweep(ctx)
	if minAge > 0 {
		n, err := r.CleanOrphans(ctx, minAge)
		if err != nil {
			return err
		}
		if n > 0 {
			r.logger().Info("orphaned blobs removed", "count", n)
		}
	}
	return nil
}

// Expire deletes every project past its retention, files first.
func (r *Runner) Expire(ctx context.Context, now time.Time) (int, error) {
	ids, err := r.Meta.ExpiredProjects(ctx, now)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := DeleteProject(ctx, r.Meta, r.Blobs, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return i, err
		}
	}
	return len(ids), nil
}

// DeleteProject removes a project's blobs, then its records.
func DeleteProject(ctx context.Context, meta store.Metadata, blobs *store.Blobs, id string) error {
	if err := blobs.DeletePrefix(ctx, store.ProjectPrefix(id)); err != nil {
		return err
	}
	return meta.DeleteProject(ctx, id)
}

func (r *Runner) progressInterval() time.Duration {
	if r.ProgressInterval > 0 {
		return r.ProgressInterval
	}
	return 250 * time.Millisecond
}

func (r *Runner) progress(ctx context.Context, jobID, stage string, f float64) {
	if err := r.Meta.UpdateJob(ctx, jobID, store.JobUpdate{State: store.StateRunning, Progress: f, Stage: stage}); err != nil && ctx.Err() == nil {
		r.logger().Warn("job progress", "job", jobID, "error", err)
	}
}

// fail records a job's error and tells River not to retry it. A failed
// render's attempts are queued for the sweeper.
func (r *Runner) fail(ctx context.Context, job *store.Job, err error) error {
	msg := PublicMessage(err.Error())
	r.logger().Info("job failed", "job", job.ID, "project", job.ProjectID, "kind", job.Kind, "attempt", job.Attempt, "state", store.StateFailed, "error", err)
	wctx := context.WithoutCancel(ctx)
	if uerr := r.Meta.UpdateJob(wctx, job.ID, store.JobUpdate{State: store.StateFailed, Stage: "failed", Error: msg, Attempt: job.Attempt}); uerr != nil {
		return uerr
	}
	if job.Kind == store.JobRender {
		if serr := r.Meta.AddSweep(wctx, store.Sweep{ProjectID: job.ProjectID, JobID: job.ID}); serr != nil {
			r.logger().Warn("queue failed render for the sweeper", "job", job.ID, "error", serr)
		}
	}
	return river.JobCancel(errors.New(msg))
}

// noPanic runs a checker or renderer and turns a panic in its goroutine
// into an error: the job then fails for good with a message, where River's
// own recovery would retry the panic and leave the job "running" in the
// store.
func noPanic[T any](log *slog.Logger, f func() (T, error)) (res T, err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("job panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return f()
}

// retry records a passing failure; River tries again until the last
// attempt, which fails the job for good. The client sees that it will be
// retried; the details (paths, keys) go to the log only.
func (r *Runner) retry(ctx context.Context, job *store.Job, last bool, err error) error {
	if last && ctx.Err() == nil {
		r.logger().Warn("job error on its last attempt", "job", job.ID, "project", job.ProjectID, "kind", job.Kind, "attempt", job.Attempt, "error", err)
		return r.fail(ctx, job, errors.New("the server could not finish this job after several tries; try again later"))
	}
	r.logger().Info("job will retry", "job", job.ID, "project", job.ProjectID, "kind", job.Kind, "attempt", job.Attempt, "state", store.StateQueued, "error", err)
	u := store.JobUpdate{State: store.StateQueued, Stage: "retrying", Error: "interrupted; will retry"}
	if uerr := r.Meta.UpdateJob(context.WithoutCancel(ctx), job.ID, u); uerr != nil && !errors.Is(uerr, store.ErrNotFound) {
		r.logger().Warn("job retry", "job", job.ID, "error", uerr)
	}
	return err
}

// interrupted reports whether a job's error comes from a cancellation
// (shutdown, timeout) rather than from its input: such jobs are retried.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// scrubbed are the subdirectories of a job's working directory that hold
// the files a user knows by name.
var scrubbed = []string{"files", "in/stem", "in/mix", "stem", "mix", "out"}

// scrub removes the job's working directory from an error message, so users
// see their file names, not server paths.
func scrub(err error, work string) error {
	msg := err.Error()
	for _, sub := range scrubbed {
		msg = strings.ReplaceAll(msg, filepath.Join(work, sub)+string(filepath.Separator), "")
	}
	return errors.New(strings.ReplaceAll(msg, work+string(filepath.Separator), ""))
}

func scrubJSON(doc []byte, work string) []byte {
	s := string(doc)
	for _, sub := range scrubbed {
		s = strings.ReplaceAll(s, filepath.Join(work, sub)+string(filepath.Separator), "")
	}
	return []byte(s)
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func clamp01(f float64) float64 {
	if f < 0 || f != f {
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}
