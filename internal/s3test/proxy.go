package s3test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
)

// Proxy starts an HTTP server in front of the S3 endpoint that calls
// before with each request (to count it, or to hold it as a distant store
// would), then forwards it. It keeps the client's Host header, which the
// request signature covers, so a client pointed at the proxy's URL signs
// as it would for the server. The proxy closes when the test ends.
func Proxy(tb testing.TB, endpoint string, before func(*http.Request)) *httptest.Server {
	tb.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		tb.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before(r)
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}
