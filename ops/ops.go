// Package ops is what operators of a stemmaster deployment reach besides
// the product's API: liveness and readiness probes (/healthz, /readyz),
// Prometheus metrics (/metrics, github.com/prometheus/client_golang) and
// River's job UI under /admin/jobs behind an admin token. It wraps the
// application's handler; `stemmaster serve` and `stemmaster worker` both
// mount it.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package ops

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"stemmaster/store"
)

// Check is one dependency a readiness probe asks.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Config wires the operations endpoints.
type Config struct {
	// App serves everything else (nil: 404).
	App http.Handler
	// Route labels a request for the metrics, such as
	// "GET /api/projects/{id}"; nil or "" labels it "other".
	Route func(*http.Request) string
	// Ready lists what /readyz checks (database, blob store…).
	Ready []Check
	// Stats gives the store's figures at scrape time (nil: none).
	Stats func(ctx context.Context) (*store.Stats, error)
	// Admin is River's UI, served under AdminPrefix to requests carrying
	// AdminToken (as a bearer token, or as the password of HTTP basic
	// authentication so a browser can log in). Without a token the UI is
	// not served at all.
	Admin       http.Handler
	AdminPrefix string
	AdminToken  string
	Metrics     *Metrics
	// MetricsToken, when set, is required (as for AdminToken) to read
	// /metrics. Without it /metrics answers anyone when MetricsOpen (an
	// internal address, or an operator who says so), and otherwise only
	// a scraper on this host: a peer on a loopback address whose request
	// names no forwarded client (a proxy on this host forwards the
	// internet from a loopback address, and says so when it is trusted
	// to); everyone else gets 403 naming the flags that open it. The
	// figures (the store's sizes, routes, error rates, the Go runtime's
	// memory) tell an attacker how the server stands and when a flood
	// starts to hurt.
	MetricsToken string
	MetricsOpen  bool
	// NoMetrics leaves /metrics out (it is served on an internal address
	// by another Handler); requests are still counted.
	NoMetrics bool
}

// Metrics holds the registry and the instruments stemmaster updates.
type Metrics struct {
	Registry       *prometheus.Registry
	Requests       *prometheus.CounterVec
	RequestSeconds *prometheus.HistogramVec
	JobSeconds     *prometheus.HistogramVec
	JobsFinished   *prometheus.CounterVec
}

