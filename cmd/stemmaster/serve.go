package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/jobs"
	"stemmaster/server"
	"stemmaster/service"
)

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
		if noWork && !isPostgres(o.db) {
			return usageError(errors.New("--no-work needs --db postgres://…: separate workers share the queue through PostgreSQL"))
		}
		if err := errors.Join(o.check(), serveLimits{retention, maxFileMB, maxTotalMB, maxFiles, abuse}.check()); err != nil {
			return usageError(err)
		}
		prices, err := loadPrices(o.prices)
		if err != nil {
			return usageError(err)
		}
		ctx, stop, logger, err := o.signalled(cmd)
		if err != nil {
			return err
		}
		defer stop()
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
		if isPostgres(o.db) {
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
			Quote: service.PriceQuoter(prices), Demo: demoStems, TempDir: svc.spool, Retention: retention, Logger: logger,
			Limits:  server.Limits{MaxFileBytes: maxFileMB << 20, MaxTotalBytes: maxTotalMB << 20, MaxFiles: maxFiles, MaxOutputBytes: abuse.maxOutputMB << 20, MaxClientBytes: clientMB(abuse.maxClientMB)},
			Presets: presetNames(),

			CreatesPerMinute: abuse.createsPerMinute, MaxProjects: abuse.maxProjects, ProjectsPerClient: abuse.projectsPerClient, MinFreeBytes: abuse.minFreeMB << 20,
			FreeBytes:         func() (uint64, error) { return server.DiskFree(svc.tmp) },
			Disk:              svc.runner.Disk,
			TrustForwardedFor: abuse.trustProxy,

			ActiveJobsPerProject: abuse.jobsPerProject, ActiveJobsPerClient: abuse.jobsPerClient, ClientsPerAddress: abuse.clientsPerAddress,
			SuggestFrames: int64(abuse.suggestBudgetS) * 48000,
			RenderWork:    float64(abuse.renderWork),
			RenderMemory:  renderMemory(abuse.renderMemoryMB),
		})
		defer srv.Close()
		h, err := opsHandler(ctx, &o.ops, svc, srv, srv.Route, logger)
		if err != nil {
			return err
		}
		if err := serveInternalOps(ctx, &o.ops, svc, false, cmd.ErrOrStderr(), logger); err != nil {
			return err
		}
		return serve(ctx, addr, h, srv.EndStreams, svc.queue, cmd.ErrOrStderr(), abuse, o.stopWait)
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
	// live projects one client address may hold
	projectsPerClient int
	// what one render may store, in MiB (0: server.Limits' default)
	maxOutputMB int64
	// what the projects of one address store together, in MiB (0:
	// server.Limits' default; -1: no bound)
	maxClientMB    int64
	minFreeMB      int64
	connsPerClient int
	// clientsPerAddress scales every per-address bound (server.Config.ClientsPerAddress)
	clientsPerAddress int
	trustProxy        bool
	// checks and renders queued or running per project and per client
	jobsPerProject, jobsPerClient int
	suggestBudgetS                int   // track-seconds at 48 kHz one suggestion analyses
	renderWork                    int   // stem-minutes at 48 kHz one render may take (service.RenderWork)
	renderMemoryMB                int64 // MiB one render may take (service.RenderWork.MemoryBytes); -1: no bound
}

// renderMemory is --render-memory-mb in bytes (-1: no bound).
func renderMemory(mb int64) int64 {
	if mb < 0 {
		return -1
	}
	return mb << 20
}

