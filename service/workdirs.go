package service

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"stemmaster/store"
)

// A job works in a directory of its own under Runner.WorkDir, named for
// the job ("render-<job>-…", "check-<job>-…") and removed when the job
// returns. A process killed mid-job (kill -9, a machine restart) leaves
// it behind while the job runs again elsewhere or ends, so each job, as
// it starts, removes the directories of jobs no process works on any
// more: a crash loop never fills the disk with scratch.

// workDir removes the work directories of jobs no process works on any
// more (cleanWorkDirs), then makes this job's, named as workDirName reads
// it. The job removes it when it returns.
func (r *Runner) workDir(ctx context.Context, kind string, job *store.Job) (string, error) {
	r.cleanWorkDirs(ctx)
	return os.MkdirTemp(r.WorkDir, kind+"-"+job.ID+"-")
}

// workDirName matches a job's work directory and gives its job id.
var workDirName = regexp.MustCompile(`^(?:render|check)-([0-9a-f]{32})-[0-9]+$`)

// workedSilence is how long a job must have been unchanged before its
// directory is taken for a dead process's: a running job's heartbeat
// changes it every second, and one that has just ended (or been
// cancelled) may still be returning; far longer than any lease, so a live
// job's scratch is never removed.
const workedSilence = 5 * time.Minute

// workedJobs is what cleanWorkDirs needs of the store (*store.SQL).
type workedJobs interface {
	WorkedJobs(ctx context.Context, ids []string, since time.Time) (map[string]bool, error)
}

// cleanWorkDirs removes the work directories of jobs no process works on:
// jobs deleted, or unchanged for workedSilence.
// Only a WorkDir of the service's own is cleaned (not os.TempDir).
func (r *Runner) cleanWorkDirs(ctx context.Context) {
	wj, ok := r.Meta.(workedJobs)
	if r.WorkDir == "" || !ok {
		return
	}
	ents, err := os.ReadDir(r.WorkDir)
	if err != nil {
		return
	}
	dirs := map[string][]string{}
	var ids []string
	for _, e := range ents {
		m := workDirName.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		if dirs[m[1]] == nil {
			ids = append(ids, m[1])
		}
		dirs[m[1]] = append(dirs[m[1]], e.Name())
	}
	if len(ids) == 0 {
		return
	}
	worked, err := wj.WorkedJobs(ctx, ids, r.Meta.Now().Add(-workedSilence))
	if err != nil {
		r.Log().Warn("work directories", "error", err)
		return
	}
	for _, id := range ids {
		if worked[id] {
			continue
		}
		for _, d := range dirs[id] {
			if err := os.RemoveAll(filepath.Join(r.WorkDir, d)); err != nil {
				r.Log().Warn("remove a dead job's work directory", "dir", d, "error", err)
				continue
			}
			r.Log().Info("removed a dead job's work directory", "job", id, "dir", d)
		}
	}
}
