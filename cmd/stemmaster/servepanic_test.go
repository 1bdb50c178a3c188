package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/internal/testkit"
)

// stopQueueRecorder is a jobs.Queue that records whether it was stopped.
type stopQueueRecorder struct{ stopped bool }

func (q *stopQueueRecorder) Enqueue(context.Context, river.JobArgs) error { return nil }
func (q *stopQueueRecorder) Start(context.Context) error                  { return nil }
func (q *stopQueueRecorder) Stop(context.Context) error                   { q.stopped = true; return nil }
func (q *stopQueueRecorder) Close() error                                 { return nil }

// TestServePanic: a panic serving HTTP (internal/faultpoint) neither ends
// the process nor leaves serve waiting: the queue is stopped as at a
// shutdown, and serve returns the panic naming the stage. Not parallel:
// the point is armed for the process.
func TestServePanic(t *testing.T) {
	disarm := faultpoint.Arm("serve.http:panic")
	defer disarm()
	q := &stopQueueRecorder{}
	var stderr bytes.Buffer
	err := testkit.NoHang(t, time.Minute, func() error {
		return serve(context.Background(), "127.0.0.1:0", http.NotFoundHandler(), func() {}, q, &stderr, abuseFlags{clientsPerAddress: 1}, time.Second)
	})
	var pe *safego.PanicError
	if !errors.As(err, &pe) || pe.Stage != "HTTP server" || !q.stopped {
		t.Errorf("serve = %v, queue stopped %v; want the panic naming the HTTP server and the queue stopped", err, q.stopped)
	}
}

// logSignal is a log's writer that tells when a line holding want is
// written.
type logSignal struct {
	want string
	mu   sync.Mutex
	buf  strings.Builder
	seen chan struct{}
	once sync.Once
}

func (w *logSignal) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// TestSideServicePanic: a panic in a side service of the process (the
// metrics listener, the admin UI: internal/faultpoint) does not end the
// process; it is logged with its stage and stack. Not parallel: the points
// are armed for the process.
func TestSideServicePanic(t *testing.T) {
	for _, c := range []struct{ point, stage string }{{"ops.serve", "metrics listener"}, {"ops.admin", "admin UI"}} {
		t.Run(c.point, func(t *testing.T) {
			disarm := faultpoint.Arm(c.point + ":panic")
			defer disarm()
			w := &logSignal{want: c.stage + " panicked", seen: make(chan struct{})}
			logger := slog.New(slog.NewTextHandler(w, nil))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.point == "ops.serve" {
				if err := serveOps(ctx, "127.0.0.1:0", http.NotFoundHandler(), io.Discard, logger); err != nil {
					t.Fatal(err)
				}
			} else {
				goLogged(logger, c.stage, c.point, func() { t.Error("the admin UI started past a panicking point") })
			}
			testkit.NoHang(t, time.Minute, func() error { <-w.seen; return nil })
			w.mu.Lock()
			defer w.mu.Unlock()
			if !strings.Contains(w.buf.String(), "stack=") {
				t.Errorf("the log of the panic has no stack: %s", w.buf.String())
			}
		})
	}
}

// failingListener is a listener whose Accept fails for good, as one
// whose descriptor is gone.
type failingListener struct{ net.Listener }

func (failingListener) Accept() (net.Conn, error) {
	return nil, &net.OpError{Op: "accept", Net: "tcp", Err: errors.New("bad file descriptor")}
}

// TestServeError: Serve ending with an ordinary error (its listener's
// Accept failing for good) stops the queue as a shutdown does, and serve
// returns the error.
func TestServeError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	q := &stopQueueRecorder{}
	err = testkit.NoHang(t, time.Minute, func() error {
		return serveOn(context.Background(), failingListener{ln}, http.NotFoundHandler(), func() {}, q, io.Discard, abuseFlags{clientsPerAddress: 1}, time.Second)
	})
	if err == nil || !strings.Contains(err.Error(), "bad file descriptor") || !q.stopped {
		t.Errorf("serve = %v, queue stopped %v; want the accept error and the queue stopped", err, q.stopped)
	}
}
