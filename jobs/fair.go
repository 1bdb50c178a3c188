package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/store"
)

// Fair and cancellable jobs.
//
// Every job claims its place in the store before it works: a render runs
// only while fewer than Limits.RendersPerProject renders of its project
// (default 1) and fewer than Limits.Renders renders in the whole deployment
// run; otherwise River snoozes it for a moment (snoozing does not count as
// an attempt). Checks go to their own queue with a higher priority, so they
// never wait behind renders.
//
// While a job works, a watcher beats its heartbeat in the store every
// second and reads its state back: a job cancelled by its client, or
// superseded by a newer render of the same project, is stopped within a
// second, its partial outputs deleted, and River records it cancelled. A
// worker that cannot reach the store for half the lease stops its own job,
// and every working process re-queues jobs whose heartbeat is older than
// the lease (their worker died or lost the database), so a SIGKILLed
// worker's render is taken over by another within about a lease.

// Limits bound how many jobs run at once.
type Limits struct {
	// RendersPerProject bounds the renders of one project running at once
	// (default 1).
	RendersPerProject int
	// Renders bounds the renders running at once in the deployment, all
	// processes together (0: only each process's --render-workers).
	Renders int
	// Lease is how long a running job's heartbeat may be silent before its
	// worker is taken for dead (default 30 s).
	Lease time.Duration
}

func (l Limits) lease() time.Duration { return cmpOr(l.Lease, 30*time.Second) }

// leaseStore is what fairness needs of the metadata store (*store.SQL).
type leaseStore interface {
	Heartbeat(ctx context.Context, jobID string) (string, error)
	ClaimJob(ctx context.Context, projectID, jobID, kind string, perProject, global int, lease time.Duration) (store.Claim, error)
	StaleJobs(ctx context.Context, ids []string, lease time.Duration) (map[string]bool, error)
	CancelJob(ctx context.Context, projectID, jobID, reason string) (bool, error)
	// Now is the database's clock (store.Metadata.Now), the one River's
	// attempted_at and scheduled_at are compared with in the database.
	Now() time.Time
}

var (
	errCancelled = errors.New("job cancelled")
	errLostLease = errors.New("lost the job's lease: the store did not answer")
)

// fairness runs jobs under the limits.
type fairness struct {
	r      Worker
	limits Limits
	// stopping is set when a graceful shutdown cancels the running jobs.
	stopping atomic.Bool
	// queue is the queue these limits belong to (set once it is built):
	// the maintenance job queues lost jobs again through it.
	queue Queue
	// looks paces a running job's watcher: it returns the channel whose
	// ticks make the watcher beat the heartbeat and read the job's state,
	// and a function that stops it (nil: a tick every second). Tests pass
	// their own ticks to know which look stops a job.
	looks func() (<-chan time.Time, func())
}

// watchTicks starts the ticks of one job's watcher.
func (f *fairness) watchTicks() (<-chan time.Time, func()) {
	if f.looks != nil {
		return f.looks()
	}
	t := time.NewTicker(time.Second)
	return t.C, t.Stop
}

func (f *fairness) store() leaseStore {
	ls, _ := f.r.Store().(leaseStore)
	return ls
}

// run claims the job, works it with fn under a heartbeat, and turns a
// cancellation into River's cancelled state.
func (f *fairness) run(ctx context.Context, kind, projectID, jobID string, fn func(ctx context.Context) error) error {
	return f.interrupted(ctx, kind, jobID, f.claimed(ctx, kind, projectID, jobID, fn))
}

// interrupted turns the error of a job cut off by this process's graceful
// shutdown into a snooze: River then runs it again without counting an
// attempt, and the store takes its attempt back. A job cut off by a crash
// never gets here, so crashes still count toward the bound.
func (f *fairness) interrupted(ctx context.Context, kind, jobID string, err error) error {
	if err == nil || ctx.Err() == nil || !f.stopping.Load() {
		return err
	}
	var jc *river.JobCancelError
	if errors.As(err, &jc) {
		return err // cancelled or failed for good: not to run again
	}
	if rerr := f.r.ReturnAttempt(context.WithoutCancel(ctx), jobID); rerr != nil {
		f.r.Log().Warn("job interrupted by the shutdown; its attempt still counts", "job", jobID, "kind", kind, "error", rerr)
		return err
	}
	f.r.Log().Info("job interrupted by the shutdown; queued again, the attempt not counted", "job", jobID, "kind", kind, "state", store.StateQueued)
	return river.JobSnooze(time.Second)
}

