package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of the abuse limits (see Config).
const (
	DefaultMinBodyRate      = 8 << 10 // bytes a second
	DefaultBodyRateWindow   = 20 * time.Second
	DefaultCreatesPerMinute = 10
	DefaultMaxProjects      = 10000
	// DefaultProjectsPerClient bounds the live projects one client
	// address holds (an IPv6 /48 sixteen times as many, an IPv4 /24
	// four times): at the creation rate alone one address would fill
	// DefaultMaxProjects in under a day, 100 addresses of one /24 in a
	// quarter of an hour and 1,000 /64s of one /48 in a minute, refusing
	// every new project until those expire a week later.
	DefaultProjectsPerClient = 100
	// net6Share is how many clients' worth of live projects, stored
	// bytes and open connections an IPv6 /48 may hold.
	net6Share                 = 16
	DefaultMinFreeBytes       = 1 << 30
	DefaultConnsPerClient     = 64
	DefaultRequestsPerClient  = 32
	DefaultMaxHeaderBytes     = 32 << 10
	DefaultReadHeaderTimeout  = 10 * time.Second
	DefaultIdleTimeout        = 2 * time.Minute
	DefaultMaxConnsTotal      = 4096
	rateLimiterCleanupEntries = 4096
)

// NewHTTPServer returns the http.Server stemmaster serves h with: header
// read timeout, header size bound, idle timeout. Body reads are bounded by
// the minimum rate that Server enforces on every request body (uploads may
// take long, so there is no fixed body timeout).
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		IdleTimeout:       DefaultIdleTimeout,
	}
}

// LimitListener bounds the connections open at once, per client address
// (perClient; an IPv6 client is its /64), per network around it (its IPv6
// /48 holds net6Share times perClient, its IPv4 /24 net4Share
// times) and in all (total). A connection over a bound is closed at once,
// before any byte is read: the slots stay free for others. Without the
// network bounds the 65,536 /64s of one free tunnel, or 66 addresses of
// one hosting range, would hold every connection of the server, each
// opened again as its header timeout closes it. perClient 0 (behind a
// trusted proxy, where every connection comes from the proxy) bounds only
// the total.
func LimitListener(ln net.Listener, perClient, total int) net.Listener {
	return &limitListener{Listener: ln, perClient: perClient, total: total, open: map[string]int{}}
}

// net4Share is how many clients' worth of open connections, live
// projects and stored bytes an IPv4 /24 may hold. A /24 is 256 addresses
// of one provider: a hosting range, whose addresses a renter takes by the
// dozen, or a carrier's NAT pool, whose addresses are other people. Four
// clients' worth (256 connections at the default, some forty browsers at
// six each; 400 live projects) leaves room for neighbours, while filling
// the 4,096 connections takes sixteen /24s instead of 66 addresses of
// one, and the 10,000 projects 25 /24s instead of 100 addresses. A /48 is
// given to one holder whole and may hold more (net6Share).
const net4Share = 4

type limitListener struct {
	net.Listener
	perClient, total int
	mu               sync.Mutex
	open             map[string]int
	all              int
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := hostOf(c.RemoteAddr().String())
		host := clientKey(addr)
		nw := clientNet(addr)
		perNet := netShare(nw)
		l.mu.Lock()
		if (l.perClient > 0 && (l.open[host] >= l.perClient || nw != "" && l.open[nw] >= perNet*l.perClient)) ||
			(l.total > 0 && l.all >= l.total) {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.open[host]++
		if nw != "" {
			l.open[nw]++
		}
		l.all++
		l.mu.Unlock()
		return &limitConn{Conn: c, l: l, host: host, net: nw}, nil
	}
}

type limitConn struct {
	net.Conn
	l         *limitListener
	host, net string // the keys it counts under; net "" for none
	once      sync.Once
}

