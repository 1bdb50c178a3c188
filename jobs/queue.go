package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"stemmaster/store"
)

// Queue is the job queue as the server sees it.
type Queue interface {
	// Enqueue inserts a job.
	Enqueue(ctx context.Context, args river.JobArgs) error
	// Start begins working jobs (when the queue was opened with Work).
	Start(ctx context.Context) error
	// Stop waits for running jobs up to ctx's deadline, then cancels them;
	// cancelled jobs are retried on the next start.
	Stop(ctx context.Context) error
	Close() error
}

// QueueOptions configures a River client.
type QueueOptions struct {
	// Work makes the client work jobs; without it the client only inserts
	// (a web front end with separate worker processes).
	Work bool
	// RenderWorkers and CheckWorkers bound the jobs run at once by this
	// process (defaults 1 and 2: a render already uses every core).
	RenderWorkers int
	CheckWorkers  int
	// JobTimeout bounds one attempt of a job (default 30 min).
	JobTimeout time.Duration
	// ExpireEvery is how often expired projects are deleted (default 10 min).
	ExpireEvery time.Duration
	// PollInterval is how often an idle worker looks for new jobs (default
	// 200 ms; SQLite has no LISTEN/NOTIFY).
	PollInterval time.Duration
	Logger       *slog.Logger
	// Limits bound the jobs running at once across processes.
	Limits Limits
	// NoMigrate skips River's migrations (run by `stemmaster migrate`).
	NoMigrate bool
}

type riverQueue[TTx any] struct {
	client *river.Client[TTx]
	close  func() error
	work   bool // an insert-only client is never started
	exec   riverdriver.Executor
	fair   *fairness
	logger *slog.Logger
}

func (q *riverQueue[TTx]) Enqueue(ctx context.Context, args river.JobArgs) error {
	_, err := q.client.Insert(ctx, args, nil)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

func (q *riverQueue[TTx]) Start(ctx context.Context) error {
	if !q.work {
		return nil
	}
	// River derives the jobs' contexts from this one: ending it would
	// cancel running jobs at once. Stop ends them, after their grace.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	go rescueLoop(ctx, q.exec, q.fair, q.logger)
	return nil
}

func (q *riverQueue[TTx]) Stop(ctx context.Context) error {
	if !q.work {
		return nil
	}
	err := q.client.Stop(ctx)
	if ctx.Err() != nil {
		// Running jobs did not finish in time: cancel them. They are
		// queued again without using an attempt (fairness.interrupted):
		// a shutdown is no fault of theirs.
		q.fair.stopping.Store(true)
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return q.client.StopAndCancel(cctx)
	}
	return err
}

func (q *riverQueue[TTx]) Close() error { return q.close() }

// OpenSQLiteQueue opens River on a SQLite file (its own file, beside the
// metadata database), applies River's migrations and builds a client.
//
// Before the client starts, jobs that a previous process left running are
// made available again: with an embedded queue the database file belongs to
// this process alone (the server holds a lock on its data directory), so a
// job still marked running was cut off by a crash or a kill and would
// otherwise wait for River's rescuer (an hour by default).
func OpenSQLiteQueue(ctx context.Context, path string, r Worker, opt QueueOptions) (Queue, error) {
	db, err := sql.Open("sqlite", store.SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	// River's SQLite driver wants a single connection (see riversqlite).
	db.SetMaxOpenConns(1)
	driver := riversqlite.New(db)
	if err := migrateUnless(ctx, driver, opt.NoMigrate); err != nil {
		db.Close()
		return nil, err
	}
	if opt.Work {
		if err := rescueOrphans(ctx, driver.GetExecutor()); err != nil {
			db.Close()
			return nil, err
		}
	}
	fair := &fairness{r: r, limits: opt.Limits}
	client, err := river.NewClient(driver, config(fair, opt))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	q := &riverQueue[*sql.Tx]{client: client, close: db.Close, work: opt.Work,
		exec: driver.GetExecutor(), fair: fair, logger: cfgLogger(opt)}
	fair.queue = q
	return q, nil
}

// OpenPostgresQueue opens River on PostgreSQL (riverpgxv5), applies River's
// migrations and builds a client. Any number of processes may work the same
// queue; River's rescuer retries jobs of a process that died after
// JobTimeout.
func OpenPostgresQueue(ctx context.Context, url string, r Worker, opt QueueOptions) (Queue, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		// The URL carries the password: never print it.
		return nil, fmt.Errorf("jobs: open the PostgreSQL queue: %s", PublicMessage(err.Error()))
	}
	driver := riverpgxv5.New(pool)
	if opt.NoMigrate {
		return newPostgresQueue(ctx, pool, driver, r, opt)
	}
	// River's migrator does not lock: serialise processes that start together.
	lockDB := stdlib.OpenDBFromPool(pool)
	unlock, err := store.AdvisoryLock(ctx, lockDB, "stemmaster-river-migrate")
	if err != nil {
		lockDB.Close()
		pool.Close()
		return nil, fmt.Errorf("jobs: river migrations: %w", err)
	}
	err = migrate(ctx, driver)
	unlock()
	lockDB.Close()
	if err != nil {
		pool.Close()
		return nil, err
	}
	return newPostgresQueue(ctx, pool, driver, r, opt)
}

func newPostgresQueue(_ context.Context, pool *pgxpool.Pool, driver *riverpgxv5.Driver, r Worker, opt QueueOptions) (Queue, error) {
	fair := &fairness{r: r, limits: opt.Limits}
	client, err := river.NewClient(driver, config(fair, opt))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	q := &riverQueue[pgx.Tx]{client: client, close: func() error { pool.Close(); return nil }, work: opt.Work,
		exec: driver.GetExecutor(), fair: fair, logger: cfgLogger(opt)}
	fair.queue = q
	return q, nil
}

func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("jobs: river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: river migrations: %w", err)
	}
	return nil
}

