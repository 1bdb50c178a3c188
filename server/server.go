// Package server is the stemmaster web service: the JSON API of docs/api.md
// and the web page (server-rendered HTML, plain JavaScript files and a
// style sheet, embedded with go:embed — no front-end build step).
//
// Security model:
//   - A project is reached by an id of 128 random bits plus a secret token
//     of 256 random bits, sent as "Authorization: Bearer <token>" and
//     compared (as SHA-256 digests) in constant time. Only the digest is
//     stored. Nobody reaches another project's files: every file route looks
//     the file up in the project's own records, never by a path.
//   - The API authenticates with that header only, never with cookies, and
//     sends no CORS headers; a page on another origin can neither read the
//     token nor make the browser send it, so cross-site request forgery has
//     nothing to ride on. The page keeps the token in the URL fragment
//     (never sent to the server) and in localStorage.
//   - Uploads are limited in file size, file count and total size, names
//     are sanitised (no path separators, no leading dots), and a file is
//     accepted only when it decodes as audio.
//   - Static files are served from an exact list: no directory listing.
//   - Projects expire after a configurable retention.
package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"stemmaster/jobs"
	"stemmaster/service"
	"stemmaster/store"
)

// Limits bound what one project may upload.
type Limits struct {
	MaxFileBytes  int64 // one file
	MaxTotalBytes int64 // all files of a project
	MaxFiles      int   // stems + mix
	// MaxDurationS bounds one file's length, as the render does (a song
	// of service.MaxSongS by default).
	MaxDurationS float64
	// MaxOutputBytes bounds what one render stores (its deliverables,
	// preview and report); 0 is twice MaxTotalBytes, and at least 256 MiB.
	MaxOutputBytes int64
	// MaxClientBytes bounds what every project one address created stores
	// together (uploads with their previews, references, the outputs of
	// every kept render), counted in the database; times
	// Config.ClientsPerAddress. 0 is four times MaxTotalBytes; negative,
	// no bound. The projects of one network (an IPv6 /48, an IPv4 /24)
	// store together as many times this as the network holds clients'
	// worth of live projects.
	MaxClientBytes int64
}

// clientBytes is the bound of what one address's projects store (0: none).
func (s *Server) clientBytes() int64 {
	most := s.cfg.Limits.MaxClientBytes
	switch {
	case most < 0:
		return 0
	case most == 0:
		most = 4 * s.cfg.Limits.MaxTotalBytes
	}
	return most * int64(s.cfg.ClientsPerAddress)
}

// clientLimits bound what one address's projects store, and those of its
// network (clientNet) netShare times as much.
func (s *Server) clientLimits() store.ClientLimits {
	most := s.clientBytes()
	if most <= 0 {
		return store.ClientLimits{}
	}
	return store.ClientLimits{MaxClientBytes: most, MaxNetBytes: func(nw string) int64 { return most * int64(netShare(nw)) }}
}

// DefaultLimits suit a song of up to ten minutes in 96 kHz/32-bit stems.
var DefaultLimits = Limits{MaxFileBytes: 1 << 30, MaxTotalBytes: 8 << 30, MaxFiles: 16, MaxDurationS: service.MaxSongS}

// QuoteRequest describes what a client asks for.
type QuoteRequest = service.QuoteRequest

