package service

import (
	"context"
	"io"

	"stemmaster"
	"stemmaster/engine"
)

// RenderInput is what a Renderer gets: the session, parsed and reconciled
// with the uploads once by the Runner (each stem's "file" and the "mix"
// naming a file in Dir), and where to write.
type RenderInput struct {
	Session *stemmaster.Session
	Dir     string
	// Open, when set, opens the files the session names in Dir, which is
	// then empty: they are read in place (store.Inputs.Open).
	Open     func(path string) (io.ReadSeekCloser, error)
	OutDir   string
	Progress func(stage string, fraction float64)
	// Confirmed lists the check errors the client chose to master anyway
	// (report.json's "mastered_anyway").
	Confirmed []string
	// PlainSum, when set, receives the plain sum of the stems as the
	// render decodes them (engine.Options.PlainSum); a Renderer may leave
	// it uncalled, and the Runner then sums the stems itself.
	PlainSum engine.PlainSink
	// Finished, when set, is called with the name of each file of OutDir
	// as soon as it is final (never written again), so the Runner stores
	// it while the Renderer goes on; files it is not told of are taken
	// once Render returns.
	Finished func(name string)
}

// Renderer masters a session. Every file it writes to OutDir is published:
// audio deliverables, report.json, report.html, pictures (*.png). Errors it
// returns are taken as problems of the session or the files (the job fails
// at once and shows the error), except a cancelled context, which retries
// the job.
type Renderer interface {
	Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error)
}

// Checker checks a stem delivery (stems and an optional reference mix, both
// local paths); the file names in its report are the paths' base names or
// the paths themselves (the Runner shows clients base names only).
type Checker interface {
	Check(ctx context.Context, stems []string, mix string) (*stemmaster.CheckReport, error)
}

// OpenChecker is a Checker that also checks files read through open
// (store.Inputs.Open); with Runner.ReadInPlace a check job then reads the
// stems in place, as a render does.
type OpenChecker interface {
	CheckFrom(ctx context.Context, stems []string, mix string, open func(path string) (io.ReadSeekCloser, error)) (*stemmaster.CheckReport, error)
}
