package ops

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/jobs"
	"stemmaster/service"
	"stemmaster/store"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestHandler(t *testing.T) {
	t.Parallel()
	dbErr := errors.New("dial tcp: connect postgres://stemmaster:hunter2@db:5432/x refused")
	dbDown := false
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "river ui") })
	h := Handler(Config{
		App:   app,
		Route: func(r *http.Request) string { return "GET /api/projects/{id}" },
		Ready: []Check{{Name: "database", Fn: func(context.Context) error {
			if dbDown {
				return dbErr
			}
			return nil
		}}},
		Stats: func(context.Context) (*store.Stats, error) {
			return &store.Stats{Jobs: map[[2]string]int{{"render", "running"}: 3}, Projects: 2, FileBytes: 1000, OutputBytes: 500}, nil
		},
		Admin: admin, AdminPrefix: "/admin/jobs", AdminToken: "s3cret", MetricsOpen: true,
	})

	if code, body := get(t, h, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	if code, body := get(t, h, "/readyz"); code != 200 || !strings.Contains(body, `"ready":true`) {
		t.Errorf("readyz: %d %s", code, body)
	}
	dbDown = true
	code, body := get(t, h, "/readyz")
	if code != 503 || !strings.Contains(body, `"database"`) || strings.Contains(body, "hunter2") {
		t.Errorf("readyz with the database down: %d %s (want 503 naming it, without the password)", code, body)
	}

	checkToken(t, h, "/admin/jobs/", "s3cret", "river ui")

	for i := 0; i < 3; i++ {
		get(t, h, "/api/projects/0123")
	}
	_, metrics := get(t, h, "/metrics")
	for _, want := range []string{
		`stemmaster_http_requests_total{code="418",method="GET",route="GET /api/projects/{id}"} 3`,
		`stemmaster_http_requests_total{code="401",method="GET",route="admin"} 3`,
		`stemmaster_jobs{kind="render",state="running"} 3`,
		`stemmaster_jobs{kind="check",state="queued"} 0`,
		`stemmaster_stored_bytes{what="files"} 1000`,
		`stemmaster_projects 2`,
		`stemmaster_http_request_duration_seconds_count{method="GET",route="GET /api/projects/{id}"} 3`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestNoAdminWithoutToken(t *testing.T) {
	t.Parallel()
	h := Handler(Config{Admin: http.NotFoundHandler(), AdminPrefix: "/admin/jobs"})
	if code, _ := get(t, h, "/admin/jobs/", "Authorization", "Bearer "); code != 404 {
		t.Errorf("admin UI without a configured token: %d, want 404", code)
	}
}

// TestMetricsToken: with a metrics token /metrics answers 401 without it
// (naming what it asks for) and the figures with it, as a bearer token or
// a basic-authentication password; the probes stay open. NoMetrics leaves
// /metrics to an internal Handler and still counts the requests.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := Handler(Config{App: app, Metrics: m, MetricsToken: "m3trics"})
	checkToken(t, h, "/metrics", "m3trics", "stemmaster_http_requests_total")
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("healthz with a metrics token: %d, want 200", code)
	}

	teapot := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	public := Handler(Config{App: teapot, Metrics: m, NoMetrics: true})
	internal := Handler(Config{Metrics: m, MetricsOpen: true})
	if code, body := get(t, public, "/metrics"); code != http.StatusTeapot || strings.Contains(body, "stemmaster_") {
		t.Errorf("public /metrics with NoMetrics: %d %.100q, want the app's 418", code, body)
	}
	_, body := get(t, internal, "/metrics")
	if !strings.Contains(body, `stemmaster_http_requests_total{code="418",method="GET",route="other"} 1`) {
		t.Errorf("the internal /metrics lacks the public handler's requests:\n%.600s", body)
	}
}

// TestMetricsLocalOnly: without a token or MetricsOpen, /metrics answers
// a loopback peer (IPv4, IPv6, IPv4-mapped) and refuses, with 403 naming
// the flags that open it, any other peer and a loopback one whose request
// names a forwarded client (a proxy on this host).
func TestMetricsLocalOnly(t *testing.T) {
	t.Parallel()
	h := Handler(Config{})
	for _, c := range []struct {
		remote, header string
		want           int
	}{
		{"127.0.0.1:5000", "", 200},
		{"[::1]:5000", "", 200},
		{"[::ffff:127.0.0.1]:5000", "", 200},
		{"192.0.2.1:5000", "", 403},
		{"[2001:db8::1]:5000", "", 403},
		{"127.0.0.1:5000", "X-Forwarded-For", 403},
		{"127.0.0.1:5000", "Forwarded", 403},
		{"127.0.0.1:5000", "X-Real-IP", 403},
		{"not an address", "", 403},
	} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = c.remote
		if c.header != "" {
			req.Header.Set(c.header, "198.51.100.7")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != c.want || (rec.Code == 200) != strings.Contains(body, "go_goroutines") ||
			rec.Code == 403 && !strings.Contains(body, "--metrics-token") {
			t.Errorf("/metrics from %s (%s): %d %.100q, want %d", c.remote, c.header, rec.Code, body, c.want)
		}
	}
	if code, _ := get(t, Handler(Config{MetricsOpen: true}), "/metrics"); code != 200 {
		t.Errorf("/metrics with MetricsOpen from 192.0.2.1: %d, want 200", code)
	}
}

