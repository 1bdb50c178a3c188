package service

import (
	"context"
	"errors"
	"os"
	"time"

	"stemmaster"
	"stemmaster/internal/faultpoint"
	"stemmaster/jobs"
	"stemmaster/store"
)

// Check runs a check job. The report is stored only if the stems it
// checked are still the project's.
func (r *Runner) Check(ctx context.Context, a jobs.CheckArgs, attempt, maxAttempts int) error {
	start := time.Now()
	job, last, err := r.begin(ctx, "check", a.ProjectID, a.JobID, attempt, maxAttempts)
	if job == nil {
		return err
	}
	work, err := r.workDir(ctx, store.JobCheck, job)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	defer os.RemoveAll(work)
	gen, files, err := r.Meta.FileSet(ctx, a.ProjectID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	src, err := r.checkFiles(ctx, files, work)
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	if len(src.stems) == 0 {
		return r.fail(ctx, job, errors.New("no stems uploaded"))
	}
	r.newJobProgress(job).write(ctx, "check", 0.1)
	report, err := noPanic(r.Log(), func() (*stemmaster.CheckReport, error) { return r.check(ctx, src) })
	if err != nil {
		return r.workFailed(ctx, job, start, last, err, src, work)
	}
	faultpoint.Hit("check-measured")
	stored, err := r.Meta.CompleteCheck(ctx, job.ID, job.Attempt, gen, encodeCheck(report, work))
	if err != nil {
		return r.retry(ctx, job, last, err)
	}
	faultpoint.Hit("check-stored")
	if stored {
		r.jobLog(job).Info("job done", "attempt", job.Attempt)
	} else {
		r.jobLog(job).Info("job done, superseded: the stems changed during the check", "attempt", job.Attempt)
	}
	return nil
}
