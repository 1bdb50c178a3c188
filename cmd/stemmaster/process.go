package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"stemmaster/internal/atomicfile"
	"stemmaster/jobs"
	"stemmaster/ops"
	"stemmaster/server"
	"stemmaster/service"
	"stemmaster/store"
)

// serviceOptions are the flags serve and worker share.
type serviceOptions struct {
	data          string
	db            string
	blobs         string
	renderWorkers int
	jobTimeout    time.Duration
	stopWait      time.Duration
	keepRevisions int
	prices        string
	logFormat     string
	logLevel      string
	ops           opsOptions
	// minFreeBytes is the watermark renders reserve their scratch against
	// (serve's --min-free-mb); 0: server.DefaultMinFreeBytes.
	minFreeBytes int64
}

// logger builds the operator's structured log (log/slog) on stderr: one
// line per request and per job state change, with request and job ids.
func (o *serviceOptions) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	opt := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opt)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opt)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", o.logFormat)
}

// signalled opens what serve and worker run under: the operator's log
// and a context that ends at SIGINT, SIGTERM or SIGHUP (stopSignals).
// The caller defers stop.
func (o *serviceOptions) signalled(cmd *cobra.Command) (ctx context.Context, stop context.CancelFunc, logger *slog.Logger, err error) {
	logger, err = o.logger(cmd.ErrOrStderr())
	if err != nil {
		return nil, nil, nil, usageError(err)
	}
	ctx, stop = interruptible(cmd.Context())
	return ctx, stop, logger, nil
}

func (o *serviceOptions) addFlags(cmd *cobra.Command) {
	o.ops.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "./stemmaster-data", "directory for the embedded database, files and temporary work")
	f.StringVar(&o.db, "db", "", "metadata and queue database: sqlite:PATH or postgres://… (default: SQLite in --data)")
	f.StringVar(&o.blobs, "blobs", "", "blob store: a directory, file:///srv/blobs, or s3://bucket?region=…[&endpoint=https://…&use_path_style=true] with credentials from the AWS_* variables (default: --data/blobs)")
	f.IntVar(&o.renderWorkers, "render-workers", 1, "renders run at once by this process (each already uses every core)")
	f.DurationVar(&o.jobTimeout, "job-timeout", 30*time.Minute, "longest time one attempt of a job may take")
	f.DurationVar(&o.stopWait, "stop-wait", 20*time.Second, "on SIGTERM, how long running jobs may finish; then they are cancelled and queued again without using an attempt")
	f.IntVar(&o.keepRevisions, "keep-revisions", service.DefaultKeepRevisions, "published renders a project keeps with their files (the current one included)")
	f.StringVar(&o.prices, "prices", "", "price list for quotes (JSON with the fields of analysis.PriceList; default: the built-in list)")
	f.StringVar(&o.logFormat, "log-format", "text", "operator log on stderr: text or json")
	f.StringVar(&o.logLevel, "log-level", "info", "least level logged: debug, info, warn or error")
}

// process is the store, queue, runner and metrics of one process.
type process struct {
	meta    *store.SQL
	blobs   *store.Blobs
	queue   jobs.Queue
	runner  *service.Runner
	metrics *ops.Metrics
	tmp     string
	spool   string // this process's own directory under tmp for uploads being spooled
	unlock  func()

	releaseSpool func()
}

func (s *process) Close() {
	if s.queue != nil {
		s.queue.Close()
	}
	if s.blobs != nil {
		s.blobs.Close()
	}
	if s.meta != nil {
		s.meta.Close()
	}
	if s.unlock != nil {
		s.unlock()
	}
	if s.releaseSpool != nil {
		s.releaseSpool()
	}
}

