package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
		Admin: admin, AdminPrefix: "/admin/jobs", AdminToken: "s3cret",
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

	for _, c := range []struct {
		hdr  []string
		want int
	}{
		{nil, 401},
		{[]string{"Authorization", "Bearer wrong"}, 401},
		{[]string{"Authorization", "Bearer s3cret"}, 200},
		{[]string{"Authorization", "Basic eDpzM2NyZXQ="}, 200}, // x:s3cret
		{[]string{"Authorization", "Basic eDp3cm9uZw=="}, 401}, // x:wrong
	} {
		if code, _ := get(t, h, "/admin/jobs/", c.hdr...); code != c.want {
			t.Errorf("admin with %v: %d, want %d", c.hdr, code, c.want)
		}
	}

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
	m := NewMetrics()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := Handler(Config{App: app, Metrics: m, MetricsToken: "m3trics"})
	for _, c := range []struct {
		hdr  []string
		want int
	}{
		{nil, 401},
		{[]string{"Authorization", "Bearer wrong"}, 401},
		{[]string{"Authorization", "Bearer m3trics"}, 200},
		{[]string{"Authorization", "Basic cHJvbTptM3RyaWNz"}, 200}, // prom:m3trics
	} {
		code, body := get(t, h, "/metrics", c.hdr...)
		if code != c.want {
			t.Errorf("metrics with %v: %d, want %d", c.hdr, code, c.want)
		}
		if code == 200 && !strings.Contains(body, "stemmaster_http_requests_total") {
			t.Errorf("metrics with %v lack the request counts", c.hdr)
		}
		if code == 401 && (strings.Contains(body, "stemmaster_") || !strings.Contains(body, "metrics token required")) {
			t.Errorf("metrics refused with %v answer %q", c.hdr, body)
		}
	}
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Errorf("healthz with a metrics token: %d, want 200", code)
	}

	teapot := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	public := Handler(Config{App: teapot, Metrics: m, NoMetrics: true})
	internal := Handler(Config{Metrics: m})
	if code, body := get(t, public, "/metrics"); code != http.StatusTeapot || strings.Contains(body, "stemmaster_") {
		t.Errorf("public /metrics with NoMetrics: %d %.100q, want the app's 418", code, body)
	}
	_, body := get(t, internal, "/metrics")
	if !strings.Contains(body, `stemmaster_http_requests_total{code="418",method="GET",route="other"} 1`) {
		t.Errorf("the internal /metrics lacks the public handler's requests:\n%.600s", body)
	}
}
