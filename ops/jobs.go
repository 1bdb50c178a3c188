package ops

import (
	"context"
	"errors"
	"io"
	"time"

	"stemmaster"
	"stemmaster/jobs"
	"stemmaster/service"
)

// CountedWorker counts how every attempt of Worker's check and render
// jobs ended, the whole attempt: an engine that finished is not an
// attempt that did, when its upload or publication then failed (S3 or the
// database out of reach) and the job was put off.
type CountedWorker struct {
	jobs.Worker
	M *Metrics
}

// Check works a check job and counts how the attempt ended.
func (w CountedWorker) Check(ctx context.Context, a jobs.CheckArgs, attempt, maxAttempts int) error {
	err := w.Worker.Check(ctx, a, attempt, maxAttempts)
	w.M.JobsFinished.WithLabelValues(kindCheck, outcome(ctx, err)).Inc()
	return err
}

// Render works a render job and counts how the attempt ended.
func (w CountedWorker) Render(ctx context.Context, a jobs.RenderArgs, attempt, maxAttempts int) error {
	err := w.Worker.Render(ctx, a, attempt, maxAttempts)
	w.M.JobsFinished.WithLabelValues(kindRender, outcome(ctx, err)).Inc()
	return err
}

// TimedRenderer measures every render of Renderer into m.
type TimedRenderer struct {
	service.Renderer
	M *Metrics
}

// Render renders and records how long it took and how it ended.
func (t TimedRenderer) Render(ctx context.Context, in service.RenderInput) (*stemmaster.Report, error) {
	start := time.Now()
	out, err := t.Renderer.Render(ctx, in)
	t.M.observe(kindRender, start, ctx, err)
	return out, err
}

// TimedChecker measures every check of Checker into m.
type TimedChecker struct {
	service.Checker
	M *Metrics
}

// Check checks and records how long it took and how it ended.
func (t TimedChecker) Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error) {
	start := time.Now()
	rep, err := t.Checker.Check(ctx, stems, mix)
	t.M.observe(kindCheck, start, ctx, err)
	return rep, err
}

// CheckFrom checks files read through open when Checker can (see
// service.OpenChecker), and records it as Check does.
func (t TimedChecker) CheckFrom(ctx context.Context, stems []string, mix string, open func(string) (io.ReadSeekCloser, error)) (*stemmaster.CheckReport, error) {
	oc, ok := t.Checker.(service.OpenChecker)
	if !ok {
		return nil, errors.New("ops: the checker cannot read files in place")
	}
	start := time.Now()
	rep, err := oc.CheckFrom(ctx, stems, mix, open)
	t.M.observe(kindCheck, start, ctx, err)
	return rep, err
}

const (
	kindRender = "render"
	kindCheck  = "check"
)

// observe records the engine's time of one check or render; how the
// attempt ended is CountedWorker's to count.
func (m *Metrics) observe(kind string, start time.Time, ctx context.Context, err error) {
	m.JobSeconds.WithLabelValues(kind, outcome(ctx, err)).Observe(time.Since(start).Seconds())
}

// outcome names how work that returned err under ctx ended: ok, error
// (a failure for good or one put off to another attempt), or cancelled
// (a shutdown, a cancellation, the job's time limit).
func outcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "ok"
	case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "cancelled"
	}
	return "error"
}
