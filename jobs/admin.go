package jobs

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5"
	"riverqueue.com/riverui"
	"riverqueue.com/riverui/uiendpoints"
)

// AdminUI is River's web UI (riverqueue.com/riverui) over the queue: jobs
// by state, their arguments, errors and attempts, with retry and cancel.
type AdminUI struct {
	http.Handler
	start func(ctx context.Context) error
}

// Start runs the UI's background work until ctx ends.
func (a *AdminUI) Start(ctx context.Context) error { return a.start(ctx) }

// NewAdminUI builds River's UI for q, served under prefix (such as
// "/admin/jobs"). It does no authentication: the caller puts it behind
// one.
func NewAdminUI(q Queue, prefix string, logger *slog.Logger) (*AdminUI, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var endpoints uiendpoints.Bundle
	switch q := q.(type) {
	case *riverQueue[pgx.Tx]:
		endpoints = riverui.NewEndpoints(q.client, nil)
	case *riverQueue[*sql.Tx]:
		endpoints = riverui.NewEndpoints(q.client, nil)
	default:
		return nil, errors.New("jobs: the admin UI needs a River queue")
	}
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: endpoints,
		Logger:    logger,
		Prefix:    prefix,
	})
	if err != nil {
		return nil, err
	}
	return &AdminUI{Handler: h, start: h.Start}, nil
}