func (a *abuseFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&a.createsPerMinute, "creates-per-minute", server.DefaultCreatesPerMinute, "projects one client address may create a minute (429 beyond)")
	f.Int64Var(&a.maxOutputMB, "max-output-mb", 0, "what one render may store (deliverables, preview, report), in MiB; 0: twice --max-total-mb, at least 256 (413 beyond)")
	f.Int64Var(&a.maxClientMB, "max-client-mb", 0, "what the projects one client address created may store together (uploads with their previews, references, every kept render's outputs), in MiB, its IPv4 /24 four times as much and its IPv6 /48 sixteen; 0: four times --max-total-mb (413 storage_full beyond; -1: no bound)")
	f.IntVar(&a.projectsPerClient, "projects-per-client", server.DefaultProjectsPerClient, "live projects one client address may hold, an IPv6 /48 sixteen times as many, an IPv4 /24 four times (429 beyond; -1: no cap)")
	f.IntVar(&a.maxProjects, "max-projects", server.DefaultMaxProjects, "live projects at most (507 beyond; -1: no cap)")
	f.Int64Var(&a.minFreeMB, "min-free-mb", server.DefaultMinFreeBytes>>20, "free disk, in MiB, below which new projects and uploads are refused (507) and renders that would go under it are put off to a later attempt (-1: no check)")
	f.IntVar(&a.connsPerClient, "conns-per-client", server.DefaultConnsPerClient, "connections one client address may hold open (an IPv6 client counts as its /64, and its /48 may hold 16 times as many)")
	f.IntVar(&a.jobsPerProject, "jobs-per-project", server.DefaultActiveJobsPerProject, "checks and renders one project may have queued or running (429 beyond; -1: no cap)")
	f.IntVar(&a.jobsPerClient, "jobs-per-client", server.DefaultActiveJobsPerClient, "checks and renders one client address may have queued or running over every project (429 beyond; -1: no cap)")
	f.IntVar(&a.suggestBudgetS, "suggest-budget-s", server.DefaultSuggestFrames/48000, "track-seconds (at 48 kHz) one suggestion analyses, about 1.6 MB each; longer songs get a centred excerpt")
	f.IntVar(&a.renderWork, "render-work", service.DefaultRenderWork, fmt.Sprintf("the estimated work one render may take, in stem-minutes at 48 kHz: the song's minutes × its rate / 48 kHz × (its stems + %d for each version's master); the default takes a 10-minute song at 192 kHz with 16 stems and all four versions (422 over_budget beyond; -1: no budget)", service.BusWork))
	f.Int64Var(&a.renderMemoryMB, "render-memory-mb", service.DefaultRenderMemory>>20, fmt.Sprintf("the memory one render may take, in MiB: %d bytes a frame of the song at its highest stem rate (the master is held whole), %d MiB for each file it reads and %d MiB beside, whatever its versions; the default takes a 20-minute song at 192 kHz with 16 stems (422 over_budget beyond; -1: no bound). A worker needs --render-workers times this", service.RenderBusBytes, service.RenderInputBytes>>20, service.RenderBaseBytes>>20))
	f.IntVar(&a.clientsPerAddress, "clients-per-address", 1, "how many clients one address may stand for (an office, a school, a carrier's NAT): --creates-per-minute, --jobs-per-client, --conns-per-client and the per-address bounds on requests in flight and measurements are this many times as large, while each project keeps one client's share")
	f.BoolVar(&a.trustProxy, "trust-proxy", false, "count clients by the last X-Forwarded-For hop, the one the proxy adds (only behind a proxy that adds it)")
}

func presetNames() []string {
	names := make([]string, len(stemmaster.TargetPresets))
	for i, t := range stemmaster.TargetPresets {
		names[i] = t.Preset
	}
	return names
}

// serve listens, starts the queue and serves until ctx ends; then it stops
// taking requests (endStreams ends the long-lived ones, which are never
// idle), lets running jobs finish for a while and cancels the rest (River
// retries them on the next start).
func serve(ctx context.Context, addr string, h http.Handler, endStreams func(), q jobs.Queue, stderr io.Writer, abuse abuseFlags, stopWait time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputError(err)
	}
	return serveOn(ctx, ln, h, endStreams, q, stderr, abuse, stopWait)
}

// serveOn is serve on a listener of its own.
func serveOn(ctx context.Context, ln net.Listener, h http.Handler, endStreams func(), q jobs.Queue, stderr io.Writer, abuse abuseFlags, stopWait time.Duration) error {
	perClient := abuse.connsPerClient * abuse.clientsPerAddress
	if abuse.trustProxy {
		perClient = 0 // every connection comes from the proxy
	}
	ln = server.LimitListener(ln, perClient, server.DefaultMaxConnsTotal)
	if err := q.Start(ctx); err != nil {
		ln.Close()
		return inputError(err)
	}
	hs := server.NewHTTPServer(h)
	hs.RegisterOnShutdown(endStreams)
	url := "http://" + ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		url = fmt.Sprintf("http://localhost:%d", tcp.Port)
	}
	fmt.Fprintf(stderr, "stemmaster: serving on %s\n", url)
	errc := make(chan error, 1)
	go func() {
		// A panic serving (a bug in the listener's accepting; net/http
		// recovers a handler's) stops the server as the end of ctx
		// would, the running jobs given their time, rather than ending
		// the process with them; the command then exits 1 with the stage
		// and its stack.
		defer safego.Recover("HTTP server", func(err error) { errc <- err })
		faultpoint.Hit("serve.http")
		errc <- hs.Serve(ln)
	}()
	// Serve ending by itself (a panic, or an error accepting: the
	// listener's descriptor gone) stops the server as the end of ctx
	// would: the queue is stopped, its running jobs given their time,
	// rather than left running in a process about to exit.
	var served error
	select {
	case served = <-errc:
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "stemmaster: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	if served != nil {
		ln.Close() // Serve may have ended before it took the listener
		return inputError(errors.Join(served, stopQueue(q, stopWait)))
	}
	return stopQueue(q, stopWait)
}

// clientMB is --max-client-mb as server.Limits.MaxClientBytes: 0 the
// server's default, -1 no bound.
func clientMB(n int64) int64 {
	if n < 0 {
		return -1
	}
	return n << 20
}