// Config wires a Server.
type Config struct {
	Meta  store.Metadata
	Blobs *store.Blobs
	Queue jobs.Queue
	// Quote prices a project (nil: no quote is shown).
	Quote func(QuoteRequest) any
	// Demo writes the demo song's stems into dir and returns their paths
	// (nil: no demo).
	Demo      func(ctx context.Context, dir string) ([]string, error)
	Limits    Limits
	Retention time.Duration // default 7 days
	TempDir   string        // uploads are spooled here; os.TempDir when empty
	Logger    *slog.Logger
	// Presets lists the target preset names for the page's menu.
	Presets []string

	// Abuse limits; zero values take the Default… constants.
	MinBodyRate       int64         // bytes a second a request body, or an answer, must average…
	BodyRateWindow    time.Duration // …over this window, or it is cut (a body: 408)
	CreatesPerMinute  int           // projects one client may create a minute (429)
	MaxProjects       int           // live projects at most (507); negative: no cap
	ProjectsPerClient int           // live projects one client may hold (429); negative: no cap
	MinFreeBytes      int64         // free disk below which creation and uploads answer 507; negative: no check
	FreeBytes         func() (uint64, error)
	RequestsPerClient int   // requests one client may have in flight (429)
	ComputesPerMinute int   // sum-loudness and suggest requests one client may make a minute (429)
	SuggestFrames     int64 // sample frames one suggestion decodes across its tracks (0: DefaultSuggestFrames)
	// RenderWork is the estimated work one render may take, in
	// stem-minutes at 48 kHz (service.RenderWork; 0:
	// service.DefaultRenderWork; negative: no budget); past it a render
	// is refused with 422 over_budget before it is queued.
	RenderWork float64
	// RenderMemory is the memory one render may take, in bytes
	// (service.RenderWork.MemoryBytes; 0: service.DefaultRenderMemory;
	// negative: no bound); past it a render is refused with 422
	// over_budget before it is queued.
	RenderMemory int64
	// Checks and renders queued or running per project and per client
	// (429), and finished jobs a project keeps of each kind; zero takes
	// the Default… constants of joblimits.go, negative means no bound.
	ActiveJobsPerProject, ActiveJobsPerClient, KeepFinishedJobs int
	// ClientsPerAddress is how many clients one address may stand for: an
	// office, a school or a carrier's NAT puts many people behind one
	// IPv4 address. The per-address bounds (projects created, requests in
	// flight, measurements, active jobs, connections) are this many times
	// the one-client figures above, while a project's own measurements
	// stay at the one-client figure and its jobs at the per-project bound,
	// so that one greedy tab cannot take what its neighbours behind the
	// same address are given. 0 is 1.
	ClientsPerAddress int
	// TrustForwardedFor counts clients by the last X-Forwarded-For hop,
	// the one the proxy in front adds (set it only behind such a proxy;
	// clientaddr.go).
	TrustForwardedFor bool

	// Job event streams (GET …/jobs/{job}/events): how often the stream
	// reads the job back when told of no change (default 5 s over a store
	// that tells of changes, see store.SQL.JobChanged; 200 ms over one
	// that does not) and how long it may stay silent before a heartbeat
	// comment (default 15 s).
	JobEventPoll      time.Duration
	JobEventHeartbeat time.Duration

	// Disk, when set, holds the renders' reservations of the same disk
	// (the Runner's): the uploads' watermark counts them, and New has
	// the renders' count the uploads in flight (Disk.Share).
	Disk *service.Disk
}

// Server is the HTTP service.
type Server struct {
	cfg      Config
	projects *service.Projects
	mux      *http.ServeMux
	creates  *rateLimiter
	computes *rateLimiter // per address
	// projectComputes is each project's own share of measurements.
	projectComputes *rateLimiter
	sums            *sumSlots
	// makes bounds the stream previews made in requests (previewqueue.go
	// makes the rest on one core), as sums bounds the sums.
	makes    *sumSlots
	spools   *spools
	inflight *inflight
	// suggestions bounds the proposals computed at once: each decodes the
	// project's stems into memory and takes a few CPU seconds.
	suggestions chan struct{}
	// previews makes the uploads' stream previews off the request path.
	previews *previewQueue
	// ending is closed by EndStreams.
	ending  chan struct{}
	endOnce sync.Once
}

// EndStreams ends the job event streams open now and to come, at once:
// they are never idle, so an http.Server's Shutdown would wait its whole
// timeout for them. Their clients reconnect (the stream's retry) to
// another front end or to this one restarted. Call it as the server shuts
// down (http.Server.RegisterOnShutdown).
func (s *Server) EndStreams() { s.endOnce.Do(func() { close(s.ending) }) }

