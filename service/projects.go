package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"

	"stemmaster"
	"stemmaster/engine"
	"stemmaster/internal/faultpoint"
	"stemmaster/jobs"
	"stemmaster/store"
)

// Projects is a project's lifecycle as the HTTP handlers drive it —
// files, the session, queueing the check and the render, deletion — in
// typed values: a handler decodes the request, calls Projects and encodes
// the answer. The jobs it queues run in a Runner, in this process or in
// a worker.
type Projects struct {
	Meta   store.Metadata
	Blobs  *store.Blobs
	Queue  jobs.Queue
	Logger *slog.Logger
	// Demo writes the demo song's stems into dir and returns their paths
	// (nil: no demo); TempDir is where (os.TempDir when empty).
	Demo    func(ctx context.Context, dir string) ([]string, error)
	TempDir string

	demo demoSet
}

// Files is a project's uploaded files.
type Files []store.File

// Files returns the project's uploaded files.
func (ps *Projects) Files(ctx context.Context, projectID string) (Files, error) {
	fs, err := ps.Meta.Files(ctx, projectID)
	return Files(fs), err
}

// Stems are the names of the uploaded stems (nil for none).
func (fs Files) Stems() []string {
	var names []string
	for _, f := range fs {
		if f.Kind == store.KindStem {
			names = append(names, f.Name)
		}
	}
	return names
}

// Mix is the name of the uploaded mix, "" for none.
func (fs Files) Mix() string {
	for _, f := range fs {
		if f.Kind == store.KindMix {
			return f.Name
		}
	}
	return ""
}

// Renderable reports whether there is something to master: stems, or a
// mix alone (a stereo master).
func (fs Files) Renderable() bool { return fs.Stems() != nil || fs.Mix() != "" }

// SampleRate is the song's rate, 0 when unknown: the stems' most common
// rate (ties to the higher), as a stem at another rate is the one the
// session resamples.
func (fs Files) SampleRate() int {
	var rates []int
	for _, f := range fs {
		if f.Kind != store.KindStem {
			continue
		}
		if fi := DecodeFileInfo(f); fi.SampleRate > 0 {
			rates = append(rates, fi.SampleRate)
		}
	}
	return engine.PlainSumRate(rates)
}

// Session is the project's session in line with its files (the default
// session before the client set one), parsed once.
func (ps *Projects) Session(p *store.Project, files Files) *stemmaster.Session {
	return Sessions{}.ReconcileSession(p.Session, files.Stems(), files.Mix())
}

// Check is the project's stored check report, nil before a check.
func (ps *Projects) Check(p *store.Project) *stemmaster.CheckReport {
	return decodeCheck(p.Check)
}

// ParseSession reads a session document sent by a client. Its errors are
// *stemmaster.SessionError (joined), each with a Kind.
func ParseSession(doc []byte) (*stemmaster.Session, error) {
	return decodeSession(doc)
}

// SaveSession validates s against the project's files (mix is the mix it
// renders, "" for none) and stores it. An invalid session's error holds
// *stemmaster.SessionError values (stemmaster.SessionErrors); any other
// error is the store's.
func (ps *Projects) SaveSession(ctx context.Context, projectID string, s *stemmaster.Session, files Files, mix string) error {
	if len(s.Stems) > stemmaster.MaxStems {
		// Validate refuses it as too many; an error for each stem besides
		// (not uploaded, listed twice) would answer 64 KiB with 600 KB.
		return trimSessionName(s.Validate())
	}
	if err := errors.Join(validate(s, files.Stems(), mix, files.SampleRate()), listedOnce(s), songLength(s, files)); err != nil {
		return err
	}
	return ps.Meta.SetSession(ctx, projectID, encodeSession(s))
}

// PrepareRender brings the stored session in line with the files (they
// may have changed since it was set), validates it and stores it: the
// session a render is queued with.
func (ps *Projects) PrepareRender(ctx context.Context, p *store.Project, files Files) (*stemmaster.Session, error) {
	s := ps.Session(p, files)
	if err := errors.Join(validate(s, files.Stems(), files.Mix(), files.SampleRate()), songLength(s, files)); err != nil {
		return nil, err
	}
	if err := ps.Meta.SetSession(ctx, p.ID, encodeSession(s)); err != nil {
		return nil, err
	}
	return s, nil
}

// LeaveStereo is called when the first stem arrives in a project that had
// only its mix (a stereo master by default): the project now masters its
// stems, keeping the master chain and deliverables.
func (ps *Projects) LeaveStereo(ctx context.Context, projectID string) error {
	p, err := ps.Meta.Project(ctx, projectID)
	if err != nil || p.Session == nil {
		return err
	}
	s, err := decodeSession(p.Session)
	if err != nil {
		return nil
	}
	s.Stems = []stemmaster.StemSpec{}
	return ps.Meta.SetSession(ctx, projectID, encodeSession(s))
}

