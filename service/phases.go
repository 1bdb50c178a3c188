package service

import (
	"log/slog"
	"time"
)

// phases times the steps of a job for the operator's log: how long it
// waited in the queue, then each step since the previous mark.
type phases struct {
	last   time.Time
	attrs_ []any
}

func newPhases(queued time.Time) *phases {
	now := time.Now()
	p := &phases{last: now}
	if !queued.IsZero() {
		p.attrs_ = append(p.attrs_, slog.Duration("queued", now.Sub(queued)))
	}
	return p
}

func (p *phases) mark(name string) {
	now := time.Now()
	p.attrs_ = append(p.attrs_, slog.Duration(name, now.Sub(p.last)))
	p.last = now
}

func (p *phases) attrs() []any { return p.attrs_ }
