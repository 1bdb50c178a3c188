package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"stemmaster/internal/safego"
	"stemmaster/jobs"
	"stemmaster/store"
)

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
	// ProgressInterval is the least time between two progress writes.
	ProgressInterval time.Duration
	// ReadInPlace has renders read the stems in place from Blobs (ranged
	// reads, see store.Inputs) instead of copying them to WorkDir first.
	ReadInPlace bool
	// KeepRevisions is how many published renders of a project keep their
	// files (the current one included) when the store keeps revisions;
	// older ones are swept. 0 means DefaultKeepRevisions.
	KeepRevisions int
	// Disk, when set, reserves each render's scratch against the free-disk
	// watermark the uploads share (see Disk); nil reserves nothing.
	Disk *Disk
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

// Log is the operator's log (slog.Default when unset).
func (r *Runner) Log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

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

// begin starts an attempt of a job and says whether it is the last one
// (attempt is River's count, maxAttempts the bound). It returns a nil job
// when there is nothing to run: with no error when the job or its project
// is gone or the job is already done or failed (a crash after publication
// and before River recorded the completion: such a job never runs again);
// with the job's failure when the attempt is over the bound: the attempts
// before it were cut off (a crash, a kill, an out-of-memory), so running
// it again would only crash again.
func (r *Runner) begin(ctx context.Context, kind, projectID, jobID string, attempt, maxAttempts int) (job *store.Job, last bool, err error) {
	job, err = r.Meta.BeginAttempt(ctx, projectID, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	log := r.jobLog(job)
	if store.Finished(job.State) {
		log.Info("job already finished; not run again", "state", job.State)
		return nil, false, nil
	}
	last = job.Attempt >= maxAttempts || attempt >= maxAttempts
	if maxAttempts <= 0 {
		maxAttempts = jobs.MaxAttempts
	}
	if job.Attempt > maxAttempts {
		// This start does not run: the job shows the attempts that did.
		held := job.Attempt
		job.Attempt = maxAttempts
		return nil, false, r.failHeld(ctx, job, held, fmt.Errorf("this %s crashed the worker %d times (it was cut off before it could finish each time); it is not tried again", kind, maxAttempts))
	}
	log.Info("job running", "attempt", job.Attempt, "max_attempts", maxAttempts)
	return job, last, nil
}

// Resume makes the service whole after a crash: every job the store lists
// as unfinished is inserted in the queue again (River keeps one job per
// job id, so a job still queued is not doubled; this recovers a job created
// just before a crash and never queued), replaced renders are swept, and,
// with minAge > 0, orphaned blobs older than minAge are removed.
func (r *Runner) Resume(ctx context.Context, q jobs.Queue, minAge time.Duration) error {
	if err := jobs.Requeue(ctx, r.Meta, q); err != nil {
		return err
	}
	r.Sweep(ctx)
	if minAge > 0 {
		n, err := r.CleanOrphans(ctx, minAge)
		if err != nil {
			return err
		}
		if n > 0 {
			r.Log().Info("orphaned blobs removed", "count", n)
		}
	}
	return nil
}

// Expire deletes every project past its retention at now, files first
// (jobs' periodic expiry passes jobs.ExpiryTime, not this machine's
// clock alone).
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

// jobLog is the logger of a job's lines: the job, its project and kind,
// and the request that asked for it, which joins them to the front end's
// request line whichever worker runs the job and however often it is
// queued again.
func (r *Runner) jobLog(job *store.Job) *slog.Logger {
	return r.Log().With("job", job.ID, "project", job.ProjectID, "kind", job.Kind, "request", job.RequestID)
}

func (r *Runner) progressInterval() time.Duration {
	if r.ProgressInterval > 0 {
		return r.ProgressInterval
	}
	return 250 * time.Millisecond
}

// jobProgress records the stage and progress of a job's attempt, unless
// the job has gone to another attempt meanwhile (store.JobUpdate.IfAttempt).
// A store that stops answering (a database outage) is logged twice: a
// warning at the first write that fails and one when a write succeeds
// again, with the outage's length; the writes between, one every
// progress interval, are counted, not logged.
type jobProgress struct {
	r   *Runner
	job *store.Job

	mu       sync.Mutex
	since    time.Time // when writes began failing; zero while they succeed
	failures int
}

func (r *Runner) newJobProgress(job *store.Job) *jobProgress {
	return &jobProgress{r: r, job: job}
}

func (p *jobProgress) write(ctx context.Context, stage string, f float64) {
	err := p.r.Meta.UpdateJob(ctx, p.job.ID, store.JobUpdate{State: store.StateRunning, Progress: f, Stage: stage, IfAttempt: p.job.Attempt})
	if ctx.Err() != nil || errors.Is(err, store.ErrNotFound) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil && p.since.IsZero():
		p.since, p.failures = time.Now(), 1
		p.r.jobLog(p.job).Warn("job progress not recorded; further failures are not logged until it is again", "error", err)
	case err != nil:
		p.failures++
	case !p.since.IsZero():
		p.r.jobLog(p.job).Warn("job progress recorded again", "outage", time.Since(p.since).Round(time.Millisecond).String(), "failed_writes", p.failures)
		p.since, p.failures = time.Time{}, 0
	}
}