// JobRequest is what a client asks of a queued job.
type JobRequest struct {
	// Confirmed lists the check errors the client masters anyway (a
	// render).
	Confirmed []string
	// Note describes the revision a render makes.
	Note string
	// RequestID ties the job's log lines to the request that queued it.
	RequestID string
	// OutputBytes is what a render's outputs are estimated to take
	// (Files.OutputBytes): they count against the storage of the
	// project's client and network (store.JobLimits.Storage) from the
	// moment it is queued.
	OutputBytes int64
}

// QueueJobWithin records a check or render job (kind store.JobCheck or
// store.JobRender) and queues it, within lim (see store.JobLimits; the
// zero value bounds nothing); it supersedes the project's jobs of its kind
// that it makes pointless (store.SQL.CreateJobWithin): a render the older
// renders still queued or running, a check the queued checks. It returns
// the job of the same inputs when there is one (existing true: queued,
// running, or done with its result still shown), a *store.JobLimitError,
// or the storage owner's *store.QuotaError for a render whose outputs
// would take it past lim.Storage.
func (ps *Projects) QueueJobWithin(ctx context.Context, projectID, kind string, req JobRequest, lim store.JobLimits) (job *store.Job, existing bool, err error) {
	job = &store.Job{ID: NewID(), ProjectID: projectID, Kind: kind, State: store.StateQueued, CreatedAt: ps.Meta.Now(), RequestID: req.RequestID}
	if kind == store.JobRender {
		// Kept with the job: a render whose insert below is lost is queued
		// again (jobs.Requeue) with them.
		job.Confirmed, job.Note = req.Confirmed, req.Note
		job.OutputBytes = req.OutputBytes
	}
	if old, err := ps.createJob(ctx, job, lim, req.RequestID); err != nil || old != nil {
		return old, old != nil, err
	}
	// A crash here leaves the job unqueued; Runner.Resume queues it at
	// the next start.
	faultpoint.Hit("job-created")
	var args interface{ Kind() string }
	if kind == store.JobRender {
		args = jobs.RenderArgs{ProjectID: projectID, JobID: job.ID, Confirmed: req.Confirmed, Note: req.Note}
	} else {
		args = jobs.CheckArgs{ProjectID: projectID, JobID: job.ID}
	}
	if err := ps.Queue.Enqueue(ctx, args); err != nil {
		ps.Meta.UpdateJob(context.WithoutCancel(ctx), job.ID, store.JobUpdate{State: store.StateFailed, Error: "could not queue the job"})
		return nil, false, err
	}
	ps.log().Info("job queued", "request", req.RequestID, "project", projectID, "job", job.ID, "kind", kind, "gen", job.Gen, "state", store.StateQueued)
	return job, false, nil
}

// Cancel cancels a queued or running job: a queued job never runs, a
// running one stops within about a second and publishes nothing. It
// reports false when the job had already ended; store.ErrNotFound when
// there is no such job, errors.ErrUnsupported when the store cannot
// cancel.
func (ps *Projects) Cancel(ctx context.Context, projectID, jobID string) (bool, error) {
	return jobs.Cancel(ctx, ps.Meta, projectID, jobID)
}

// Delete removes a project. Its retention ends first, in one statement:
// from then on it answers 404 everywhere, the store records nothing more
// of it, and the deletion is done as far as its client is concerned. Its
// files and then its records go next; when the blob store or the database
// fails there, what is left goes with the next expiry sweep (jobs'
// ExpireEvery) rather than leaving a live project whose files are gone. A
// write of the project that lands after its files went (an upload, a
// preview, a render's outputs) finds it gone and deletes what it wrote
// (projectGone).
func (ps *Projects) Delete(ctx context.Context, projectID string) error {
	if err := ps.Meta.ExpireProject(ctx, projectID); err != nil {
		return err
	}
	if err := DeleteProject(ctx, ps.Meta, ps.Blobs, projectID); err != nil && !errors.Is(err, store.ErrNotFound) {
		ps.log().Warn("project deleted; what is left of it goes with the next expiry sweep", "project", projectID, "error", err)
	}
	return nil
}

// DeleteRemains deletes what was stored under a deleted project's prefix
// after its deletion began: a stream preview in the making when the
// project's blobs were deleted lands after them. Called once nothing of
// the project is in flight any more.
func (ps *Projects) DeleteRemains(ctx context.Context, projectID string) error {
	return ps.Blobs.DeletePrefix(ctx, store.ProjectPrefix(projectID))
}

func (ps *Projects) log() *slog.Logger {
	if ps.Logger != nil {
		return ps.Logger
	}
	return slog.Default()
}

// NewID returns 128 random bits as 32 hex digits: a project's or a job's
// id.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
