package ops

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

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