// rescueOrphans makes every job left in the running state available again,
// through the same driver call River's own rescuer uses.
func rescueOrphans(ctx context.Context, exec riverdriver.Executor) error {
	stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{Max: 1000, StuckHorizon: time.Now().Add(time.Second)})
	if err != nil {
		return fmt.Errorf("jobs: find interrupted jobs: %w", err)
	}
	if len(stuck) == 0 {
		return nil
	}
	now := time.Now().UTC()
	p := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(time.Second)}
	for _, j := range stuck {
		e, _ := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0), Error: "interrupted: the server stopped during this job"})
		p.ID = append(p.ID, j.ID)
		p.Error = append(p.Error, e)
		p.FinalizedAt = append(p.FinalizedAt, nil)
		p.ScheduledAt = append(p.ScheduledAt, now)
		p.State = append(p.State, string(rivertype.JobStateAvailable))
	}
	if _, err := exec.JobRescueMany(ctx, p); err != nil {
		return fmt.Errorf("jobs: requeue interrupted jobs: %w", err)
	}
	return nil
}

func config(fair *fairness, opt QueueOptions) *river.Config {
	// An insert by this client wakes its own producers at once (River
	// triggers the fetch in process when the driver has no listener, as
	// with SQLite; PostgreSQL workers hear LISTEN/NOTIFY). The cooldown
	// only spaces fetches; kept short so a render queued just after a
	// check is fetched without waiting for it.
	cfg := &river.Config{
		JobTimeout:        cmpOr(opt.JobTimeout, 30*time.Minute),
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: cmpOr(opt.PollInterval, 200*time.Millisecond),
		Logger:            opt.Logger,
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if !opt.Work {
		return cfg
	}
	cfg.RetryPolicy = storeClockRetry{now: fair.r.Store().Now}
	cfg.Test.Time = storeClockTime{now: fair.r.Store().Now}
	workers := river.NewWorkers()
	river.AddWorker(workers, &fairWorker[CheckArgs]{kind: store.JobCheck, fair: fair, work: fair.r.Check})
	river.AddWorker(workers, &fairWorker[RenderArgs]{kind: store.JobRender, fair: fair, work: fair.r.Render})
	river.AddWorker(workers, &expireWorker{r: fair.r, fair: fair})
	cfg.Workers = workers
	cfg.Queues = map[string]river.QueueConfig{
		QueueRender:      {MaxWorkers: cmpOr(opt.RenderWorkers, 1)},
		QueueCheck:       {MaxWorkers: cmpOr(opt.CheckWorkers, 2)},
		QueueMaintenance: {MaxWorkers: 1},
	}
	cfg.PeriodicJobs = []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(cmpOr(opt.ExpireEvery, 10*time.Minute)),
			func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
	return cfg
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// projectJob is the arguments of a job recorded on a project.
type projectJob interface {
	river.JobArgs
	ids() (projectID, jobID string)
}

func (a CheckArgs) ids() (string, string)  { return a.ProjectID, a.JobID }
func (a RenderArgs) ids() (string, string) { return a.ProjectID, a.JobID }

// fairWorker hands a project's job of one kind to work under the fairness
// limits.
type fairWorker[T projectJob] struct {
	river.WorkerDefaults[T]
	kind string
	fair *fairness
	work func(ctx context.Context, args T, attempt, maxAttempts int) error
}

func (w *fairWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	projectID, jobID := job.Args.ids()
	return w.fair.run(ctx, w.kind, projectID, jobID, func(ctx context.Context) error {
		return w.work(ctx, job.Args, job.Attempt, job.MaxAttempts)
	})
}

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	r    Worker
	fair *fairness
}

func (w *expireWorker) Work(ctx context.Context, job *river.Job[ExpireArgs]) error {
	n, err := w.r.Expire(ctx, ExpiryTime(ctx, w.r.Store(), time.Now(), w.r.Log()))
	if n > 0 {
		w.r.Log().Info("expired projects deleted", "count", n)
	}
	// Renders a crash left waiting for deletion, then whatever no record
	// owns (on S3 as on disk).
	w.r.Sweep(ctx)
	if w.fair.queue != nil {
		if qerr := Requeue(ctx, w.r.Store(), w.fair.queue); qerr != nil {
			w.r.Log().Warn("queue unfinished jobs again", "error", qerr)
		}
	}
	if n, oerr := w.r.CleanOrphans(ctx, OrphanGrace); oerr != nil {
		w.r.Log().Warn("orphaned blobs", "error", oerr)
	} else if n > 0 {
		w.r.Log().Info("orphaned blobs removed", "count", n)
	}
	return err
}

// ExpiryTime is the time retention is counted at: the earlier of now (this
// machine's clock) and the database's, the one clock every machine
// shares. A worker whose clock runs ahead (no NTP, a VM resumed from a
// month-old snapshot) would otherwise delete live projects and their
// delivered masters early, every one of them if it is far enough ahead.
func ExpiryTime(ctx context.Context, meta store.Metadata, now time.Time, log *slog.Logger) time.Time {
	db, err := meta.Clock(ctx)
	if err != nil || !db.Before(now) {
		return now // the database out of reach: expiry fails there anyway
	}
	if ahead := now.Sub(db); ahead > time.Minute {
		log.Warn("this machine's clock is ahead of the database's; projects expire by the database's", "ahead", ahead.Round(time.Second).String())
	}
	return db
}

// Requeue inserts every job the store lists as unfinished in the queue
// again. River keeps one job per job id, so a job still queued or running
// is not doubled; a job whose insert was lost (the database went away
// between recording the job and queuing it, or a crash came between) is
// queued at last, rather than answering "queued" until a restart. Run at
// startup and with the periodic maintenance.
func Requeue(ctx context.Context, meta store.Metadata, q Queue) error {
	unfinished, err := meta.UnfinishedJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range unfinished {
		var args river.JobArgs = CheckArgs{ProjectID: j.ProjectID, JobID: j.ID}
		if j.Kind == store.JobRender {
			args = RenderArgs{ProjectID: j.ProjectID, JobID: j.ID, Confirmed: j.Confirmed, Note: j.Note}
		}
		if err := q.Enqueue(ctx, args); err != nil {
			return err
		}
	}
	return nil
}

func cfgLogger(opt QueueOptions) *slog.Logger {
	if opt.Logger != nil {
		return opt.Logger
	}
	return slog.New(slog.DiscardHandler)
}
