// Package jobs carries the background work of the stemmaster service on
// River (github.com/riverqueue/river): the job arguments (check a delivery,
// render a session, expire old projects), the queue on SQLite (riversqlite,
// inside `stemmaster serve`) or PostgreSQL (riverpgxv5, any number of
// `stemmaster worker` processes), and the fairness limits across
// processes (leases, heartbeats, cancellation).
//
// The work itself is a Worker's: package service implements it (its
// Runner owns a project's lifecycle, the same code the HTTP handlers
// call), and the River workers here only carry the job arguments to it.
// River keeps jobs in the database, so a restart loses none.
// Errors shown to clients go through PublicMessage (no paths, keys or
// database URLs).
//
// Example, the whole service in one process (package service):
//
//	runner := &service.Runner{Meta: meta, Blobs: blobs, Renderer: r, Checker: c, WorkDir: dir}
//	q, err := jobs.OpenSQLiteQueue(ctx, "river.sqlite", runner, jobs.QueueOptions{Work: true})
//	…
//	q.Start(ctx)
//	q.Enqueue(ctx, jobs.RenderArgs{ProjectID: p, JobID: j})
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package jobs

import (
	"context"
	"log/slog"
	"mime"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"stemmaster/store"
)

// Job kinds as River stores them.
const (
	KindCheck  = "stemmaster_check"
	KindRender = "stemmaster_render"
	KindExpire = "stemmaster_expire"
)

// Queue names.
const (
	QueueRender      = "render"
	QueueCheck       = "check"
	QueueMaintenance = "maintenance"
)

// CheckArgs asks for the check of a project's delivery.
type CheckArgs struct {
	// The job's ids are its River unique key (river:"unique"): one River
	// job per job, however often it is queued again (Requeue).
	ProjectID string `json:"project_id" river:"unique"`
	JobID     string `json:"job_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (CheckArgs) Kind() string { return KindCheck }

// InsertOpts puts checks on their own queue, one River job per job id
// (Requeue may insert it again).
func (CheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCheck, MaxAttempts: MaxAttempts, Priority: PriorityCheck, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RenderArgs asks for the render of a project's current session.
type RenderArgs struct {
	// The job's ids are its River unique key, as for CheckArgs: a render
	// queued again without its confirmations and note is the same job.
	ProjectID string `json:"project_id" river:"unique"`
	JobID     string `json:"job_id" river:"unique"`
	// Confirmed lists the check errors the client chose to master
	// anyway; the report records them.
	Confirmed []string `json:"confirmed,omitempty"`
	// Note describes the revision the render makes.
	Note string `json:"note,omitempty"`
}

// Kind implements river.JobArgs.
func (RenderArgs) Kind() string { return KindRender }

// InsertOpts puts renders on their own queue, one River job per job id
// (Requeue may insert it again).
func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueRender, MaxAttempts: MaxAttempts, Priority: PriorityRender, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ExpireArgs asks for the deletion of expired projects.
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return KindExpire }

// InsertOpts puts expiry on the maintenance queue.
func (ExpireArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: 1}
}

// MaxAttempts bounds the attempts of a job when River does not say.
const MaxAttempts = 3

// Worker does the jobs' work; package service implements it (Runner).
// attempt and maxAttempts are River's count and bound for the job. A
// job's context ended with a *safego.PanicError as its cause (the job's
// heartbeat panicked) is to fail the job naming that stage.
type Worker interface {
	Check(ctx context.Context, a CheckArgs, attempt, maxAttempts int) error
	Render(ctx context.Context, a RenderArgs, attempt, maxAttempts int) error
	// Expire deletes the projects past their retention and returns how
	// many it deleted.
	Expire(ctx context.Context, now time.Time) (int, error)
	// Sweep deletes the files of replaced and failed renders.
	Sweep(ctx context.Context)
	// CleanOrphans deletes blobs no record owns, older than minAge.
	CleanOrphans(ctx context.Context, minAge time.Duration) (int, error)
	// ReturnAttempt takes back the attempt of a job interrupted by a
	// graceful shutdown (store.Metadata.ReturnAttempt).
	ReturnAttempt(ctx context.Context, jobID string) error
	// DiscardRender deletes every file of a cancelled render job.
	DiscardRender(ctx context.Context, projectID, jobID string) error
	// Store is the metadata store the jobs' leases live in.
	Store() store.Metadata
	Log() *slog.Logger
}

// PreviewName is the file name of the plain stem sum for the A/B player.
const PreviewName = "preview-sum.wav"

// OutputKind classifies an output file by its name.
func OutputKind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png":
		return store.OutputPicture
	case ".json", ".html":
		return store.OutputReport
	}
	if name == PreviewName {
		return store.OutputPreview
	}
	return store.OutputAudio
}

// ContentType gives the MIME type served for an output.
func ContentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".wav":
		return "audio/wav"
	case ".flac":
		return "audio/flac"
	case ".aif", ".aiff":
		return "audio/aiff"
	case ".json":
		return "application/json"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
