// Package jobs holds the background work of the stemmaster service as River
// jobs (github.com/riverqueue/river): checking a delivery, rendering a
// session, and expiring old projects.
//
// A Runner does the work against the store; the River workers only carry
// the job arguments to it, so the same work runs inside `stemmaster serve`
// (River on SQLite, riversqlite) or in separate `stemmaster worker`
// processes (River on PostgreSQL, riverpgxv5).
//
// Reliability: River keeps jobs in the database, so a restart loses none. A
// render writes its outputs under a job-specific blob prefix and publishes
// them with store.CompleteRender only when everything is written; a render
// interrupted halfway (crash, kill -9) is retried from the start, its
// partial outputs deleted first, and never shown.
//
// Example, the whole service in one process:
//
//	runner := &jobs.Runner{Meta: meta, Blobs: blobs, Renderer: r, Checker: c, WorkDir: dir}
//	q, err := jobs.OpenSQLiteQueue(ctx, "river.sqlite", runner, jobs.QueueOptions{Work: true})
//	…
//	q.Start(ctx)
//	q.Enqueue(ctx, jobs.RenderArgs{ProjectID: p, JobID: j})
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

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

// InsertOpts puts checks on their own queue.
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCheck, MaxAttempts: 3, Priority: PriorityCheck}
}

