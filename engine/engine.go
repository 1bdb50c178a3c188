// Package engine renders a stemmaster.Session: the stem mastering pipeline of
// DESIGN.md.
//
//	per stem, in parallel:  polarity/offset → gain/pan → EQ → compressor
//	sum (fixed order: the output is bit-identical however goroutines run)
//	master bus:             EQ → glue compressor        (kept in memory, float32)
//	loudness targeting:     gain → true-peak limiter → measure, iterated
//	per deliverable:        resample → TPDF dither → encode (atomic) → re-measure
//	versions:               main, instrumental, a cappella, TV — same settings
//
// Loudness is ITU-R BS.1770-4 / EBU R128 (package loudness); the limiter
// holds the true peak (BS.1770-4 Annex 2) at or under the ceiling in every
// delivered file.
package engine

import (
	"context"
	"errors"

	"stemmaster"
)

// Options tune a render. The zero value is usable except for OutDir.
type Options struct {
	// OutDir receives the outputs and report.json; it must exist.
	OutDir string
	// Progress, when set, is called with a stage name ("stems", "master",
	// "targeting", a deliverable's file name) and the fraction done (0…1).
	// It is called from the rendering goroutine and must return quickly.
	Progress func(stage string, fraction float64)
	// Workers bounds how many stems are processed at once; 0 means
	// GOMAXPROCS.
	Workers int
}

// Render runs the session and writes its outputs and report.json into
// opt.OutDir. It returns the report; ctx cancels the render (nothing is
// left under a final name).
func Render(ctx context.Context, s *stemmaster.Session, opt Options) (*stemmaster.Report, error) {
	return nil, errors.New("engine: not implemented yet")
}
