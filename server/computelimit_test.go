package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMeasurementsAreRateLimited: sum-loudness and suggest run in the
// request, so one client address gets ComputesPerMinute of them a minute
// together; the next answers 429 with Retry-After, and another address
// still gets its own.
func TestMeasurementsAreRateLimited(t *testing.T) {
	b := setupWith(t, func(c *Config) {
		c.ComputesPerMinute = 3
		c.TrustForwardedFor = true
	})
	c := b.newProject(t)
	w := wavBytes(t, 4800, 1000)
	c.upload("stems", map[string][]byte{"a.wav": w}, []string{"a.wav"}, http.StatusCreated, nil)
	const session = `{"stems": [{"file": "a.wav"}]}`
	post := func(path, from string) *http.Response {
		req := c.request("POST", c.p(path), strings.NewReader(session), "application/json")
		req.Header.Set("X-Forwarded-For", from)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for i := 1; i <= 3; i++ {
		if res := post("/sum-loudness", "10.0.0.1"); res.StatusCode != http.StatusOK {
			t.Fatalf("measurement %d: %d, want 200", i, res.StatusCode)
		}
	}
	for _, path := range []string{"/sum-loudness", "/suggest"} {
		res := post(path, "10.0.0.1")
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s, the 4th measurement in a minute: %d (Retry-After %q), want 429 with Retry-After", path, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if res := post("/sum-loudness", "10.0.0.2"); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d, want 200", res.StatusCode)
	}
}