// New builds a server.
func New(cfg Config) *Server {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Limits.MaxDurationS <= 0 {
		cfg.Limits.MaxDurationS = service.MaxSongS
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if len(cfg.Presets) == 0 {
		cfg.Presets = []string{"streaming", "apple", "loud", "club", "ebu_r128", "podcast"}
	}
	cfg.MinBodyRate = cmp.Or(cfg.MinBodyRate, DefaultMinBodyRate)
	cfg.BodyRateWindow = cmp.Or(cfg.BodyRateWindow, DefaultBodyRateWindow)
	cfg.CreatesPerMinute = cmp.Or(cfg.CreatesPerMinute, DefaultCreatesPerMinute)
	cfg.MaxProjects = cmp.Or(cfg.MaxProjects, DefaultMaxProjects)
	cfg.ProjectsPerClient = cmp.Or(cfg.ProjectsPerClient, DefaultProjectsPerClient)
	cfg.MinFreeBytes = cmp.Or(cfg.MinFreeBytes, DefaultMinFreeBytes)
	cfg.RequestsPerClient = cmp.Or(cfg.RequestsPerClient, DefaultRequestsPerClient)
	cfg.ComputesPerMinute = cmp.Or(cfg.ComputesPerMinute, DefaultComputesPerMinute)
	cfg.ClientsPerAddress = max(cfg.ClientsPerAddress, 1)
	n := cfg.ClientsPerAddress
	s := &Server{cfg: cfg, mux: http.NewServeMux(),
		projects: &service.Projects{Meta: cfg.Meta, Blobs: cfg.Blobs, Queue: cfg.Queue, Logger: cfg.Logger, Demo: cfg.Demo, TempDir: cfg.TempDir}, creates: newRateLimiter(n*cfg.CreatesPerMinute, time.Minute), spools: newSpools(),
		inflight: &inflight{max: n * cfg.RequestsPerClient, n: map[string]int{}}, computes: newRateLimiter(n*cfg.ComputesPerMinute, time.Minute),
		projectComputes: newRateLimiter(cfg.ComputesPerMinute, time.Minute), sums: newSumSlots(), makes: newSumSlots(),
		suggestions: make(chan struct{}, 1), ending: make(chan struct{})}
	s.previews = newPreviewQueue(s)
	if cfg.Disk != nil {
		s.spools.renders = cfg.Disk.Reserved
		cfg.Disk.Share(s.spools.reserved)
	}
	s.routes()
	return s
}

// Close stops the server's background work (the uploads' previews still
// to make are then made on first request) and waits for it. Call it once
// the HTTP server has stopped taking requests.
func (s *Server) Close() { s.previews.close() }

// ServeHTTP implements http.Handler. Every request gets an id (the
// X-Request-ID header, and in every log line about it) and one log line
// when it ends; its body must arrive at the minimum rate; a client may have
// only so many requests in flight.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := newID()[:16]
	addr := s.clientAddr(r)
	client := clientKey(addr)
	mw := newMinRateWriter(w, s.cfg.MinBodyRate, s.cfg.BodyRateWindow)
	// No deadline while the handler works (the one a previous answer on
	// this connection left may have passed); what the server flushes once
	// the handler returns is bound again.
	mw.rc.SetWriteDeadline(time.Time{})
	defer mw.arm()
	rec := &statusRecorder{ResponseWriter: mw}
	w = rec
	r = r.WithContext(context.WithValue(context.WithValue(r.Context(), requestIDKey{}, rid), clientKeyKey{}, client))
	defer func() {
		s.cfg.Logger.Info("request", "request", rid, "method", r.Method, "path", r.URL.Path, "status", rec.status(),
			"bytes", rec.bytes, "ms", time.Since(start).Milliseconds(), "client", addr)
	}()
	h := w.Header()
	h.Set("X-Request-ID", rid)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "+
		"script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	if len(r.TransferEncoding) > 0 {
		// A chunked request ends its connection. Net/http frames it by
		// its chunks and drops a Content-Length sent beside them (so no
		// handler can tell), but keeps the connection for the next
		// request; a proxy in front that framed it by that
		// Content-Length has read the chunks' tail as a request of its
		// own (request smuggling), and RFC 9112 (6.1) has the server
		// close after such a request. Browsers never send a chunked
		// body, so closing after any costs clients nothing.
		h.Set("Connection", "close")
	}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		body := newMinRateBody(w, r.Body, s.cfg.MinBodyRate, s.cfg.BodyRateWindow)
		r.Body = body
		defer body.done()
		// Runs before done: a refusal's body is read at the minimum rate.
		defer drainRefused(rec, r, body, s.cfg.Limits.MaxFileBytes+refusalDrainMargin, refusalDrainMargin)
	}
	if !s.inflight.acquire(client) {
		if body, ok := r.Body.(*minRateBody); ok && s.entitledUpload(r) {
			body.entitled = true
		}
		writeRetryAfter(w, time.Second, "too_many_requests", "too many requests at once from your address; wait for the others to finish")
		return
	}
	defer s.inflight.release(client)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store")
		if _, pattern := s.mux.Handler(r); pattern == "" {
			// The mux's own 404 and 405 answers are plain text; the API
			// answers JSON.
			s.mux.ServeHTTP(&jsonErrorWriter{ResponseWriter: w}, r)
			return
		}
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.Error("handler panic", "request", rid, "path", r.URL.Path, "panic", v)
			writeError(w, http.StatusInternalServerError, "internal", "internal error (request "+rid+")")
		}
	}()
	s.mux.ServeHTTP(w, r)
}

