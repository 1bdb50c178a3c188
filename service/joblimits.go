package service

import (
	"context"

	"stemmaster/store"
)

// createJob records job within lim when the store bounds jobs (else it
// records it unbounded) and returns the job of the same inputs that
// answers instead, if any. The store cancels the jobs it supersedes
// (store.SQL.CreateJobWithin); they are logged here.
func (ps *Projects) createJob(ctx context.Context, job *store.Job, lim store.JobLimits, requestID string) (*store.Job, error) {
	bj, ok := ps.Meta.(store.BoundedJobs)
	if !ok {
		return nil, ps.Meta.CreateJob(ctx, job)
	}
	old, superseded, err := bj.CreateJobWithin(ctx, job, lim)
	if err != nil {
		return nil, err
	}
	by := job.ID
	if old != nil {
		by = old.ID
		ps.log().Info("job request answered with the job of the same inputs", "request", requestID, "project", job.ProjectID, "job", old.ID, "kind", old.Kind, "state", old.State)
	}
	for _, id := range superseded {
		ps.log().Info("job superseded", "request", requestID, "project", job.ProjectID, "job", id, "kind", job.Kind, "by", by)
	}
	return old, nil
}

// JobPage lists the project's jobs newest first, limit at most, created
// before the job of generation before (0: from the newest); next is the
// before of the following page (0 after the last). A store that does not
// page lists every job.
func (ps *Projects) JobPage(ctx context.Context, projectID string, before int64, limit int) ([]store.Job, int64, error) {
	if bj, ok := ps.Meta.(store.BoundedJobs); ok {
		return bj.JobPage(ctx, projectID, before, limit)
	}
	js, err := ps.Meta.Jobs(ctx, projectID)
	for i, j := 0, len(js)-1; i < j; i, j = i+1, j-1 {
		js[i], js[j] = js[j], js[i]
	}
	return js, 0, err
}
