package ops

import (
	"context"
	"errors"
	"io"
	"time"

	"stemmaster"
	"stemmaster/service"
)

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

func (m *Metrics) observe(kind string, start time.Time, ctx context.Context, err error) {
	outcome := "ok"
	switch {
	case err == nil:
	case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		outcome = "cancelled"
	default:
		outcome = "error"
	}
	m.JobSeconds.WithLabelValues(kind, outcome).Observe(time.Since(start).Seconds())
	m.JobsFinished.WithLabelValues(kind, outcome).Inc()
}
