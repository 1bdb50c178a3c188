package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
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
	// Another address's project gets its own (the first project has
	// spent its own allowance, wherever it asks from).
	c = b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": w}, []string{"a.wav"}, http.StatusCreated, nil)
	if res := post("/sum-loudness", "10.0.0.2"); res.StatusCode != http.StatusOK {
		t.Errorf("another address: %d, want 200", res.StatusCode)
	}
}

// TestManyClientsBehindOneAddress: the people behind one NAT shared one
// client's allowance of measurements, so one colleague dragging a fader
// refused everyone else's. With ClientsPerAddress the address gets that
// many times the allowance, and each project keeps one client's share of
// it for itself.
func TestManyClientsBehindOneAddress(t *testing.T) {
	b := setupWith(t, func(c *Config) {
		c.ComputesPerMinute = 2
		c.ClientsPerAddress = 2
	})
	const session = `{"stems": [{"file": "a.wav"}]}`
	w := wavBytes(t, 4800, 1000)
	measure := func(c *client) (int, string) {
		code, body := send(t, c.request("POST", c.p("/sum-loudness"), strings.NewReader(session), "application/json"))
		return code, string(body)
	}
	var clients []*client
	for range 3 {
		c := b.newProject(t)
		c.upload("stems", map[string][]byte{"a.wav": w}, []string{"a.wav"}, http.StatusCreated, nil)
		clients = append(clients, c)
	}
	for i := range 2 {
		if code, body := measure(clients[0]); code != http.StatusOK {
			t.Fatalf("first project's measurement %d: %d %s, want 200", i+1, code, body)
		}
	}
	if code, body := measure(clients[0]); code != http.StatusTooManyRequests || !strings.Contains(body, "for one project") {
		t.Errorf("first project's third measurement: %d %s, want 429 naming the project's allowance", code, body)
	}
	for i := range 2 {
		if code, body := measure(clients[1]); code != http.StatusOK {
			t.Errorf("second project behind the same address, measurement %d: %d %s, want 200", i+1, code, body)
		}
	}
	if code, body := measure(clients[2]); code != http.StatusTooManyRequests || !strings.Contains(body, "at most 4 measurements") {
		t.Errorf("a third project once the address's 4 are taken: %d %s, want 429 naming the address's allowance", code, body)
	}
}

// TestSumsTakeTurns: a client's loudness sums ran all at once, each about
// 9 CPU-seconds on 16 stems of 20 minutes, so one address's 60 a minute
// took a front end's cores from everybody. A client's sums take turns
// (and half the cores bound everyone's): one waits while another of the
// same client is measured, then runs.
func TestSumsTakeTurns(t *testing.T) {
	b := setup(t)
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 1000)}, []string{"a.wav"}, http.StatusCreated, nil)
	takesTurns(t, b.srv.sums, "a loudness sum", func() int {
		code, _ := send(t, c.request("POST", c.p("/sum-loudness"), strings.NewReader(`{"stems": [{"file": "a.wav"}]}`), "application/json"))
		return code
	})
}

// takesTurns holds the turn of client 127.0.0.1 in slots while request,
// a request of that client the slots bound, runs in the background: it
// must come to wait for the turn (the client's entry counts two requests)
// without answering, answer 200 once the turn is released, and leave the
// client no entry.
func takesTurns(t *testing.T, slots *sumSlots, what string, request func() int) {
	t.Helper()
	const client = "127.0.0.1"
	users := func() int {
		slots.mu.Lock()
		defer slots.mu.Unlock()
		if cs := slots.clients[client]; cs != nil {
			return cs.users
		}
		return 0
	}
	// Room in all for every request: only the client's turn can hold this
	// one back (on two cores all has one place, which would hold it too).
	slots.all = make(chan struct{}, 4)
	release, err := slots.take(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { done <- request() }()
	deadline := time.After(20 * time.Second)
	for users() < 2 {
		select {
		case code := <-done:
			release()
			t.Fatalf("%s answered %d while another request of its client held the turn", what, code)
		case <-deadline:
			release()
			t.Fatalf("%s never came to wait for its turn", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
	// Counted is not proof of waiting: a request let past the turn takes a
	// place in all and answers. A waiting one does neither however long it
	// is given, so the grace below cannot fail a turn that holds.
	select {
	case code := <-done:
		release()
		t.Fatalf("%s answered %d while another request of its client held the turn", what, code)
	case <-time.After(200 * time.Millisecond):
	}
	if n := len(slots.all); n != 1 {
		release()
		t.Fatalf("%s took a place in all (%d held) while another request of its client held the turn", what, n)
	}
	release()
	select {
	case code := <-done:
		if code != http.StatusOK {
			t.Errorf("%s once its turn came: %d, want 200", what, code)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not run once its turn came", what)
	}
	if n := users(); n != 0 {
		t.Errorf("%s left its client %d turns held", what, n)
	}
}
