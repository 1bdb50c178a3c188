// Package store keeps the state of the stemmaster service: metadata
// (projects, uploaded files, jobs, published outputs) in a SQL database, and
// the files themselves in a blob store.
//
// Metadata lives behind the Metadata interface, implemented by *SQL for
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx), each
// with its own embedded migrations. Blobs live behind *Blobs, a thin layer
// over gocloud.dev/blob: a local directory (fileblob) by default; any
// gocloud.dev bucket URL whose driver is linked in works the same way.
//
// Outputs of a render job are written under a job-specific prefix and only
// become visible when CompleteRender records them, in one transaction that
// also marks the job done: a job interrupted halfway never shows partial
// outputs.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a project, file, job or output does not exist.
var ErrNotFound = errors.New("store: not found")

// File kinds.
const (
	KindStem = "stem"
	KindMix  = "mix"
)

// Job kinds and states.
const (
	JobCheck  = "check"
	JobRender = "render"

	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// Output kinds.
const (
	OutputAudio   = "audio"   // a deliverable
	OutputReport  = "report"  // report.json, report.html
	OutputPicture = "picture" // a PNG of the report
	OutputPreview = "preview" // the plain stem sum for the A/B player
)

// Project is one client's delivery. Session, Check and Report are JSON
// documents (the session-file schema, the check report, report.json); nil
// when not yet set.
type Project struct {
	ID        string
	TokenHash []byte // SHA-256 of the secret token
	CreatedAt time.Time
	ExpiresAt time.Time
	Session   []byte
	CheckJob  string // job that produced Check
	Check     []byte
	RenderJob string // job whose outputs are published
	Report    []byte
}

// File is an uploaded stem or mix. Info is the JSON header description
// (sample rate, channels, bit depth, frames).
type File struct {
	ProjectID string
	Kind      string
	Name      string
	Size      int64
	BlobKey   string
	Info      []byte
	CreatedAt time.Time
}

// Job is a check or render of a project.
type Job struct {
	ID        string
	ProjectID string
	Kind      string
	State     string
	Progress  float64
	Stage     string
	Error     string
	Attempt   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// JobUpdate changes a job's state; empty fields are kept, except that Error
// is always written (so a retried job clears its old error).
type JobUpdate struct {
	State    string
	Progress float64
	Stage    string
	Error    string
	Attempt  int // 0 keeps the attempt count
}

// Output is a published file of a render job.
type Output struct {
	ProjectID   string
	JobID       string
	Name        string
	Kind        string
	Size        int64
	ContentType string
	BlobKey     string
	Figures     []byte // JSON loudness figures of an audio output, or nil
}

// Metadata is the database side of the store. Every method returns
// ErrNotFound (wrapped) when the thing it names does not exist.
type Metadata interface {
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id string) (*Project, error)
	DeleteProject(ctx context.Context, id string) error
	// ExpiredProjects lists the projects whose ExpiresAt is before now.
	ExpiredProjects(ctx context.Context, now time.Time) ([]string, error)
	SetSession(ctx context.Context, projectID string, session []byte) error
	SetCheck(ctx context.Context, projectID, jobID string, check []byte) error

	// PutFile records an uploaded file, replacing one of the same kind and name.
	PutFile(ctx context.Context, f *File) error
	Files(ctx context.Context, projectID string) ([]File, error)
	DeleteFile(ctx context.Context, projectID, kind, name string) error

	CreateJob(ctx context.Context, j *Job) error
	Job(ctx context.Context, projectID, jobID string) (*Job, error)
	Jobs(ctx context.Context, projectID string) ([]Job, error)
	UpdateJob(ctx context.Context, jobID string, u JobUpdate) error
	// CompleteRender publishes a render job's outputs and report, marks the
	// job done and makes it the project's current render, atomically. It
	// returns the id of the render it replaced ("" for none), whose outputs
	// are no longer listed and whose blobs the caller may delete.
	CompleteRender(ctx context.Context, jobID string, report []byte, outputs []Output) (previous string, err error)
	// Outputs lists the outputs of the project's current render.
	Outputs(ctx context.Context, projectID string) ([]Output, error)

	Close() error
}
