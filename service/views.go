package service

import (
	"context"
	"time"

	"stemmaster/store"
)

// What the HTTP handlers read about a project — the project itself, its
// jobs, its published outputs and its revisions — in the store's typed
// values, so package server reads nothing from the store directly.

// Project returns the project with the id (store.ErrNotFound when none).
func (ps *Projects) Project(ctx context.Context, id string) (*store.Project, error) {
	return ps.Meta.Project(ctx, id)
}

// Now is the database's clock as this process keeps it
// (store.Metadata.Now): the time projects are created, expire and are
// counted live at, the same on every front end and worker.
func (ps *Projects) Now() time.Time { return ps.Meta.Now() }

// LiveProjects counts the projects not yet expired at now.
func (ps *Projects) LiveProjects(ctx context.Context, now time.Time) (int, error) {
	return ps.Meta.LiveProjects(ctx, now)
}

// LiveProjectsOf counts the live projects client and its network created
// (store.SQL.LiveProjectsOf).
func (ps *Projects) LiveProjectsOf(ctx context.Context, client, net string, now time.Time) (int, int, error) {
	return ps.Meta.LiveProjectsOf(ctx, client, net, now)
}

// Job returns one of the project's jobs (store.ErrNotFound when none).
func (ps *Projects) Job(ctx context.Context, projectID, jobID string) (*store.Job, error) {
	return ps.Meta.Job(ctx, projectID, jobID)
}

// JobChanged returns a channel closed at the next change of the job, the
// function to call once no longer waiting (store.SQL.JobChanged), and
// true; or a nil channel, which never fires, when the store does not
// tell of changes.
func (ps *Projects) JobChanged(jobID string) (changed <-chan struct{}, release func(), told bool) {
	w, ok := ps.Meta.(interface {
		JobChanged(jobID string) (<-chan struct{}, func())
	})
	if !ok {
		return nil, func() {}, false
	}
	changed, release = w.JobChanged(jobID)
	return changed, release, true
}

// Outputs lists the files of the project's published render.
func (ps *Projects) Outputs(ctx context.Context, projectID string) ([]store.Output, error) {
	return ps.Meta.Outputs(ctx, projectID)
}

// Output finds the published output with the name and one of the kinds
// (store.ErrNotFound when none).
func (ps *Projects) Output(ctx context.Context, projectID, name string, kinds ...string) (*store.Output, error) {
	outs, err := ps.Meta.Outputs(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for i := range outs {
		if outs[i].Name != name {
			continue
		}
		for _, k := range kinds {
			if outs[i].Kind == k {
				return &outs[i], nil
			}
		}
	}
	return nil, store.ErrNotFound
}

// Revisions lists the project's published renders, oldest first; false
// when the store keeps no revisions or cannot list them now.
func (ps *Projects) Revisions(ctx context.Context, projectID string) ([]store.Revision, bool) {
	rs, ok := ps.Meta.(store.Revisions)
	if !ok {
		return nil, false
	}
	list, err := rs.ListRevisions(ctx, projectID)
	if err != nil {
		return nil, false
	}
	return list, true
}

// RevisionOutput finds the file with the name in revision n
// (store.ErrNotFound when none).
func (ps *Projects) RevisionOutput(ctx context.Context, projectID string, n int, name string) (*store.Output, error) {
	list, _ := ps.Revisions(ctx, projectID)
	for _, rev := range list {
		if rev.Number != n {
			continue
		}
		for i := range rev.Outputs {
			if rev.Outputs[i].Name == name {
				// Whose file it is, as the current outputs say: the
				// download's name tells the revision by its job.
				o := rev.Outputs[i]
				o.ProjectID, o.JobID = projectID, rev.JobID
				return &o, nil
			}
		}
	}
	return nil, store.ErrNotFound
}