// claimed claims the job under the limits and works it with fn.
func (f *fairness) claimed(ctx context.Context, kind, projectID, jobID string, fn func(ctx context.Context) error) error {
	ls := f.store()
	if ls == nil {
		return fn(ctx)
	}
	perProject, global := 0, 0
	if kind == store.JobRender {
		perProject, global = cmpOr(f.limits.RendersPerProject, 1), f.limits.Renders
	}
	claim, err := ls.ClaimJob(ctx, projectID, jobID, kind, perProject, global, f.limits.lease())
	if errors.Is(err, store.ErrNotFound) {
		return nil // the project was deleted meanwhile
	}
	if err != nil {
		return err
	}
	switch claim {
	case store.ClaimFinished:
		f.r.Log().Info("job skipped: it is already finished (done, failed or cancelled)", "job", jobID, "kind", kind)
		return nil
	case store.ClaimHeld:
		f.r.Log().Warn("job handed out again while another worker runs it; it waits for that worker's lease", "job", jobID, "kind", kind)
		return river.JobSnooze(f.limits.lease()/2 + rand.N(500*time.Millisecond))
	case store.ClaimProject, store.ClaimGlobal:
		// Wait a moment, with jitter so waiting jobs do not wake together.
		return river.JobSnooze(500*time.Millisecond + rand.N(500*time.Millisecond))
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	go f.watch(wctx, cancel, ls, jobID, done)
	err = fn(wctx)
	cancel(nil)
	<-done
	cause := context.Cause(wctx)
	if err != nil && !errors.Is(cause, errCancelled) {
		// Cancelled after the watcher's last look (PublishRender refuses
		// to publish a cancelled job, for one).
		if state, herr := ls.Heartbeat(context.WithoutCancel(ctx), jobID); herr == nil && state == store.StateCancelled {
			cause = errCancelled
		}
	}
	switch {
	case errors.Is(cause, errCancelled):
		if kind == store.JobRender {
			dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			if derr := f.r.DiscardRender(dctx, projectID, jobID); derr != nil {
				f.r.Log().Warn("delete cancelled render's files", "job", jobID, "error", derr)
			}
			dcancel()
		}
		f.r.Log().Info("job cancelled", "job", jobID, "kind", kind)
		return river.JobCancel(errCancelled)
	case errors.Is(cause, errLostLease):
		return fmt.Errorf("%w (%v)", errLostLease, err)
	}
	var pe *safego.PanicError
	if errors.As(cause, &pe) && err != nil && !errors.Is(err, pe) && !errors.As(err, new(*river.JobCancelError)) {
		// The Worker did not record the job as failed: it is retried,
		// with the heartbeat's panic as its error.
		return fmt.Errorf("%w (%v)", pe, err)
	}
	return err
}

// watch beats the job's heartbeat every second until ctx ends, cancels
// the job when the store says it is cancelled, and stops it when the
// store has not answered for half the lease (another worker may take it
// over after the lease).
func (f *fairness) watch(ctx context.Context, cancel context.CancelCauseFunc, ls leaseStore, jobID string, done chan<- struct{}) {
	defer close(done)
	ticks, stop := f.watchTicks()
	defer stop()
	lastOK := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		state, err := f.look(ctx, ls, jobID)
		var pe *safego.PanicError
		switch {
		case errors.As(err, &pe):
			// A bug in the heartbeat meets every look again: the job,
			// which nothing would watch, stops with the panic as its
			// cause, which the Worker records as the job's failure
			// naming the stage (context.Cause of the job's context).
			cancel(pe)
			return
		case err == nil && state == store.StateCancelled:
			cancel(errCancelled)
			return
		case err == nil:
			lastOK = time.Now()
		case errors.Is(err, store.ErrNotFound):
			cancel(errCancelled) // the project was deleted
			return
		case time.Since(lastOK) > f.limits.lease()/2:
			cancel(errLostLease)
			return
		}
	}
}

