package service

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"stemmaster/internal/atomicfile"
	"stemmaster/internal/faultpoint"
	"stemmaster/store"
)

// Sweep deletes the blobs of renders that were superseded or failed, or
// fell out of the kept revisions, as the sweep table lists them. It never
// touches a project's current render or a kept revision: those are skipped
// (and forgotten) whatever the table says. A crash halfway leaves the entry, and the next sweep finishes it.
// It drops the reservations of uploads whose lease ran out first (a front
// end that died mid-upload leaves its row).
func (r *Runner) Sweep(ctx context.Context) {
	if n, err := r.Meta.DropLapsedUploads(ctx); err != nil {
		r.Log().Warn("sweep lapsed upload reservations", "error", err)
	} else if n > 0 {
		r.Log().Info("lapsed upload reservations dropped", "count", n)
	}
	sweeps, err := r.Meta.Sweeps(ctx)
	if err != nil {
		r.Log().Warn("sweep", "error", err)
		return
	}
	for _, sw := range sweeps {
		p, err := r.Meta.Project(ctx, sw.ProjectID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Deleting a project deletes its blobs.
		case err != nil:
			r.Log().Warn("sweep", "project", sw.ProjectID, "error", err)
			continue
		case p.RenderJob == sw.JobID:
			r.Log().Warn("sweep skipped the current render", "project", sw.ProjectID, "job", sw.JobID)
		case r.isRevision(ctx, sw):
			// A kept revision's files live as long as the project.
		default:
			// A revision past the kept window is forgotten before its
			// files go, so no listed revision ever misses a file; a crash
			// in between leaves the entry, and the next sweep deletes them.
			if revs, ok := r.Meta.(store.Revisions); ok {
				if err := revs.DeleteRevision(ctx, sw.ProjectID, sw.JobID); err != nil {
					r.Log().Warn("sweep", "project", sw.ProjectID, "job", sw.JobID, "error", err)
					continue
				}
			}
			if err := r.deleteJobBlobs(ctx, sw); err != nil {
				r.Log().Warn("sweep", "project", sw.ProjectID, "job", sw.JobID, "error", err)
				continue
			}
		}
		if err := r.Meta.SweepDone(ctx, sw); err != nil {
			r.Log().Warn("sweep", "error", err)
			return
		}
		r.Log().Info("render swept", "project", sw.ProjectID, "job", sw.JobID)
	}
}

// deleteJobBlobs deletes a job's blobs one by one (a fault point sits
// between two deletions).
func (r *Runner) deleteJobBlobs(ctx context.Context, sw store.Sweep) error {
	keys, err := r.Blobs.Keys(ctx, store.JobPrefix(sw.ProjectID, sw.JobID))
	if err != nil {
		return err
	}
	for i, k := range keys {
		if err := r.Blobs.Delete(ctx, k); err != nil {
			return err
		}
		if i == 0 {
			faultpoint.Hit("sweep-midway")
		}
	}
	return nil
}

// fileblobTemp matches the temporary files gocloud.dev's fileblob writes
// beside an object ("KEY.<hex nanoseconds>.tmp") and atomicfile's.
var fileblobTemp = regexp.MustCompile(`\.[0-9a-f]{8,}\.tmp$`)