type createRequest struct {
	Demo bool `json:"demo"`
}

type createResponse struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	// Only JSON: a form on another site can send text/plain or form
	// encodings without the browser asking, never application/json.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeFieldError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type",
			`create a project with Content-Type: application/json and a body of {} or {"demo": true}`)
		return
	}
	client := s.client(r)
	if ok, wait := s.creates.allow(client, time.Now()); !ok {
		s.cfg.Logger.Warn("project creation rate-limited", "request", requestID(r.Context()), "client", client)
		writeRetryAfter(w, wait, "rate_limited", fmt.Sprintf("at most %d projects a minute from one address; try again later", s.cfg.CreatesPerMinute*s.cfg.ClientsPerAddress))
		return
	}
	if !s.capacity(w, r, true) || !s.projectsAllowed(w, r, client) {
		return
	}
	var req createRequest
	body := http.MaxBytesReader(w, r.Body, smallBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := decodeOne(dec, &req); err != nil && !errors.Is(err, io.EOF) {
		writeFieldError(w, http.StatusBadRequest, "bad_request", "body", "body must be {} or {\"demo\": true}: "+err.Error())
		return
	}
	if req.Demo && s.cfg.Demo == nil {
		writeError(w, http.StatusNotFound, "not_found", "this server has no demo song")
		return
	}
	// The database's clock, not this machine's: a front end whose clock
	// is behind would give the project less than its retention (a month
	// behind: an expiry already past, deleted by the next sweep).
	now := s.projects.Now()
	token := newToken()
	p := &store.Project{ID: newID(), TokenHash: tokenHash(token), CreatedAt: now, ExpiresAt: now.Add(s.cfg.Retention),
		Client: client, ClientNet: clientNet(s.clientAddr(r))}
	lim := store.FileLimits{MaxFiles: s.cfg.Limits.MaxFiles, MaxTotalBytes: s.cfg.Limits.MaxTotalBytes}
	if err := s.projects.Create(r.Context(), p, req.Demo, lim); err != nil {
		s.internal(w, r, err)
		return
	}
	s.cfg.Logger.Info("project created", "request", requestID(r.Context()), "project", p.ID, "demo", req.Demo)
	writeJSON(w, http.StatusCreated, createResponse{ID: p.ID, Token: token, ExpiresAt: p.ExpiresAt})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request, p *store.Project) {
	if err := s.projects.Delete(r.Context(), p.ID); err != nil {
		s.internal(w, r, err)
		return
	}
	// The project is gone for its client from here on (404 everywhere):
	// what follows tidies up, and what it cannot do the sweeps finish.
	// A preview made while the blobs went is stored after them; with the
	// one in the making cancelled, it goes now.
	err := s.previews.settle(r.Context(), p.ID, true)
	if err == nil {
		err = s.projects.DeleteRemains(r.Context(), p.ID)
	}
	if err != nil {
		s.cfg.Logger.Warn("project deleted; a preview made meanwhile is left to the orphan sweep", "request", requestID(r.Context()), "project", p.ID, "error", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleQueue(kind string) projectHandler {
	return func(w http.ResponseWriter, r *http.Request, p *store.Project) {
		files, err := s.projects.Files(r.Context(), p.ID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if !files.Renderable() {
			writeError(w, http.StatusConflict, "no_stems", "upload your stems (or, for a stereo master, the mix) first")
			return
		}
		req := service.JobRequest{RequestID: requestID(r.Context())}
		key := "check"
		if kind == store.JobRender {
			sess, err := s.projects.PrepareRender(r.Context(), p, files)
			if err != nil {
				s.sessionError(w, r, err)
				return
			}
			if !s.outputsFit(w, sess, files) {
				return
			}
			if !s.workFits(w, sess, files) {
				return
			}
			req.OutputBytes = files.OutputBytes(sess)
			var ok bool
			if req.Confirmed, req.Note, ok = s.gateRender(w, r, p, sess, files.Mix()); !ok {
				return
			}
			if key, err = renderKey(sess, req.Confirmed, req.Note); err != nil {
				s.internal(w, r, err)
				return
			}
		}
		s.queueJob(w, r, p, kind, req, key)
	}
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request, p *store.Project) {
	j, err := s.projects.Job(r.Context(), p.ID, r.PathValue("job"))
	if s.failed(w, r, err, "no such job") {
		return
	}
	writeJSON(w, http.StatusOK, jobView(*j))
}