// openService opens the store and the queue. With work set the queue works
// jobs in this process. An embedded (SQLite) service locks the data
// directory, so two servers never share it.
func openService(ctx context.Context, o serviceOptions, work bool, logger *slog.Logger) (*process, error) {
	postgres := isPostgres(o.db)
	if err := os.MkdirAll(o.data, 0o755); err != nil {
		return nil, inputError(err)
	}
	s := &process{tmp: filepath.Join(o.data, "tmp")}
	if !postgres {
		unlock, err := lockDir(o.data)
		if err != nil {
			return nil, inputError(err)
		}
		s.unlock = unlock
		// Uploads being spooled and work directories of jobs cut off by a
		// crash: their jobs start again from the blob store.
		os.RemoveAll(s.tmp)
	} else {
		// Another process may share --data: only what is older than the
		// longest a job may run was left by a crash.
		removeOlder(s.tmp, o.jobTimeout+time.Minute)
	}
	if err := os.MkdirAll(s.tmp, 0o755); err != nil {
		s.Close()
		return nil, inputError(err)
	}
	spool, release, err := spoolDir(s.tmp)
	if err != nil {
		s.Close()
		return nil, inputError(err)
	}
	s.spool, s.releaseSpool = spool, release
	dbURL := o.db
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(o.data, "stemmaster.sqlite")
	}
	openSQL := store.OpenSQL
	if o.ops.noMigrate {
		openSQL = store.OpenSQLNoMigrate
	}
	if s.meta, err = openSQL(ctx, dbURL); err != nil {
		s.Close()
		return nil, inputError(store.RedactURLError(err))
	}
	s.meta.SetLogger(logger)
	blobURL := o.blobs
	if blobURL == "" {
		blobURL = filepath.Join(o.data, "blobs")
	}
	if s.blobs, err = store.OpenBlobs(ctx, blobURL); err != nil {
		s.Close()
		return nil, inputError(err)
	}
	s.metrics = ops.NewMetrics()
	s.runner = &service.Runner{Meta: s.meta, Blobs: s.blobs,
		Renderer: ops.TimedRenderer{Renderer: service.EngineRenderer{}, M: s.metrics},
		Checker:  ops.TimedChecker{Checker: service.StemChecker{}, M: s.metrics},
		WorkDir:  s.tmp, Logger: logger, KeepRevisions: o.keepRevisions,
		ReadInPlace: !o.ops.copyInputs,
		Disk:        &service.Disk{FreeBytes: func() (uint64, error) { return server.DiskFree(s.tmp) }, MinFreeBytes: cmp.Or(o.minFreeBytes, server.DefaultMinFreeBytes)}}
	// River reports its routine at Info level; keep its warnings only.
	riverLogger := logger
	if logger.Enabled(ctx, slog.LevelInfo) {
		riverLogger = slog.New(&minLevel{Handler: logger.Handler(), min: slog.LevelWarn})
	}
	// The queue's worker counts how each attempt ended (not only its
	// engine: an upload or publication may still fail it).
	worker := ops.CountedWorker{Worker: s.runner, M: s.metrics}
	qopt := jobs.QueueOptions{Work: work, RenderWorkers: o.renderWorkers, JobTimeout: o.jobTimeout, Logger: riverLogger, NoMigrate: o.ops.noMigrate, Limits: o.ops.limits}
	if postgres {
		s.queue, err = jobs.OpenPostgresQueue(ctx, o.db, worker, qopt)
	} else {
		s.queue, err = jobs.OpenSQLiteQueue(ctx, filepath.Join(o.data, "river.sqlite"), worker, qopt)
	}
	if err != nil {
		s.Close()
		return nil, inputError(err)
	}
	return s, nil
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h *minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// removeOlder removes the entries of dir last modified longer than age ago.
func removeOlder(dir string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > age {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// spoolDir makes this process's directory for the uploads it spools,
// under tmp, held by a lock for as long as the process lives, and removes
// the spool directories of processes that died (kill -9, a crash): their
// uploads died with them and the clients send them again. A front end
// that systemd restarts two seconds after a crash frees their disk at
// once; the age rule of openService would keep them for half an hour, and
// a front end that is not restarted (another shares --data) for good.
// Where a lock is not seen by a second holder (no flock), no dead
// process's directory can be told from a live one's: they are left to the
// age rule.
func spoolDir(tmp string) (dir string, release func(), err error) {
	dir, err = os.MkdirTemp(tmp, "spool-")
	if err != nil {
		return "", nil, err
	}
	unlock, err := atomicfile.LockDir(dir)
	if err != nil {
		os.Remove(dir)
		return "", nil, err
	}
	release = func() {
		os.RemoveAll(dir)
		unlock()
	}
	if again, err := atomicfile.LockDir(dir); err == nil {
		again()
		return dir, release, nil
	}
	others, _ := filepath.Glob(filepath.Join(tmp, "spool-*"))
	for _, d := range others {
		if d == dir {
			continue
		}
		if unlockDead, err := atomicfile.LockDir(d); err == nil {
			os.RemoveAll(d)
			unlockDead()
		}
	}
	return dir, release, nil
}

// stopQueue lets running jobs finish for stopWait, then cancels them; they
// are queued again without using an attempt.
func stopQueue(q jobs.Queue, stopWait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopWait)
	defer cancel()
	return q.Stop(ctx)
}

// lockDir holds the data directory for one server at a time, so that a
// second cannot open the same embedded database: the embedded queue
// treats every job it finds running at start as cut off by a crash.
func lockDir(dir string) (func(), error) {
	unlock, err := atomicfile.LockDir(dir)
	if errors.Is(err, atomicfile.ErrLocked) {
		return nil, fmt.Errorf("%s is in use by another stemmaster server", dir)
	}
	return unlock, err
}
