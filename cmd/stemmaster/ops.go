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

	"stemmaster/jobs"
	"stemmaster/ops"
)

// opsOptions are the operations flags serve and worker share.
type opsOptions struct {
	noMigrate   bool
	adminToken  string
	metricsAddr string // worker only
	limits      jobs.Limits
	copyInputs  bool
}

func (o *opsOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.noMigrate, "no-migrate", false, "do not apply database migrations at start (run 'stemmaster migrate' first); fail if the schema is older than this binary")
	f.StringVar(&o.adminToken, "admin-token", "", "token that opens River's job UI at /admin/jobs (bearer token or basic-auth password; default $STEMMASTER_ADMIN_TOKEN; none: no UI)")
	f.IntVar(&o.limits.RendersPerProject, "renders-per-project", 1, "renders of one project running at once, across all processes")
	f.IntVar(&o.limits.Renders, "max-renders", 0, "renders running at once in the whole deployment, across all processes (0: no limit beyond each process's --render-workers)")
	f.BoolVar(&o.copyInputs, "copy-inputs", false, "copy each stem to the local work directory before a render instead of reading it in place from the blob store by ranged reads")
	f.DurationVar(&o.limits.Lease, "job-lease", 30*time.Second, "a running job whose worker has not reported for this long is given to another worker")
}

func (o *opsOptions) token() string {
	if o.adminToken != "" {
		return o.adminToken
	}
	return os.Getenv("STEMMASTER_ADMIN_TOKEN")
}

// adminPrefix is where River's UI is mounted.
const adminPrefix = "/admin/jobs"

// opsHandler wraps app (nil for a worker) with the probes, the metrics
// and, given an admin token, River's UI, which runs until ctx ends.
func opsHandler(ctx context.Context, o *opsOptions, svc *process, app http.Handler, route func(*http.Request) string, logger *slog.Logger) (http.Handler, error) {
	cfg := ops.Config{
		App:     app,
		Route:   route,
		Metrics: svc.metrics,
		Stats:   svc.meta.Stats,
		Ready: []ops.Check{
			{Name: "database", Fn: svc.meta.Ping},
			{Name: "blobs", Fn: svc.blobs.Ready},
		},
	}
	if tok := o.token(); tok != "" {
		ui, err := jobs.NewAdminUI(svc.queue, adminPrefix, logger)
		if err != nil {
			return nil, inputError(err)
		}
		go func() {
			if err := ui.Start(ctx); err != nil && ctx.Err() == nil {
				logger.Error("admin UI", "error", err)
			}
		}()
		cfg.Admin, cfg.AdminPrefix, cfg.AdminToken = ui, adminPrefix, tok
	}
	return ops.Handler(cfg), nil
}

// serveOps serves h on addr until ctx ends (a worker's probes and
// metrics).
func serveOps(ctx context.Context, addr string, h http.Handler, stderr io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputError(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "stemmaster: metrics on http://%s/metrics\n", strings.Replace(ln.Addr().String(), "[::]", "localhost", 1))
	go hs.Serve(ln)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	return nil
}
