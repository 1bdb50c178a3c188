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
// Publication is exactly-once. Every job gets a generation (its project's
// job counter) when created, and every attempt of a render writes under its
// own key space (AttemptPrefix). The outputs become visible only through
// PublishRender: one transaction that marks the job done and switches the
// project's current render, and only if the job is newer than the render
// published (an older render finishing last never replaces a newer one). A
// job already done is never run again, so a re-run never deletes what is
// published; the replaced render is queued in the sweep table and its blobs
// are deleted after the switch, never those of the current render. A check
// is stored only if the stem set it checked (the files generation) is still
// the project's.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
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
	RenderGen int64  // that job's generation
	Report    []byte
	// FilesGen changes with every upload and deletion; CheckGen is the
	// FilesGen the stored check was made of.
	FilesGen int64
	CheckGen int64
	// Client and ClientNet name who created the project (written at
	// creation only; LiveProjectsOf counts them): its address as the
	// server groups it, and the network around it (an IPv6 /48, an IPv4
	// /24; "" for projects made before IPv4 networks were recorded).
	Client, ClientNet string
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
	// OriginalName is the name the client sent, before sanitising.
	OriginalName string
	// Counted is what the file counts for against its project's limits
	// when more than Size: the preview made from it (0: Size).
	Counted int64
	// Reservation names the upload in flight that recording the file
	// ends (BeginUpload; "" for none): PutFileWithin deletes it in its
	// transaction. It is not stored with the file.
	Reservation string
}

// Counts is what f counts for against its project's limits.
func (f *File) Counts() int64 { return max(f.Size, f.Counted) }

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
	// Gen orders the jobs of a project by creation (1, 2, …); CreateJob
	// sets it.
	Gen       int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Confirmed and Note are what a render was asked with (the check
	// errors mastered anyway, the revision's note), kept so that a job
	// whose queue insert was lost is queued again unchanged.
	Confirmed []string
	Note      string
	// RequestID is the id of the request that asked for the job (its
	// X-Request-ID): the job's log lines carry it, on whichever worker
	// and however often the job is queued again.
	RequestID string
	// OutputBytes is what a render's outputs are estimated to take: while
	// it is queued or running they count against its project's client's
	// and network's storage (JobLimits.Storage). Recorded by
	// CreateJobWithin, not read back.
	OutputBytes int64
}

