package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/jobs"
	"stemmaster/ops"
)

// opsOptions are the operations flags serve and worker share.
type opsOptions struct {
	noMigrate    bool
	adminToken   string
	metricsAddr  string
	metricsToken string
	metricsOpen  bool
	limits       jobs.Limits
	copyInputs   bool
	noAdmin      bool // River's UI is served elsewhere
}

func (o *opsOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.noMigrate, "no-migrate", false, "do not apply database migrations at start (run 'stemmaster migrate' first); fail if the schema is older than this binary")
	f.StringVar(&o.adminToken, "admin-token", "", "token that opens River's job UI at /admin/jobs, at least 16 characters (bearer token or basic-auth password; default $STEMMASTER_ADMIN_TOKEN; none: no UI)")
	f.IntVar(&o.limits.RendersPerProject, "renders-per-project", 1, "renders of one project running at once, across all processes")
	f.IntVar(&o.limits.Renders, "max-renders", 0, "renders running at once in the whole deployment, across all processes (0: no limit beyond each process's --render-workers)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "", "internal address serving /healthz, /readyz, /metrics (and /admin/jobs with --admin-token), such as 127.0.0.1:9091; serve then leaves /metrics off its public address")
	f.StringVar(&o.metricsToken, "metrics-token", "", "token required to read /metrics, at least 16 characters (bearer token or basic-auth password; default $STEMMASTER_METRICS_TOKEN; none: /metrics answers only this host on serve's address, anyone on --metrics-addr)")
	f.BoolVar(&o.metricsOpen, "metrics-open", false, "without a metrics token, let anyone who reaches serve's address read /metrics (default: only this host, by a loopback address, unproxied)")
	f.BoolVar(&o.copyInputs, "copy-inputs", false, "copy each stem to the local work directory before a render instead of reading it in place from the blob store by ranged reads")
	f.DurationVar(&o.limits.Lease, "job-lease", 30*time.Second, "a running job whose worker has not reported for this long is given to another worker")
}

func (o *opsOptions) token() string {
	if o.adminToken != "" {
		return o.adminToken
	}
	return os.Getenv("STEMMASTER_ADMIN_TOKEN")
}

func (o *opsOptions) metricsTok() string {
	if o.metricsToken != "" {
		return o.metricsToken
	}
	return os.Getenv("STEMMASTER_METRICS_TOKEN")
}

// adminPrefix is where River's UI is mounted.
const adminPrefix = "/admin/jobs"

// opsHandler wraps app (nil for a worker) with the probes, the metrics
// and, given an admin token, River's UI, which runs until ctx ends. With
// --metrics-addr, app's handler leaves /metrics to the internal address
// (serveOps with opsHandler's handler for a nil app).
func opsHandler(ctx context.Context, o *opsOptions, svc *process, app http.Handler, route func(*http.Request) string, logger *slog.Logger) (http.Handler, error) {
	cfg := ops.Config{
		App:          app,
		Route:        route,
		Metrics:      svc.metrics,
		Stats:        svc.meta.Stats,
		MetricsToken: o.metricsTok(),
		// --metrics-addr is an internal address the operator chose.
		MetricsOpen: o.metricsOpen || app == nil,
		Ready: []ops.Check{
			{Name: "database", Fn: svc.meta.Ping},
			{Name: "blobs", Fn: svc.blobs.Ready},
		},
	}
	if app != nil && o.metricsAddr != "" {
		// The internal handler collects the store's figures.
		cfg.NoMetrics, cfg.Stats = true, nil
	}
	if tok := o.token(); tok != "" && !o.noAdmin {
		ui, err := jobs.NewAdminUI(svc.queue, adminPrefix, logger)
		if err != nil {
			return nil, inputError(err)
		}
		goLogged(logger, "admin UI", "ops.admin", func() {
			if err := ui.Start(ctx); err != nil && ctx.Err() == nil {
				logger.Error("admin UI", "error", err)
			}
		})
		cfg.Admin, cfg.AdminPrefix, cfg.AdminToken = ui, adminPrefix, tok
	}
	return ops.Handler(cfg), nil
}

// serveInternalOps serves the probes, the metrics and, for a worker
// (which has no other address), the admin UI on --metrics-addr, when
// given, until ctx ends.
func serveInternalOps(ctx context.Context, o *opsOptions, svc *process, admin bool, stderr io.Writer, logger *slog.Logger) error {
	if o.metricsAddr == "" {
		return nil
	}
	internal := *o
	internal.noAdmin = !admin
	h, err := opsHandler(ctx, &internal, svc, nil, nil, logger)
	if err != nil {
		return err
	}
	return serveOps(ctx, o.metricsAddr, h, stderr, logger)
}

// serveOps serves h on addr until ctx ends (the probes and metrics on
// --metrics-addr).
func serveOps(ctx context.Context, addr string, h http.Handler, stderr io.Writer, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputError(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "stemmaster: metrics on http://%s/metrics\n", strings.Replace(ln.Addr().String(), "[::]", "localhost", 1))
	goLogged(logger, "metrics listener", "ops.serve", func() {
		if err := hs.Serve(ln); err != http.ErrServerClosed {
			logger.Error("metrics listener", "error", err)
		}
	})
	goLogged(logger, "metrics listener's shutdown", "ops.shutdown", func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	})
	return nil
}

// goLogged runs f, a side service of the process (the admin UI, the
// probes and metrics), on a goroutine of its own, under safego: nothing
// waits for it, and a panic there (a bug) must not end the process with
// every client's job and every render running. The panic is logged with
// its stack and the process goes on without that service; for the probes'
// listener, the orchestrator's probes then fail and it replaces the
// process in its own time, as for any process that stops answering them.
// point is the fault point the fault tests panic at.
func goLogged(logger *slog.Logger, stage, point string, f func()) {
	go func() {
		defer safego.Recover(stage, safego.Log(logger, stage+" panicked; the process goes on without it"))
		faultpoint.Hit(point)
		f()
	}()
}