// fail records a job's error and tells River not to retry it. What a
// failed render's attempt stored is deleted now (the blob store may be
// the disk that filled), and queued for the sweeper as well, which
// deletes what an upload still in flight lands afterwards, or all of it
// when this deletion fails.
func (r *Runner) fail(ctx context.Context, job *store.Job, err error) error {
	return r.failHeld(ctx, job, job.Attempt, err)
}

// failHeld is fail for the attempt held, the job's attempt in the store,
// where job.Attempt is the attempt it is to show.
func (r *Runner) failHeld(ctx context.Context, job *store.Job, held int, err error) error {
	msg := jobs.PublicMessage(err.Error())
	r.jobLog(job).Info("job failed", "attempt", job.Attempt, "state", store.StateFailed, "error", err)
	wctx := context.WithoutCancel(ctx)
	uerr := r.Meta.UpdateJob(wctx, job.ID, store.JobUpdate{State: store.StateFailed, Stage: "failed", Error: msg, Attempt: job.Attempt, IfAttempt: held})
	if errors.Is(uerr, store.ErrNotFound) {
		// Another attempt has the job now (and may have published it), or
		// it was deleted: its files are not this attempt's to delete.
		r.jobLog(job).Warn("a failure of an attempt that no longer holds its job is dropped", "attempt", job.Attempt)
		return river.JobCancel(errors.New(msg))
	}
	if uerr != nil {
		return uerr
	}
	if job.Kind == store.JobRender {
		if serr := r.Meta.AddSweep(wctx, store.Sweep{ProjectID: job.ProjectID, JobID: job.ID}); serr != nil {
			r.Log().Warn("queue failed render for the sweeper", "job", job.ID, "error", serr)
		}
		if derr := r.DiscardRender(wctx, job.ProjectID, job.ID); derr != nil {
			r.Log().Warn("delete the files of a failed render (the sweeper deletes them later)", "job", job.ID, "error", derr)
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
		// A side goroutine's panic arrives as a *safego.PanicError with
		// the stage and the stack where it happened, carried over to
		// this goroutine or returned as the check's or render's error.
		var pe *safego.PanicError
		if p := recover(); p != nil {
			pe = safego.FromPanic("job", p)
			err = pe
		} else if !errors.As(err, &pe) {
			return
		}
		log.Error("job panicked", "stage", pe.Stage, "panic", pe.Value, "stack", pe.Stack)
	}()
	return f()
}

// retry records a passing failure; River tries again until the last
// attempt, which fails the job for good. The client sees that it will be
// retried; the details (paths, keys) go to the log only.
func (r *Runner) retry(ctx context.Context, job *store.Job, last bool, err error) error {
	if store.DiskFull(err) {
		// The blob store's disk, or the database's: no fault of the song.
		return r.failLastOrPutOff(ctx, job, last, "job short of disk on its last attempt", errShortOfDisk, errWaitingForDisk, err)
	}
	return r.failLastOrPutOff(ctx, job, last, "job error on its last attempt",
		errors.New("the server could not finish this job after several tries; try again later"), errInterrupted, err)
}

// failBug fails a job for good for a side goroutine's panic, logging its
// stack; the client is told the stage.
func (r *Runner) failBug(ctx context.Context, job *store.Job, pe *safego.PanicError) error {
	r.jobLog(job).Error("job panicked", "stage", pe.Stage, "panic", pe.Value, "stack", pe.Stack)
	return r.fail(ctx, job, pe)
}

// The reasons a client is shown for a job put off to a later attempt.
var (
	errInterrupted    = errors.New("interrupted; will retry")
	errWaitingForDisk = errors.New("waiting for disk space on the server; will retry")
)

// failLastOrPutOff ends a job that may run on another attempt, for err:
// on its last attempt, ctx live, it fails for good with final (lastLog,
// when not empty, logs err first); otherwise it is put off with why. A
// side goroutine's panic (an upload's, a prefetch's; the job's
// heartbeat's, which ends the job's context with it as the cause) fails
// it for good whatever err and why say: it is a bug, not a passing
// failure (another attempt would meet it again), and a job whose
// heartbeat panicked while it was refused disk is not waiting for disk.
func (r *Runner) failLastOrPutOff(ctx context.Context, job *store.Job, last bool, lastLog string, final, why, err error) error {
	var pe *safego.PanicError
	if errors.As(err, &pe) || errors.As(context.Cause(ctx), &pe) {
		return r.failBug(ctx, job, pe)
	}
	if last && ctx.Err() == nil {
		if lastLog != "" {
			r.jobLog(job).Warn(lastLog, "attempt", job.Attempt, "error", err)
		}
		return r.fail(ctx, job, final)
	}
	return r.putOff(ctx, job, why, err)
}

// putOff records a job queued again for a later attempt, with why, and
// hands err to River, which schedules the attempt (jobs' retry policy, on
// the store's clock).
func (r *Runner) putOff(ctx context.Context, job *store.Job, why, err error) error {
	r.jobLog(job).Info("job will retry", "attempt", job.Attempt, "state", store.StateQueued, "why", why, "error", err)
	u := store.JobUpdate{State: store.StateQueued, Stage: "retrying", Error: why.Error(), IfAttempt: job.Attempt}
	if uerr := r.Meta.UpdateJob(context.WithoutCancel(ctx), job.ID, u); uerr != nil && !errors.Is(uerr, store.ErrNotFound) {
		r.Log().Warn("job retry", "job", job.ID, "error", uerr)
	}
	return err
}

// workFailed ends a job whose check or render, begun at start, returned
// err: an interruption, an input the store could not give (src), or a full
// disk is retried; a job stopped at its time limit (River's job timeout,
// the deadline of ctx) fails, since it would be stopped there again on
// every attempt; anything else is the input's fault and fails the job,
// with a message that names no server path.
func (r *Runner) workFailed(ctx context.Context, job *store.Job, start time.Time, last bool, err error, src *jobFiles, work string) error {
	if deadline, ok := ctx.Deadline(); ok && errors.Is(ctx.Err(), context.DeadlineExceeded) && !src.storeFailed() {
		r.jobLog(job).Warn("job stopped at its time limit", "attempt", job.Attempt, "error", err)
		return r.fail(ctx, job, tooLong(job.Kind, deadline.Sub(start)))
	}
	if interrupted(ctx, err) || src.storeFailed() {
		return r.retry(ctx, job, last, err)
	}
	if store.DiskFull(err) {
		// The worker's disk filled past what the job reserved (another
		// process wrote meanwhile): the stems are not at fault, and the
		// job may well run once space is freed, here or on another worker.
		return r.failLastOrPutOff(ctx, job, last, "job short of disk on its last attempt", errShortOfDisk, errWaitingForDisk, err)
	}
	return r.fail(ctx, job, scrub(err, work))
}

// tooLong is what a client is told of a job of kind stopped after limit,
// the server's time for one attempt (--job-timeout).
func tooLong(kind string, limit time.Duration) error {
	lim := limit.Round(time.Second).String()
	if limit >= time.Minute {
		lim = fmt.Sprintf("%d minutes", int(limit.Round(time.Minute)/time.Minute))
	}
	fix := "a shorter song, fewer stems or a lower sample rate renders in time"
	if kind == store.JobCheck {
		fix = "shorter files, fewer stems or a lower sample rate are checked in time"
	}
	return fmt.Errorf("this %s ran longer than the %s the server allows one job, and would again on another try: %s", kind, lim, fix)
}

// errShortOfDisk is what a client is told of a job whose every attempt
// found the worker's disk full.
var errShortOfDisk = errors.New("the server ran short of disk space on each try of this job; try again later")

// interrupted reports whether a job's error comes from a cancellation
// (shutdown, timeout) rather than from its input: such jobs are retried.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// scrub removes the job's working directory from an error message, so users
// see their file names, not server paths.
func scrub(err error, work string) error {
	msg := err.Error()
	for _, sub := range scrubbed {
		msg = strings.ReplaceAll(msg, filepath.Join(work, sub)+string(filepath.Separator), "")
	}
	return errors.New(strings.ReplaceAll(msg, work+string(filepath.Separator), ""))
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

var _ jobs.Worker = (*Runner)(nil)

// Store is the metadata store (jobs.Worker).
func (r *Runner) Store() store.Metadata { return r.Meta }

// DiscardRender deletes every file a render job wrote (a cancelled one:
// nothing of it is published).
func (r *Runner) DiscardRender(ctx context.Context, projectID, jobID string) error {
	return r.Blobs.DeletePrefix(ctx, store.JobPrefix(projectID, jobID))
}

// ReturnAttempt takes back the attempt of a job interrupted by a graceful
// shutdown (jobs.Worker).
func (r *Runner) ReturnAttempt(ctx context.Context, jobID string) error {
	return r.Meta.ReturnAttempt(ctx, jobID)
}

// droppedPrefix is what a render whose job is gone deletes: the whole
// project's prefix once the project is gone too (projectGone), only the
// job's own when the project is still there or cannot be looked up.
func (r *Runner) droppedPrefix(ctx context.Context, projectID, jobID string) string {
	if projectGone(ctx, r.Meta, projectID) {
		return store.ProjectPrefix(projectID)
	}
	return store.JobPrefix(projectID, jobID)
}

// projectGone reports whether the store no longer has the project, or
// has it with its retention ended (expired, or its deletion begun), by
// the database's clock: the clock the expiry sweep lists it by and the
// store refuses its records by (store's lockProject). A deletion deletes
// the project's blobs before its records, so a writer that stored under
// its prefix after the blobs went, finding it gone, is the one left to
// delete what it wrote. It then deletes the whole prefix, not only its
// own keys: a deletion of one object keeps the folders
// projects/<id>/<kind> (keepDepth), shared by the project's writers, and
// no later delete of the project would remove them. A project that
// cannot be looked up is not gone.
func projectGone(ctx context.Context, meta store.Metadata, projectID string) bool {
	ctx = context.WithoutCancel(ctx)
	p, err := meta.Project(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return true
	}
	if err != nil {
		return false
	}
	now, err := meta.Clock(ctx)
	return err == nil && p.ExpiresAt.Before(now)
}