// CleanOrphans removes from the blob store what no record refers to and no
// running job may still write: temporary files of killed writes older than
// minAge, output folders of jobs gone or finished without being the
// current render, reference audio no row names, and folders of projects
// gone. Run at startup.
func (r *Runner) CleanOrphans(ctx context.Context, minAge time.Duration) (int, error) {
	keys, err := r.Blobs.Keys(ctx, "projects/")
	if err != nil {
		return 0, err
	}
	type jobKey struct{ project, job string }
	projects := map[string]*store.Project{}
	gone := map[string]bool{}
	jobState := map[jobKey]string{}
	rows := rowKeys{meta: r.Meta, keys: map[rowSet]map[string]bool{}}
	n := 0
	for _, k := range keys {
		parts := strings.SplitN(k, "/", 5) // projects/ID/…
		if len(parts) < 3 {
			continue
		}
		pid := parts[1]
		if _, seen := projects[pid]; !seen && !gone[pid] {
			p, err := r.Meta.Project(ctx, pid)
			if errors.Is(err, store.ErrNotFound) {
				gone[pid] = true
			} else if err != nil {
				return n, err
			} else {
				projects[pid] = p
			}
		}
		orphan := false
		base := k[strings.LastIndexByte(k, '/')+1:]
		switch {
		case gone[pid]:
			orphan = r.olderThan(ctx, k, minAge) // a project being created has its blobs first
		case parts[2] == "jobs" && len(parts) >= 4:
			jk := jobKey{pid, parts[3]}
			st, ok := jobState[jk]
			if !ok {
				j, err := r.Meta.Job(ctx, pid, parts[3])
				switch {
				case errors.Is(err, store.ErrNotFound):
					st = "gone"
				case err != nil:
					return n, err
				default:
					st = j.State
				}
				jobState[jk] = st
			}
			finished := st == "gone" || store.Finished(st)
			orphan = finished && projects[pid].RenderJob != parts[3] && !r.isRevision(ctx, store.Sweep{ProjectID: pid, JobID: parts[3]})
		case parts[2] == store.KindStem || parts[2] == store.KindMix || parts[2] == KindReference:
			// Audio of an upload cut off between its blob and its row, or
			// of a replaced file whose deletion failed. References kept
			// the earlier way live under "references" and are never taken
			// here: adoption owns them.
			named, err := rows.of(ctx, pid, parts[2] == KindReference)
			if err != nil {
				return n, err
			}
			orphan = r.unnamed(ctx, named, k, base, minAge)
		default:
			orphan = isTemp(k, base) && r.olderThan(ctx, k, minAge)
		}
		if !orphan {
			continue
		}
		if err := r.Blobs.Delete(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	// Parts of S3 uploads a killed process never finished. A store that
	// cannot list them (an S3 look-alike without the call) is no reason
	// to refuse to start: the sweep goes on without.
	m, err := r.Blobs.AbortStaleUploads(ctx, "projects/", r.sweepNow().Add(-minAge))
	if err != nil {
		r.Log().Warn("unfinished uploads not aborted", "error", err)
	}
	return n + m, nil
}

// rowKeys reads the blob keys that a project's rows name, once per
// project and table.
type rowKeys struct {
	meta store.Metadata
	keys map[rowSet]map[string]bool
}

type rowSet struct {
	project    string
	references bool // the reference tracks' rows, else the files'
}

// of returns the keys the files (stems and mix) or the references of
// project pid name.
func (c rowKeys) of(ctx context.Context, pid string, references bool) (map[string]bool, error) {
	set := rowSet{pid, references}
	if keys, ok := c.keys[set]; ok {
		return keys, nil
	}
	keys := map[string]bool{}
	if references {
		refs, err := c.meta.ReferenceTracks(ctx, pid)
		if err != nil {
			return nil, err
		}
		for _, rt := range refs {
			keys[rt.BlobKey] = true
		}
	} else {
		files, err := c.meta.Files(ctx, pid)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			keys[f.BlobKey] = true
		}
	}
	c.keys[set] = keys
	return keys, nil
}

// unnamed reports whether key k (file name base) is an orphan among the
// keys rows name: a row's own key or a key beside it (its stream preview)
// stays; a temporary file of a write cut off beside either, or any other
// key, goes once it is older than minAge.
func (r *Runner) unnamed(ctx context.Context, named map[string]bool, k, base string, minAge time.Duration) bool {
	switch {
	case named[k]:
		return false
	case isTemp(k, base):
		return r.olderThan(ctx, k, minAge)
	default:
		return fileOf(named, k) == "" && r.olderThan(ctx, k, minAge)
	}
}

// isTemp reports whether key k (file name base) is a temporary file of a
// write: fileblob's or atomicfile's.
func isTemp(k, base string) bool {
	return fileblobTemp.MatchString(k) || atomicfile.IsTemp(base, "")
}

func (r *Runner) olderThan(ctx context.Context, key string, age time.Duration) bool {
	if age <= 0 {
		return true
	}
	mod, err := r.Blobs.ModTime(ctx, key)
	return err == nil && r.sweepNow().Sub(mod) > age
}

// sweepNow is the time an object's age is counted at: the earlier of this
// machine's clock and the database's. The object's date is the blob
// store's (S3's clock, or the disk's); a worker whose clock ran an hour
// ahead took a stem uploaded a moment ago, not yet recorded, and a
// render's outputs not yet published for orphans, and deleted them: the
// stem then listed without its audio, the render published without its
// master. Counted by both clocks, an object is old only when it is old
// by each of them.
func (r *Runner) sweepNow() time.Time {
	if db := r.Meta.Now(); db.Before(time.Now()) {
		return db
	}
	return time.Now()
}

// isRevision reports whether the swept job is one of the project's kept
// revisions: the newest KeepRevisions published renders. On a read error it
// answers yes: a sweep skipped costs disk, a file deleted is lost.
func (r *Runner) isRevision(ctx context.Context, sw store.Sweep) bool {
	revs, ok := r.Meta.(store.Revisions)
	if !ok {
		return false
	}
	list, err := revs.ListRevisions(ctx, sw.ProjectID)
	if err != nil {
		return true
	}
	keep := r.keepRevisions()
	for i, rev := range list {
		if rev.JobID == sw.JobID {
			return i >= len(list)-keep
		}
	}
	return false
}

// fileOf returns the recorded file key that k is or sits beside (k with
// "."-separated suffixes, as a stream preview), "" for none.
func fileOf(keys map[string]bool, k string) string {
	slash := strings.LastIndexByte(k, '/')
	for cand := k; ; {
		if keys[cand] {
			return cand
		}
		d := strings.LastIndexByte(cand, '.')
		if d <= slash {
			return ""
		}
		cand = cand[:d]
	}
}

// sweepOldRevisions queues the revisions that fell out of the kept window
// for the sweeper (the current render is never among them: it is the
// newest).
func (r *Runner) sweepOldRevisions(ctx context.Context, projectID string) {
	revs, ok := r.Meta.(store.Revisions)
	if !ok {
		return
	}
	list, err := revs.ListRevisions(ctx, projectID)
	if err != nil {
		r.Log().Warn("list revisions", "project", projectID, "error", err)
		return
	}
	for _, rev := range list[:max(0, len(list)-r.keepRevisions())] {
		if err := r.Meta.AddSweep(ctx, store.Sweep{ProjectID: projectID, JobID: rev.JobID}); err != nil {
			r.Log().Warn("queue old revision for sweeping", "project", projectID, "job", rev.JobID, "error", err)
		}
	}
}