// checkToken checks that path answers 401 (saying a token is required,
// showing nothing of what it guards) without the token or with a wrong
// one, and 200 with body containing want with the token as a bearer token
// or as a basic-authentication password.
func checkToken(t *testing.T, h http.Handler, path, token, want string) {
	t.Helper()
	basic := func(pw string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte("any:"+pw)) }
	for _, c := range []struct {
		auth string
		code int
	}{
		{"", 401},
		{"Bearer wrong", 401},
		{basic("wrong"), 401},
		{"Bearer " + token, 200},
		{basic(token), 200},
	} {
		var hdr []string
		if c.auth != "" {
			hdr = []string{"Authorization", c.auth}
		}
		code, body := get(t, h, path, hdr...)
		if code != c.code {
			t.Errorf("%s with %q: %d, want %d", path, c.auth, code, c.code)
		}
		if code == 200 && !strings.Contains(body, want) || code == 401 && (strings.Contains(body, want) || !strings.Contains(body, "token required")) {
			t.Errorf("%s with %q answers %.100q", path, c.auth, body)
		}
	}
}

// TestMetricsMethodsBounded: the method label takes the standard methods
// and "other", whatever a client sends. Any token is a valid HTTP method,
// so a label per method would let anyone, without a token, add series (a
// histogram's dozen each) to the registry until the process runs out of
// memory.
func TestMetricsMethodsBounded(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	h := Handler(Config{Metrics: m, App: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})})
	for i := range 200 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(fmt.Sprintf("M%d", i), "/api/projects", nil))
	}
	for _, meth := range []string{"GET", "POST", "get"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(meth, "/api/projects", nil))
	}
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "method" {
					methods[l.GetValue()] = true
				}
			}
		}
	}
	if len(methods) != 3 || !methods["GET"] || !methods["POST"] || !methods["other"] {
		t.Errorf("method labels %v, want GET, POST and other", methods)
	}
}

// publishLost is a worker whose render's engine finishes and whose
// publication then fails, the job put off to another attempt (S3 or the
// database out of reach after the render).
type publishLost struct {
	jobs.Worker
	engine service.Renderer
	err    error
}

func (w publishLost) Render(ctx context.Context, a jobs.RenderArgs, attempt, maxAttempts int) error {
	if _, err := w.engine.Render(ctx, service.RenderInput{}); err != nil {
		return err
	}
	return w.err
}

type engineOK struct{}

func (engineOK) Render(context.Context, service.RenderInput) (*stemmaster.Report, error) {
	return &stemmaster.Report{}, nil
}

// TestJobsWorkedCountsTheAttempt: an attempt lost at publication counts
// as an error in stemmaster_jobs_worked_total, while its engine's time
// counts as ok in stemmaster_job_seconds; one that published counts ok.
func TestJobsWorkedCountsTheAttempt(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	engine := TimedRenderer{Renderer: engineOK{}, M: m}
	lost := CountedWorker{Worker: publishLost{engine: engine, err: errors.New("publish: connection refused")}, M: m}
	done := CountedWorker{Worker: publishLost{engine: engine}, M: m}
	ctx := context.Background()
	if err := lost.Render(ctx, jobs.RenderArgs{}, 1, 3); err == nil {
		t.Fatal("the lost attempt returned no error")
	}
	if err := done.Render(ctx, jobs.RenderArgs{}, 1, 3); err != nil {
		t.Fatal(err)
	}
	_, metrics := get(t, Handler(Config{Metrics: m, MetricsOpen: true}), "/metrics")
	for _, want := range []string{
		`stemmaster_jobs_worked_total{kind="render",outcome="error"} 1`,
		`stemmaster_jobs_worked_total{kind="render",outcome="ok"} 1`,
		`stemmaster_job_seconds_count{kind="render",outcome="ok"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
