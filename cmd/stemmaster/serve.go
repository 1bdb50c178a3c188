package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/analysis"
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
	unlock  func()
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
}

// openService opens the store and the queue. With work set the queue works
// jobs in this process. An embedded (SQLite) service locks the data
// directory, so two servers never share it.
func openService(ctx context.Context, o serviceOptions, work bool, logger *slog.Logger) (*process, error) {
	postgres := strings.HasPrefix(o.db, "postgres://") || strings.HasPrefix(o.db, "postgresql://")
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
	dbURL := o.db
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(o.data, "stemmaster.sqlite")
	}
	var err error
	openSQL := store.OpenSQL
	if o.ops.noMigrate {
		openSQL = store.OpenSQLNoMigrate
	}
	if s.meta, err = openSQL(ctx, dbURL); err != nil {
		s.Close()
		return nil, inputError(store.RedactURLError(err))
	}
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
		ReadInPlace: !o.ops.copyInputs, Signal: &service.JobSignal{},
		Disk: &service.Disk{FreeBytes: func() (uint64, error) { return server.DiskFree(s.tmp) }, MinFreeBytes: cmp.Or(o.minFreeBytes, server.DefaultMinFreeBytes)}}
	// River reports its routine at Info level; keep its warnings only.
	riverLogger := logger
	if logger.Enabled(ctx, slog.LevelInfo) {
		riverLogger = slog.New(&minLevel{Handler: logger.Handler(), min: slog.LevelWarn})
	}
	qopt := jobs.QueueOptions{Work: work, RenderWorkers: o.renderWorkers, JobTimeout: o.jobTimeout, Logger: riverLogger, NoMigrate: o.ops.noMigrate, Limits: o.ops.limits}
	if postgres {
		s.queue, err = jobs.OpenPostgresQueue(ctx, o.db, s.runner, qopt)
	} else {
		s.queue, err = jobs.OpenSQLiteQueue(ctx, filepath.Join(o.data, "river.sqlite"), s.runner, qopt)
	}
	if err != nil {
		s.Close()
		return nil, inputError(err)
	}
	return s, nil
}

func loadPrices(path string) (analysis.PriceList, error) {
	if path == "" {
		return analysis.DefaultPriceList, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return analysis.PriceList{}, err
	}
	prices := analysis.DefaultPriceList
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&prices); err != nil {
		return analysis.PriceList{}, fmt.Errorf("%s: %w", path, err)
	}
	return prices, nil
}