// JobUpdate changes a job's state; empty fields are kept, except that Error
// is always written (so a retried job clears its old error).
type JobUpdate struct {
	State    string
	Progress float64
	Stage    string
	Error    string
	Attempt  int // 0 keeps the attempt count
	// IfAttempt, when not 0, updates the job only while it is at this
	// attempt and not done or failed, and answers ErrNotFound otherwise:
	// an attempt that lost the job (its lease ran out and another worker
	// took it, and may have published it) must not mark it failed,
	// queued or running again.
	IfAttempt int
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

// Publication is what PublishRender did.
type Publication struct {
	// Published: the render is now the project's current one. Previous
	// is the render it replaced ("" for none), queued for the sweeper.
	Published bool
	Previous  string
	// Superseded: a newer render is already published; this one is
	// marked done without being shown, and queued for the sweeper.
	Superseded bool
	// Finished: the job was already done or failed, or another attempt
	// has taken it over; nothing changed.
	Finished bool
}

// Sweep names a render whose blobs are to be deleted.
type Sweep struct {
	ProjectID string
	JobID     string
}

// Metadata is the database side of the store. Every method returns
// ErrNotFound (wrapped) when the thing it names does not exist.
type Metadata interface {
	CreateProject(ctx context.Context, p *Project) error
	Project(ctx context.Context, id string) (*Project, error)
	DeleteProject(ctx context.Context, id string) error
	// ExpireProject ends a project's retention at once, as a deletion's
	// first step; see (*SQL).ExpireProject.
	ExpireProject(ctx context.Context, id string) error
	// ExpiredProjects lists the projects whose ExpiresAt is before now.
	// Clock is the database's time, the one clock every process shares.
	Clock(ctx context.Context) (time.Time, error)
	// Now is the database's time as this process keeps it, without a
	// query (see (*SQL).Now): what a process stamps on what it stores
	// and compares stored times with, whatever its machine's clock says.
	Now() time.Time
	ExpiredProjects(ctx context.Context, now time.Time) ([]string, error)
	SetSession(ctx context.Context, projectID string, session []byte) error
	SetCheck(ctx context.Context, projectID, jobID string, check []byte) error

	// PutFile records an uploaded file, replacing one of the same kind and name.
	PutFile(ctx context.Context, f *File) error
	// PutFileWithin records an uploaded file within limits, atomically;
	// see (*SQL).PutFileWithin.
	PutFileWithin(ctx context.Context, f *File, lim FileLimits) (replaced []File, err error)
	Files(ctx context.Context, projectID string) ([]File, error)
	DeleteFile(ctx context.Context, projectID, kind, name string) error

	// PutReferenceWithin records a reference track within the project's
	// limits, atomically with the files'; see (*SQL).PutReferenceWithin.
	PutReferenceWithin(ctx context.Context, r *ReferenceTrack, maxRefs int, maxTotalBytes int64, client ClientLimits) (replaced *ReferenceTrack, err error)
	// AdoptReferenceWithin records a reference track unless one of its
	// name is recorded, within the same limits; see
	// (*SQL).AdoptReferenceWithin.
	AdoptReferenceWithin(ctx context.Context, r *ReferenceTrack, maxRefs int, maxTotalBytes int64) (existing *ReferenceTrack, err error)
	ReferenceTracks(ctx context.Context, projectID string) ([]ReferenceTrack, error)
	SetReferenceWeight(ctx context.Context, projectID, name string, weight float64) error
	DeleteReferenceTrack(ctx context.Context, projectID, name string) (*ReferenceTrack, error)

	CreateJob(ctx context.Context, j *Job) error
	Job(ctx context.Context, projectID, jobID string) (*Job, error)
	Jobs(ctx context.Context, projectID string) ([]Job, error)
	UpdateJob(ctx context.Context, jobID string, u JobUpdate) error
	// BeginAttempt starts a new attempt of a job: it counts the attempt
	// (the count survives crashes) and marks the job running. A job
	// already done or failed is returned unchanged: it must not run again.
	BeginAttempt(ctx context.Context, projectID, jobID string) (*Job, error)
	// ReturnAttempt takes back the attempt of a job its worker gave up
	// for a graceful shutdown (the job is queued again): only crashes and
	// failures count toward the bound. It does nothing to a job not
	// queued.
	ReturnAttempt(ctx context.Context, jobID string) error
	// PublishRender is the one switch that makes a render's outputs
	// visible; see Publication.
	// rev, when not nil, becomes the project's next revision with it.
	PublishRender(ctx context.Context, jobID string, attempt int, report []byte, outputs []Output, rev *Revision) (Publication, error)
	// FileSet returns the project's files with the generation of that set.
	FileSet(ctx context.Context, projectID string) (gen int64, files []File, err error)
	// CompleteCheck stores a check report and marks its job done, only if
	// the project's files are still those of generation filesGen; it
	// reports whether the check was stored (false: the job is done but
	// superseded by later uploads).
	CompleteCheck(ctx context.Context, jobID string, attempt int, filesGen int64, check []byte) (stored bool, err error)
	// KeepCheck stores a check report made without a job (the suggest's
	// check of the files it read) only if the project's files are still
	// those of generation filesGen, it holds no check yet and its
	// retention has not ended: one check per upload set, which the page
	// and the assistant then both read.
	KeepCheck(ctx context.Context, projectID string, filesGen int64, check []byte) (stored bool, err error)
	// Sweeps lists the renders replaced or abandoned whose blobs await
	// deletion; AddSweep queues one (a failed render), SweepDone forgets
	// one once deleted.
	Sweeps(ctx context.Context) ([]Sweep, error)
	AddSweep(ctx context.Context, s Sweep) error
	SweepDone(ctx context.Context, s Sweep) error
	// UnfinishedJobs lists jobs neither done nor failed, of every project.
	UnfinishedJobs(ctx context.Context) ([]Job, error)
	// LiveProjectsOf counts the live projects a client and its network
	// created (see (*SQL).LiveProjectsOf).
	LiveProjectsOf(ctx context.Context, client, net string, now time.Time) (byClient, byNet int, err error)
	// BeginUpload, GrowUpload, RenewUpload and EndUpload keep the
	// reservations of uploads in flight; see inflight.go.
	BeginUpload(ctx context.Context, r *Reservation, maxFiles int) error
	GrowUpload(ctx context.Context, id string, least, most int64, lim FileLimits) (int64, error)
	RenewUpload(ctx context.Context, id string) error
	EndUpload(ctx context.Context, id string) error
	// DropLapsedUploads deletes the reservations whose lease ran out.
	DropLapsedUploads(ctx context.Context) (int, error)
	// LiveProjects counts the projects not yet expired at now.
	LiveProjects(ctx context.Context, now time.Time) (int, error)
	// Outputs lists the outputs of the project's current render.
	Outputs(ctx context.Context, projectID string) ([]Output, error)

	Close() error
}
