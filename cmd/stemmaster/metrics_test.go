package main

import (
	"net"
	"strings"
	"testing"
)

// TestMetricsProtected runs serve with --metrics-token: /metrics answers
// 401 without the token and the figures with it; the probes stay open.
// With --metrics-addr as well, the public address has no /metrics at all
// and the internal one asks for the token.
func TestMetricsProtected(t *testing.T) {
	skipShort(t, "runs the server binary")
	get := func(url, token string) (int, string) {
		t.Helper()
		var hdr []string
		if token != "" {
			hdr = []string{"Authorization", "Bearer " + token}
		}
		code, body := httpGet(t, url, hdr...)
		return code, string(body)
	}
	const figures = "stemmaster_http_requests_total"
	web := startServer(t, t.TempDir(), "--metrics-token", "m3trics")
	for _, c := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 401}, {"m3trics", 200}} {
		code, body := get(web.url+"/metrics", c.token)
		if code != c.want || (code == 200) != strings.Contains(body, figures) {
			t.Errorf("/metrics with token %q: %d %.80q, want %d", c.token, code, body, c.want)
		}
	}
	if code, _ := get(web.url+"/healthz", ""); code != 200 {
		t.Errorf("/healthz with a metrics token: %d, want 200", code)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	internal := l.Addr().String()
	l.Close()
	web = startServer(t, t.TempDir(), "--metrics-token", "m3trics", "--metrics-addr", internal)
	if code, body := get(web.url+"/metrics", "m3trics"); strings.Contains(body, figures) {
		t.Errorf("public /metrics with --metrics-addr: %d, serves the figures", code)
	}
	if code, _ := get("http://"+internal+"/metrics", ""); code != 401 {
		t.Errorf("internal /metrics without the token: %d, want 401", code)
	}
	if code, body := get("http://"+internal+"/metrics", "m3trics"); code != 200 || !strings.Contains(body, figures) {
		t.Errorf("internal /metrics with the token: %d, lacks %s", code, figures)
	}
	if code, _ := get("http://"+internal+"/readyz", ""); code != 200 {
		t.Errorf("internal /readyz: %d, want 200", code)
	}
}