func (c *limitConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		for _, k := range []string{c.host, c.net} {
			if k == "" {
				continue
			}
			if c.l.open[k]--; c.l.open[k] <= 0 {
				delete(c.l.open, k)
			}
		}
		c.l.all--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// minRateBody cuts a request body that arrives slower than rate bytes a
// second averaged over window: the connection's read deadline is set one
// window ahead and moved on only when the window's share has arrived, so a
// client that stalls, or trickles, meets the deadline and its read fails.
type minRateBody struct {
	io.ReadCloser
	rc          *http.ResponseController
	rate        int64
	window      time.Duration
	start       time.Time
	got         int64
	total       int64 // bytes read in all
	eof         bool  // the body was read to its end
	timedOut    bool
	deadlineSet bool
	entitled    bool // an upload the project's token opens (drainRefused)
}

func newMinRateBody(w http.ResponseWriter, body io.ReadCloser, rate int64, window time.Duration) *minRateBody {
	b := &minRateBody{ReadCloser: body, rc: http.NewResponseController(w), rate: rate, window: window, start: time.Now()}
	b.deadlineSet = b.rc.SetReadDeadline(b.start.Add(window)) == nil
	return b
}

func (b *minRateBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.got += int64(n)
	b.total += int64(n)
	b.eof = b.eof || err == io.EOF
	if b.deadlineSet && b.got >= b.rate*int64(b.window/time.Second) {
		// This window's share has arrived: the next window starts now.
		b.start, b.got = time.Now(), 0
		b.rc.SetReadDeadline(b.start.Add(b.window))
	}
	if err != nil && isTimeout(err) {
		b.timedOut = true
	}
	return n, err
}

// refusalDrainMargin is what drainRefused reads past one file's bound (a
// multipart form's headers and boundaries), and all it reads of a body the
// client is not entitled to send.
const refusalDrainMargin = 1 << 20

// drainRefused reads and discards what is left of the body of a request
// refused before it was read (a 4xx or 5xx answer but 413), so that a
// client which sends its whole body before it reads the answer (curl,
// most HTTP libraries, a browser's upload) reads the refusal: net/http
// reads only 256 KiB of it and closes the connection, which such a client
// meets as a reset while it is still writing. It reads up to bound when
// the body is an upload the project's token opens (refused for a busy
// server, a full disk, a store out of reach: the client may send it and
// will again), and up to small otherwise: a request refused before it is
// authenticated (401, 403, 404, or 429 in flight without a valid token) or
// a call that takes a short body would have anyone's 1 GiB read for
// nothing. A body declared past the bound is not read at all. A client
// that asked with Expect: 100-continue has sent nothing and is not asked
// for the body; net/http answers it at once and closes. What is not read
// is left, and the connection closed after the answer. The answer is
// still buffered here (a refusal is short), so it goes out once the body
// is read.
func drainRefused(w *statusRecorder, r *http.Request, body *minRateBody, bound, small int64) {
	if !body.entitled {
		bound = small
	}
	code := w.status()
	if code < 400 || code == http.StatusRequestEntityTooLarge || body.eof || r.ContentLength > bound {
		return
	}
	if body.total == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	io.CopyN(io.Discard, body, bound-body.total+1)
}

// done lifts the deadline once the body is read to its end (the answer
// may take long, a download for one). A body the handler left unread
// keeps it: net/http reads what is left after the handler returns, before
// it sends the answer, and a client that declared more than it sends (a
// Content-Length of 100 and 13 bytes) would otherwise hold the connection
// with no deadline at all, its answer never sent.
func (b *minRateBody) done() {
	if b.deadlineSet && b.eof {
		b.rc.SetReadDeadline(time.Time{})
	}
}

// minRateWriter cuts an answer the client reads slower than rate bytes
// a second: each write goes out in pieces of one window's share, and the
// connection's write deadline is set one window ahead of each piece. A
// client that stops reading (a slow read, which would otherwise hold a
// handler, its files and the socket's buffers for as long as it likes)
// meets the deadline and the connection is closed, while a download read
// at a fair pace, or an event stream that writes seldom, never does.
type minRateWriter struct {
	http.ResponseWriter
	rc     *http.ResponseController
	share  int
	window time.Duration
}

func newMinRateWriter(w http.ResponseWriter, rate int64, window time.Duration) *minRateWriter {
	share := int(max(rate*int64(window/time.Second), 1))
	return &minRateWriter{ResponseWriter: w, rc: http.NewResponseController(w), share: share, window: window}
}

func (w *minRateWriter) arm() { w.rc.SetWriteDeadline(time.Now().Add(w.window)) }

func (w *minRateWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) || len(p) == 0 {
		w.arm()
		k, err := w.ResponseWriter.Write(p[n:min(len(p), n+w.share)])
		n += k
		if err != nil || len(p) == 0 {
			return n, err
		}
		if k == 0 {
			return n, io.ErrShortWrite
		}
	}
	return n, nil
}

func (w *minRateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// rateLimiter allows n events per window per key (a sliding window).
type rateLimiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	events map[string][]time.Time
}