// NewMetrics registers stemmaster's instruments, the Go runtime's and the
// process's in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stemmaster_http_requests_total",
			Help: "HTTP requests answered, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		RequestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stemmaster_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request (to the last byte), by route and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"route", "method"}),
		JobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stemmaster_job_seconds",
			Help:    "Time of one attempt of a check or render job's work (render: the engine's render only), by kind and outcome.",
			Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640, 1800},
		}, []string{"kind", "outcome"}),
		JobsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stemmaster_jobs_worked_total",
			Help: "Job attempts worked by this process, by kind and how the whole attempt ended (ok, error, cancelled): an upload or publication that failed after the engine is an error.",
		}, []string{"kind", "outcome"}),
	}
	m.Registry.MustRegister(m.Requests, m.RequestSeconds, m.JobSeconds, m.JobsFinished,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// storeCollector reads the store's figures at each scrape, so every
// process reports the same truth whatever it did itself.
type storeCollector struct {
	stats                     func(ctx context.Context) (*store.Stats, error)
	jobs, bytes, projects, up *prometheus.Desc
}

func newStoreCollector(stats func(ctx context.Context) (*store.Stats, error)) *storeCollector {
	return &storeCollector{
		stats:    stats,
		jobs:     prometheus.NewDesc("stemmaster_jobs", "Jobs in the store by kind and state.", []string{"kind", "state"}, nil),
		bytes:    prometheus.NewDesc("stemmaster_stored_bytes", "Bytes stored, by what: uploaded files, published outputs.", []string{"what"}, nil),
		projects: prometheus.NewDesc("stemmaster_projects", "Live projects in the store.", nil, nil),
		up:       prometheus.NewDesc("stemmaster_store_up", "1 when the store answered this scrape.", nil, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.bytes
	ch <- c.projects
	ch <- c.up
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	// Every state is reported, zero included, so a rate or an alert on
	// one never sees the series vanish.
	for _, kind := range []string{store.JobCheck, store.JobRender} {
		for _, state := range JobStates {
			ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(st.Jobs[[2]string{kind, state}]), kind, state)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(st.FileBytes), "files")
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(st.OutputBytes), "outputs")
	ch <- prometheus.MustNewConstMetric(c.projects, prometheus.GaugeValue, float64(st.Projects))
}

// JobStates are the states reported by stemmaster_jobs.
var JobStates = []string{store.StateQueued, store.StateRunning, store.StateDone, store.StateFailed, StateCancelled}

// StateCancelled is the state of a job cancelled by its client or
// superseded by a newer render.
const StateCancelled = "cancelled"

// Handler serves the operations endpoints and passes everything else to
// cfg.App, counting and timing every request.
func Handler(cfg Config) http.Handler {
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Stats != nil {
		cfg.Metrics.Registry.MustRegister(newStoreCollector(cfg.Stats))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", readyHandler(cfg.Ready))
	if !cfg.NoMetrics {
		var metrics http.Handler = promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{})
		if cfg.MetricsToken != "" {
			metrics = requireToken(cfg.MetricsToken, "metrics", metrics)
		} else if !cfg.MetricsOpen {
			metrics = localOnly(metrics)
		}
		mux.Handle("GET /metrics", metrics)
	}
	if cfg.Admin != nil && cfg.AdminToken != "" {
		prefix := strings.TrimSuffix(cfg.AdminPrefix, "/")
		admin := requireToken(cfg.AdminToken, "admin", cfg.Admin)
		mux.Handle(prefix+"/", admin)
		mux.Handle(prefix, http.RedirectHandler(prefix+"/", http.StatusMovedPermanently))
	}
	app := cfg.App
	if app == nil {
		app = http.NotFoundHandler()
	}
	route := func(r *http.Request) string {
		if _, pattern := mux.Handler(r); pattern != "" {
			if strings.HasPrefix(pattern, cfg.AdminPrefix) && cfg.AdminPrefix != "" {
				return "admin"
			}
			return pattern
		}
		if cfg.Route != nil {
			if p := cfg.Route(r); p != "" {
				return p
			}
		}
		return "other"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		label, method := route(r), methodLabel(r.Method)
		defer func() {
			cfg.Metrics.Requests.WithLabelValues(label, method, strconv.Itoa(sw.code)).Inc()
			cfg.Metrics.RequestSeconds.WithLabelValues(label, method).Observe(time.Since(start).Seconds())
		}()
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(sw, r)
			return
		}
		app.ServeHTTP(sw, r)
	})
}

// methodLabel is a request's method as the metrics label it: a standard
// method, or "other". Any token is a valid method, so a label per method
// sent would let any client grow the registry without bound.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// readyHandler answers 200 when every check passes within 3 s, else 503
// with the failing checks named (their messages hold no credentials).
func readyHandler(checks []Check) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		res := map[string]string{}
		ok := true
		for _, c := range checks {
			if err := c.Fn(ctx); err != nil {
				ok = false
				res[c.Name] = store.RedactURLError(err).Error()
			} else {
				res[c.Name] = "ok"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": res})
	}
}

// requireToken lets through requests that carry the token as a bearer
// token or as a basic-authentication password; compared as SHA-256
// digests in constant time. realm names what the token opens.
func requireToken(token, realm string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := ""
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			got = strings.TrimSpace(b)
		} else if _, pw, ok := r.BasicAuth(); ok {
			got = pw
		}
		sum := sha256.Sum256([]byte(got))
		if got == "" || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="stemmaster `+realm+`"`)
			http.Error(w, realm+" token required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// localOnly lets through requests from a loopback peer that name no
// forwarded client (Forwarded, X-Forwarded-For, X-Real-IP), and answers
// 403 to the rest.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip, perr := netip.ParseAddr(host)
		forwarded := r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("X-Real-IP") != ""
		if err != nil || perr != nil || !ip.Unmap().IsLoopback() || forwarded {
			http.Error(w, "/metrics answers only this host without a metrics token: set --metrics-token ($STEMMASTER_METRICS_TOKEN), serve it on an internal --metrics-addr, or open it to all with --metrics-open", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// statusWriter records the status code of an answer.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through for streamed answers.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
