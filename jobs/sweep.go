package jobs

import (
	"context"
	"errors"
	"strings"
	"time"

	"stemmaster/store"
)

// SweepGrace is how old an object must be before Sweep may delete it: an
// upload or a render still writing has that long to record what it wrote.
const SweepGrace = time.Hour

// SweepResult counts what a sweep removed.
type SweepResult struct {
	Objects int
	Bytes   int64
}

// Sweep lists the blob store under projects/ and deletes, among objects
// older than grace, those no record owns: everything of a project the
// metadata store does not know (deleted or expired while a write was in
// flight), uploads no file record names (a killed upload, a replaced
// file), and the outputs of jobs that ended without being published
// (cancelled, failed, or replaced by a newer render). The published
// render and the files of queued and running jobs are never touched. It
// works the same on a directory and on S3, so nothing is orphaned on
// either.
func (r *Runner) Sweep(ctx context.Context, grace time.Duration) (SweepResult, error) {
	var res SweepResult
	cutoff := time.Now().Add(-grace)
	type projectState struct {
		gone   bool
		render string
		files  map[string]bool
		jobs   map[string]string // job id → state ("" when unknown)
	}
	projects := map[string]*projectState{}
	lookup := func(id string) (*projectState, error) {
		if ps, ok := projects[id]; ok {
			return ps, nil
		}
		ps := &projectState{files: map[string]bool{}, jobs: map[string]string{}}
		p, err := r.Meta.Project(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			ps.gone = true
			projects[id] = ps
			return ps, nil
		}
		if err != nil {
			return nil, err
		}
		ps.render = p.RenderJob
		files, err := r.Meta.Files(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			ps.files[f.BlobKey] = true
		}
		jobs, err := r.Meta.Jobs(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, j := range jobs {
			ps.jobs[j.ID] = j.State
		}
		projects[id] = ps
		return ps, nil
	}
	err := r.Blobs.Walk(ctx, "projects/", func(o store.ObjectInfo) error {
		if o.ModTime.After(cutoff) {
			return nil
		}
		rest := strings.TrimPrefix(o.Key, "projects/")
		id, rest, ok := strings.Cut(rest, "/")
		if !ok || id == "" {
			return nil
		}
		ps, err := lookup(id)
		if err != nil {
			return err
		}
		if !orphan(ps.gone, ps.render, ps.files, ps.jobs, o.Key, rest) {
			return nil
		}
		if err := r.Blobs.Delete(ctx, o.Key); err != nil {
			return err
		}
		res.Objects++
		res.Bytes += o.Size
		return nil
	})
	if res.Objects > 0 {
		r.logger().Info("sweep deleted orphaned objects", "objects", res.Objects, "bytes", res.Bytes)
	}
	return res, err
}

// orphan decides whether the object key (rest: its part after the
// project's prefix) belongs to nothing.
func orphan(gone bool, render string, files map[string]bool, jobs map[string]string, key, rest string) bool {
	if gone {
		return true
	}
	if jobID, _, ok := strings.Cut(strings.TrimPrefix(rest, "jobs/"), "/"); ok && strings.HasPrefix(rest, "jobs/") {
		if jobID == render {
			return false
		}
		state, known := jobs[jobID]
		if !known {
			return true
		}
		return state != store.StateQueued && state != store.StateRunning
	}
	if strings.HasPrefix(rest, store.KindStem+"/") || strings.HasPrefix(rest, store.KindMix+"/") {
		return !files[key]
	}
	return false
}