// look beats the job's heartbeat once and reads its state. A panic there
// (a bug) is logged with its stack and returned as a *safego.PanicError
// naming the stage, rather than ending the process or leaving the job
// running unwatched (another worker would take it over after the lease).
func (f *fairness) look(ctx context.Context, ls leaseStore, jobID string) (state string, err error) {
	defer safego.Recover("job's heartbeat", func(e error) {
		err = e
		safego.Log(f.r.Log(), "job's heartbeat panicked", "job", jobID)(e)
	})
	faultpoint.Hit("jobs.heartbeat")
	hctx, hcancel := context.WithTimeout(ctx, 2*time.Second)
	defer hcancel()
	return ls.Heartbeat(hctx, jobID)
}

// rescueOnce is one round of rescueLoop; a panic there (a bug) is its
// error, logged with the stage, and the loop goes on to the next round.
func rescueOnce(ctx context.Context, exec riverdriver.Executor, ls leaseStore, lease time.Duration) (err error) {
	defer safego.Recover("rescue of stale jobs", func(e error) { err = e })
	faultpoint.Hit("jobs.rescue")
	return rescueStale(ctx, exec, ls, lease)
}

// rescueLoop re-queues, every few seconds, running jobs whose heartbeat
// is older than the lease. River's own rescuer does the same after the
// job timeout (30 min); the heartbeat makes it take seconds.
func rescueLoop(ctx context.Context, exec riverdriver.Executor, f *fairness, logger *slog.Logger) {
	ls := f.store()
	if ls == nil || exec == nil {
		return
	}
	lease := f.limits.lease()
	tick := time.NewTicker(max(lease/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := rescueOnce(ctx, exec, ls, lease)
		var pe *safego.PanicError
		switch {
		case errors.As(err, &pe):
			safego.Log(logger, "rescue of stale jobs panicked")(pe)
		case err != nil && ctx.Err() == nil:
			logger.Warn("rescue stale jobs", "error", err)
		}
	}
}

func rescueStale(ctx context.Context, exec riverdriver.Executor, ls leaseStore, lease time.Duration) error {
	// River stamps an attempt's start with the database's now(), and runs
	// a rescued job once its scheduled_at is past by the same clock: on
	// this machine's clock an hour ahead, a dead worker's job was retried
	// an hour late.
	now := ls.Now()
	stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{Max: 200, StuckHorizon: now.Add(-lease)})
	if err != nil || len(stuck) == 0 {
		return err
	}
	byID := map[string]*rivertype.JobRow{}
	var ids []string
	for _, j := range stuck {
		var a struct {
			JobID string `json:"job_id"`
		}
		if json.Unmarshal(j.EncodedArgs, &a) != nil || a.JobID == "" {
			continue
		}
		byID[a.JobID] = j
		ids = append(ids, a.JobID)
	}
	stale, err := ls.StaleJobs(ctx, ids, lease)
	if err != nil || len(stale) == 0 {
		return err
	}
	p := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(-lease)}
	for id := range stale {
		j := byID[id]
		e, _ := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0),
			Error: fmt.Sprintf("worker lost: no heartbeat for %s", lease)})
		p.ID = append(p.ID, j.ID)
		p.Error = append(p.Error, e)
		if j.Attempt >= j.MaxAttempts {
			p.FinalizedAt = append(p.FinalizedAt, &now)
			p.State = append(p.State, string(rivertype.JobStateDiscarded))
		} else {
			p.FinalizedAt = append(p.FinalizedAt, nil)
			p.State = append(p.State, string(rivertype.JobStateAvailable))
		}
		p.ScheduledAt = append(p.ScheduledAt, now)
	}
	_, err = exec.JobRescueMany(ctx, p)
	return err
}

// Cancel cancels a queued or running job of a project: a queued job never
// starts, a running one stops within about a second and publishes
// nothing. It reports false when the job had already ended.
func Cancel(ctx context.Context, meta store.Metadata, projectID, jobID string) (bool, error) {
	ls, ok := meta.(leaseStore)
	if !ok {
		return false, errors.ErrUnsupported
	}
	return ls.CancelJob(ctx, projectID, jobID, "cancelled by the client")
}

// OrphanGrace is how old an unrecorded object must be before the periodic
// sweep deletes it: an upload or a render still writing has that long to
// record what it wrote.
const OrphanGrace = time.Hour

// River priorities (1 is first): a check is a few seconds a client waits
// on before anything else, so it goes ahead of renders wherever both share
// workers.
const (
	PriorityCheck  = 1
	PriorityRender = 2
)