// RenderArgs asks for the render of a project's current session.
type RenderArgs struct {
	ProjectID string `json:"project_id"`
	JobID     string `json:"job_id"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return KindRender }

// InsertOpts puts renders on their own queue.
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueRender, MaxAttempts: 3, Priority: PriorityRender}
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
	Session  []byte
	Dir      string
	OutDir   string
	Progress func(stage string, fraction float64)
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
	// none) in line with its uploaded stems and mix; see
	// server.Sessions.Reconcile. Nil renders the stored session as it is.
	Reconcile func(session []byte, stems []string, mix string) []byte
	// ProgressInterval is the least time between two progress writes.
	ProgressInterval time.Duration
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

// fetch downloads a project's files into dir under their upload names and
// returns the stem paths and the mix path ("" for none).
func (r *Runner) fetch(ctx context.Context, projectID, dir string) (stems []string, mix string, err error) {
	files, err := r.Meta.Files(ctx, projectID)
	if err != nil {
		return nil, "", err
	}
	for _, f := range files {
		sub := filepath.Join(dir, f.Kind)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return nil, "", err
		}
		path := filepath.Join(sub, f.Name)
		if err := r.Blobs.Download(ctx, f.BlobKey, path); err != nil {
			return nil, "", err
		}
		if f.Kind == store.KindMix {
			mix = path
		} else {
			stems = append(stems, path)
		}
	}
	return stems, mix, nil
}

// Check runs a check job.
func (r *Runner) Check(ctx context.Context, a CheckArgs, attempt, maxAttempts int) error {
	job, err := r.start(ctx, a.ProjectID, a.JobID, attempt)
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(r.WorkDir, "check-"+job.ID+"-")
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	defer os.RemoveAll(work)
	stems, mix, err := r.fetch(ctx, a.ProjectID, work)
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	if len(stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	r.progress(ctx, job.ID, "check", 0.1)
	report, err := noPanic(r.logger(), func() ([]byte, error) { return r.Checker.Check(ctx, stems, mix) })
	if err != nil {
		if interrupted(ctx, err) {
			return r.retry(ctx, job, attempt, maxAttempts, err)
		}
		return r.fail(ctx, job, scrub(err, work))
	}
	if err := r.Meta.SetCheck(ctx, a.ProjectID, job.ID, scrubJSON(report, work)); err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	return r.Meta.UpdateJob(ctx, job.ID, store.JobUpdate{State: store.StateDone, Progress: 1, Stage: "done"})
}

// Render runs a render job.
func (r *Runner) Render(ctx context.Context, a RenderArgs, attempt, maxAttempts int) error {
	job, err := r.start(ctx, a.ProjectID, a.JobID, attempt)
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	prefix := store.JobPrefix(a.ProjectID, job.ID)
	// Outputs an interrupted attempt left behind are not published; clear
	// them so this attempt starts clean.
	if err := r.Blobs.DeletePrefix(ctx, prefix); err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	work, err := os.MkdirTemp(r.WorkDir, "render-"+job.ID+"-")
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	defer os.RemoveAll(work)
	in, out := filepath.Join(work, "in"), filepath.Join(work, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	stems, mix, err := r.fetch(ctx, a.ProjectID, in)
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	if len(stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	p, err := r.Meta.Project(ctx, a.ProjectID)
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	session := p.Session
	if r.Reconcile != nil {
		mixName := ""
		if mix != "" {
			mixName = filepath.Base(mix)
		}
		session = r.Reconcile(session, baseNames(stems), mixName)
	}
	// Stems and mix sit in kind subdirectories; the session names them by
	// upload name, so give the renderer a directory where both resolve.
	flat := filepath.Join(work, "files")
	if err := flatten(flat, stems, mix); err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	var mu sync.Mutex
	last := time.Time{}
	progress := func(stage string, f float64) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < r.progressInterval() {
			return
		}
		last = time.Now()
		// The render takes the first 90 %; the preview and the upload the rest.
		r.progress(ctx, job.ID, stage, 0.9*clamp01(f))
	}
	res, err := noPanic(r.logger(), func() (*RenderOutput, error) {
		return r.Renderer.Render(ctx, RenderInput{Session: session, Dir: flat, OutDir: out, Progress: progress})
	})
	if err != nil {
		if interrupted(ctx, err) {
			return r.retry(ctx, job, attempt, maxAttempts, err)
		}
		return r.fail(ctx, job, scrub(err, work))
	}
	r.progress(ctx, job.ID, "preview", 0.92)
	sumLUFS, err := WriteSumPreview(filepath.Join(out, PreviewName), stems)
	if err != nil {
		r.logger().Warn("sum preview failed", "job", job.ID, "error", err)
	}
	r.progress(ctx, job.ID, "upload", 0.95)
	outputs, err := r.upload(ctx, a.ProjectID, job.ID, out, res, sumLUFS)
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	previous, err := r.Meta.CompleteRender(ctx, job.ID, scrubJSON(res.Report, work), outputs)
	if err != nil {
		return r.retry(ctx, job, attempt, maxAttempts, err)
	}
	if previous != "" {
		if err := r.Blobs.DeletePrefix(ctx, store.JobPrefix(a.ProjectID, previous)); err != nil {
			r.logger().Warn("delete replaced render", "job", previous, "error", err)
		}
	}
	return nil
}

// PreviewName is the file name of the plain stem sum for the A/B player.
const PreviewName = "preview-sum.wav"

// upload copies every file of out to the job's prefix and describes it.
func (r *Runner) upload(ctx context.Context, projectID, jobID, out string, res *RenderOutput, sumLUFS float64) ([]store.Output, error) {
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
		o := store.Output{Name: name, Kind: OutputKind(name), ContentType: ContentType(name), BlobKey: store.JobPrefix(projectID, jobID) + name}
		o.Figures = res.Figures[name]
		if name == PreviewName {
			o.Figures = fmt.Appendf(nil, `{"integrated_lufs":%s}`, jsonFloat(sumLUFS))
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

// start marks a job running; errGone when its project or job is gone.
func (r *Runner) start(ctx context.Context, projectID, jobID string, attempt int) (*store.Job, error) {
	job, err := r.Meta.Job(ctx, projectID, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGone
	}
	if err != nil {
		return nil, err
	}
	if err := r.Meta.UpdateJob(ctx, jobID, store.JobUpdate{State: store.StateRunning, Stage: "start", Attempt: attempt}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errGone
		}
		return nil, err
	}
	return job, nil
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

// fail records a job's error and tells River not to retry it.
func (r *Runner) fail(ctx context.Context, job *store.Job, err error) error {
	r.logger().Info("job failed", "job", job.ID, "kind", job.Kind, "error", err)
	if uerr := r.Meta.UpdateJob(context.WithoutCancel(ctx), job.ID, store.JobUpdate{State: store.StateFailed, Stage: "failed", Error: err.Error()}); uerr != nil {
		return uerr
	}
	return river.JobCancel(err)
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
// attempt, which fails the job for good.
func (r *Runner) retry(ctx context.Context, job *store.Job, attempt, maxAttempts int, err error) error {
	if attempt >= maxAttempts && ctx.Err() == nil {
		return r.fail(ctx, job, err)
	}
	u := store.JobUpdate{State: store.StateQueued, Stage: "retrying", Error: "will retry: " + err.Error()}
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

func flatten(dir string, stems []string, mix string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	all := stems
	if mix != "" {
		all = append(append([]string(nil), stems...), mix)
	}
	for _, p := range all {
		dst := filepath.Join(dir, filepath.Base(p))
		if err := os.Link(p, dst); err != nil {
			if err := os.Symlink(p, dst); err != nil {
				return err
			}
		}
	}
	return nil
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