func newServeCmd() *cobra.Command {
	var o serviceOptions
	var addr string
	var retention time.Duration
	var maxFileMB, maxTotalMB int64
	var maxFiles int
	var noWork bool
	var abuse abuseFlags
	cmd := newCommand("serve", cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
		if noWork && !strings.HasPrefix(o.db, "postgres") {
			return usageError(errors.New("--no-work needs --db postgres://…: separate workers share the queue through PostgreSQL"))
		}
		prices, err := loadPrices(o.prices)
		if err != nil {
			return usageError(err)
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		logger, err := o.logger(cmd.ErrOrStderr())
		if err != nil {
			return usageError(err)
		}
		o.minFreeBytes = abuse.minFreeMB << 20
		svc, err := openService(ctx, o, !noWork, logger)
		if err != nil {
			return err
		}
		defer svc.Close()
		// A crash may have left jobs unqueued, replaced renders
		// unswept and blobs orphaned. An embedded service owns its
		// data alone; with PostgreSQL other processes may be writing,
		// so only what is an hour old counts as orphaned.
		orphanAge := time.Nanosecond
		if strings.HasPrefix(o.db, "postgres") {
			orphanAge = time.Hour
		}
		// References kept as blobs by earlier versions become rows, within
		// the limits an upload meets; a failure costs only their listing
		// until the next start, so the service starts anyway.
		refLim := service.ReferenceLimits{MaxReferences: server.MaxReferences, MaxTotalBytes: maxTotalMB << 20}
		if n, err := svc.runner.AdoptLegacyReferences(ctx, refLim); err != nil {
			logger.Warn("adopting legacy references", "error", err)
		} else if n > 0 {
			logger.Info("legacy references adopted", "count", n)
		}
		if err := svc.runner.Resume(ctx, svc.queue, orphanAge); err != nil {
			return inputError(fmt.Errorf("resume after restart: %s", jobs.PublicMessage(err.Error())))
		}
		srv := server.New(server.Config{
			Meta: svc.meta, Blobs: svc.blobs, Queue: svc.queue,
			Quote: service.PriceQuoter(prices), Demo: demoStems, TempDir: svc.tmp, Retention: retention, Logger: logger,
			Limits:  server.Limits{MaxFileBytes: maxFileMB << 20, MaxTotalBytes: maxTotalMB << 20, MaxFiles: maxFiles},
			Presets: presetNames(),

			CreatesPerMinute: abuse.createsPerMinute, MaxProjects: abuse.maxProjects, MinFreeBytes: abuse.minFreeMB << 20,
			FreeBytes:         func() (uint64, error) { return server.DiskFree(svc.tmp) },
			Disk:              svc.runner.Disk,
			TrustForwardedFor: abuse.trustProxy,
			JobChanged:        svc.runner.Signal.Changed,
		})
		h, err := opsHandler(ctx, &o.ops, svc, srv, srv.Route, logger)
		if err != nil {
			return err
		}
		if err := serveInternalOps(ctx, &o.ops, svc, false, cmd.ErrOrStderr(), logger); err != nil {
			return err
		}
		return serve(ctx, addr, h, svc.queue, cmd.ErrOrStderr(), abuse, o.stopWait)
	})
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&addr, "addr", ":8080", "address to listen on")
	f.DurationVar(&retention, "retention", 7*24*time.Hour, "projects and their files are deleted this long after creation")
	f.Int64Var(&maxFileMB, "max-file-mb", 1024, "largest upload, in MiB")
	f.Int64Var(&maxTotalMB, "max-total-mb", 8192, "largest total of a project's files, in MiB")
	f.IntVar(&maxFiles, "max-files", 16, "most files (stems and mix) in a project")
	f.BoolVar(&noWork, "no-work", false, "do not work jobs in this process (PostgreSQL only; run `stemmaster worker`)")
	abuse.addFlags(cmd)
	return cmd
}

// abuseFlags bound what anonymous clients can take of the service.
type abuseFlags struct {
	createsPerMinute int
	maxProjects      int
	minFreeMB        int64
	connsPerClient   int
	trustProxy       bool
}

func (a *abuseFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&a.createsPerMinute, "creates-per-minute", server.DefaultCreatesPerMinute, "projects one client address may create a minute (429 beyond)")
	f.IntVar(&a.maxProjects, "max-projects", server.DefaultMaxProjects, "live projects at most (507 beyond; -1: no cap)")
	f.Int64Var(&a.minFreeMB, "min-free-mb", server.DefaultMinFreeBytes>>20, "free disk, in MiB, below which new projects and uploads are refused (507) and renders that would go under it fail (-1: no check)")
	f.IntVar(&a.connsPerClient, "conns-per-client", server.DefaultConnsPerClient, "connections one client address may hold open")
	f.BoolVar(&a.trustProxy, "trust-proxy", false, "count clients by X-Forwarded-For (only behind a proxy that sets it)")
}

func presetNames() []string {
	names := make([]string, len(stemmaster.TargetPresets))
	for i, t := range stemmaster.TargetPresets {
		names[i] = t.Preset
	}
	return names
}

// serve listens, starts the queue and serves until ctx ends; then it stops
// taking requests, lets running jobs finish for a while and cancels the
// rest (River retries them on the next start).
func serve(ctx context.Context, addr string, h http.Handler, q jobs.Queue, stderr io.Writer, abuse abuseFlags, stopWait time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputError(err)
	}
	perClient := abuse.connsPerClient
	if abuse.trustProxy {
		perClient = 0 // every connection comes from the proxy
	}
	ln = server.LimitListener(ln, perClient, server.DefaultMaxConnsTotal)
	if err := q.Start(ctx); err != nil {
		ln.Close()
		return inputError(err)
	}
	hs := server.NewHTTPServer(h)
	url := "http://" + ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		url = fmt.Sprintf("http://localhost:%d", tcp.Port)
	}
	fmt.Fprintf(stderr, "stemmaster: serving on %s\n", url)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return inputError(err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "stemmaster: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	return stopQueue(q, stopWait)
}

// stopQueue lets running jobs finish for stopWait, then cancels them; they
// are queued again without using an attempt.
func stopQueue(q jobs.Queue, stopWait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopWait)
	defer cancel()
	return q.Stop(ctx)
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