func newRateLimiter(n int, window time.Duration) *rateLimiter {
	return &rateLimiter{n: n, window: window, events: map[string][]time.Time{}}
}

// allow records an event for key if the limit allows it; otherwise it
// returns how long until it would.
func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) > rateLimiterCleanupEntries {
		for k, ev := range l.events {
			if now.Sub(ev[len(ev)-1]) > l.window {
				delete(l.events, k)
			}
		}
	}
	ev := l.events[key]
	i := 0
	for i < len(ev) && now.Sub(ev[i]) >= l.window {
		i++
	}
	ev = ev[i:]
	if len(ev) >= l.n {
		l.events[key] = ev
		return false, l.window - now.Sub(ev[0])
	}
	l.events[key] = append(ev, now)
	return true, 0
}

// inflight counts the requests of each client being served.
type inflight struct {
	mu  sync.Mutex
	max int
	n   map[string]int
}

func (f *inflight) acquire(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[key] >= f.max {
		return false
	}
	f.n[key]++
	return true
}

func (f *inflight) release(key string) {
	f.mu.Lock()
	if f.n[key]--; f.n[key] <= 0 {
		delete(f.n, key)
	}
	f.mu.Unlock()
}

// writeRetryAfter answers 429 with the seconds to wait.
func writeRetryAfter(w http.ResponseWriter, wait time.Duration, code, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	writeError(w, http.StatusTooManyRequests, code, msg)
}

// retryAfterSeconds is the Retry-After of a wait: whole seconds, rounded
// up past it.
func retryAfterSeconds(wait time.Duration) int { return int(wait.Seconds()) + 1 }

// projectsAllowed answers 429 too_many_projects and returns false when
// the client, or its network (clientNet: an IPv6 /48, an IPv4 /24),
// already holds its share of live projects.
func (s *Server) projectsAllowed(w http.ResponseWriter, r *http.Request, client string) bool {
	if s.cfg.ProjectsPerClient <= 0 {
		return true
	}
	most := s.cfg.ProjectsPerClient * s.cfg.ClientsPerAddress
	net := clientNet(s.clientAddr(r))
	byClient, byNet, err := s.projects.LiveProjectsOf(r.Context(), client, net, s.projects.Now())
	if err != nil {
		s.internal(w, r, err)
		return false
	}
	netMost := netShare(net) * most
	if byClient < most && byNet < netMost {
		return true
	}
	what, who, n := "the client's", "your address", most
	if byClient < most {
		what, who, n = "its network's", "your network ("+net+")", netMost
	}
	s.cfg.Logger.Warn("refused: "+what+" live project cap reached", "request", requestID(r.Context()), "client", client, "projects", byClient, "network", net, "network_projects", byNet)
	writeError(w, http.StatusTooManyRequests, "too_many_projects", fmt.Sprintf("%s holds %d live projects, the most it may; delete one you no longer need (DELETE /api/projects/{id}) or wait until one expires", who, n))
	return false
}

// capacity refuses new projects and uploads when the service is full: too
// many live projects, or less free disk than the watermark. It answers 507
// and returns false then.
func (s *Server) capacity(w http.ResponseWriter, r *http.Request, newProject bool) bool {
	if s.cfg.MinFreeBytes > 0 && s.cfg.FreeBytes != nil {
		// Uploads in flight will take what they have spooled once more
		// in the blob store; renders will write what they reserved.
		free, reserved := s.freeBytes(), s.spools.reserved()+s.spools.rendersReserved()
		if free >= 0 && free-reserved < s.cfg.MinFreeBytes {
			s.cfg.Logger.Warn("refused: free disk below the watermark", "free_bytes", free, "reserved_bytes", reserved, "min_free_bytes", s.cfg.MinFreeBytes)
			writeError(w, http.StatusInsufficientStorage, "disk_full", "the server is short of disk space; try again later")
			return false
		}
	}
	if newProject && s.cfg.MaxProjects > 0 {
		n, err := s.projects.LiveProjects(r.Context(), s.projects.Now())
		if err != nil {
			s.internal(w, r, err)
			return false
		}
		if n >= s.cfg.MaxProjects {
			s.cfg.Logger.Warn("refused: live project cap reached", "projects", n, "max_projects", s.cfg.MaxProjects)
			writeError(w, http.StatusInsufficientStorage, "too_many_projects", "the server holds as many projects as it can; try again later")
			return false
		}
	}
	return true
}
