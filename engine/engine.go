// Package engine renders a stemmaster.Session: the stem mastering pipeline
// of docs/architecture.md, which also walks through it function by function.
//
//	per stem, in parallel:  polarity/offset → gain/pan → EQ → compressor
//	                        → de-esser → dynamic EQ → multiband → width
//	sum (fixed order: the output is bit-identical however goroutines run)
//	master bus:             rumble filter → match EQ → EQ → glue compressor
//	                        → multiband → width → saturation
//	                        (kept in memory, float32)
//	loudness targeting:     gain predicted from the bus (gainModel) → one
//	                        gain → true-peak limiter → measure pass, iterated
//	                        only when it misses
//	per deliverable:        resample → TPDF dither → encode (atomic) → re-measure
//	versions:               main, instrumental, a cappella, TV — same settings
//
// Stages overlap where the result allows it, so that both cores stay busy:
// the stems run in parallel, and the stem checks beside them reading the
// blocks the strips decode (share.go); the master EQ and compressor follow
// the sum's analysis block by block; the limiter pass streams through a
// ring (tap.go) to its meter and the deliverables, which run beside it
// (abandoned, their files never named, when the pass is not the last).
// Every stage sees exactly the samples it would see run alone, so the
// outputs do not depend on the overlap (TestGoldenOutputs pins them).
//
// Loudness is ITU-R BS.1770-4 / EBU R128 (package loudness); the limiter
// holds the true peak (BS.1770-4 Annex 2) at or under the ceiling in every
// delivered file.
//
// The files follow the render's jobs: engine.go (Options, Render),
// inputs.go (headers, output checks, session hash, the stem checks),
// share.go (the checks' share of the decode), stems.go (each stem's strip
// and the sum, with the one stem summer of dsp/stemsum), plainsum.go (the
// plain, unprocessed sum handed to Options.PlainSum from the same decode),
// render.go (the order of the stages and the other versions), master.go
// (master EQ and glue compressor over the bus), model.go (the gain
// prediction, K-weighted by the loudness package), target.go (gain →
// limiter → measure passes and loudness targeting), tap.go and follow.go
// (readers streaming behind a pass), deliver.go (resample → dither →
// encode → re-measure), publish.go (atomic commit of the outputs and
// report.json), chain.go (building processors from the session), curves.go
// (the report's pictures), timing.go (the report's timing table), gc.go
// (the collector's target while renders run).
//
// Beside them: source.go (Options.OpenInput), stemfix.go (the song's rate
// and a stem opened at it, resampled when the session says so),
// unchanged.go (an input changed while the render reads it), noaudio.go
// (stems empty once offset), scratch.go (the disk a render takes),
// plainfeed.go (the plain sum's own decode of a stem main does not play),
// chain_extra.go and matcheq.go (the stem's extra processors; the
// master's rumble filter and match EQ), metergroup.go and summeters.go
// (the strips' meters), attribution.go (each stem's share of the
// limiting), spectrum.go (the long-term average spectrum), pass.go (one
// targeting pass), deliver_stage.go (a deliverable's conversion stage),
// cputime_*.go (the CPU time of the report). The stem-aware limiter's
// input lives in stemaware.go and the files named after it: the weight
// classes (stemaware_class.go), spooled to scratch files
// (stemaware_spool.go), their master chains (stemaware_chains.go,
// stemaware_share.go, stemaware_progress.go), the probe that aims the
// first pass (stemaware_probe.go), the stages skipped where it would not
// act (stemaware_quiet.go) and the master kept for a deliverable written
// a second time (stemaware_keep.go).
//
// Memory: stems stream through in blocks of BlockSize frames; the engine
// holds one stereo float32 bus of the song's length (the sum, then the
// master before gain and limiter) and a few seconds of ring behind each
// pass; the master after the limiter is never held whole. Memory grows
// with the song's length, not with the number of stems, versions or
// deliverables.
package engine

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"time"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// WrittenProgress is a deliverable's progress once its file is written
// under its temporary name, before the render publishes it (Options'
// Progress).
const WrittenProgress = 0.99

// ProgramVersion is stemmaster's version, written into report.json as
// "stemmaster"; the CLI sets it from its build version.
var ProgramVersion = "dev"

// Options tune a render. The zero value is usable except for OutDir.
type Options struct {
	// OutDir receives the outputs and report.json; it must exist.
	OutDir string
	// Progress, when set, is called with a stage name ("stem <file>",
	// "master", "targeting", a deliverable's file name) and the fraction done
	// (0…1). A deliverable reaches WrittenProgress when its file is written
	// under its temporary name and 1 only once the render has published it
	// under its final name (every deliverable at once, with report.json); a
	// render that fails takes none to 1. It may be called from several
	// goroutines at once and must return quickly.
	Progress func(stage string, fraction float64)
	// Workers bounds how many stems are processed at once; 0 means
	// GOMAXPROCS. (Deliverables all run at once: they stream behind the
	// limiter pass and must all keep up with it.)
	Workers int
	// Warn, when set, receives each warning as it arises (the CLI prints
	// them on stderr); they are in the report's warnings too.
	Warn func(msg string)
	// SkipCheck leaves out the stem checks (package check) that otherwise
	// run beside the render and fill the report's findings. They read the
	// stems as the strips decode them and meter every stem once more
	// (without per-stem true peak, which no finding needs), a large share
	// of the work.
	SkipCheck bool
	// MaxDurationS bounds the song's length in seconds, offsets included
	// (the master bus is kept in memory, 8 bytes a frame); 0 means
	// DefaultMaxDurationS. The service sets its own limit.
	MaxDurationS float64
	// OpenInput, when set, opens the stems and the mix instead of the file
	// system (see source.go); their paths still name them.
	OpenInput OpenInput
	// PlainSum, when set, receives the plain sum of the stems (unity, no
	// processing: the A/B player's reference) while the render decodes
	// them, so nobody decodes the stems a second time for it. See
	// PlainSink for when it is called.
	PlainSum PlainSink
	// Committed, when set, is called with the report once the render's
	// files are in place, while the render still holds OutDir: what the
	// caller adds to OutDir there (the CLI's HTML report and pictures)
	// cannot land beside another render's masters, which a write after
	// Render returns could. Render's result does not depend on it.
	Committed func(*stemmaster.Report)
	// CommitWarnings, when set, is called once the render has succeeded,
	// before its files are published, while the render holds OutDir; each
	// warning it returns joins the report's (and goes to Warn), so that
	// report.json and --json carry what the caller finds in OutDir (the
	// CLI: an earlier render's report.html), not stderr alone.
	CommitWarnings func() []string

	// followMode chooses the targeting passes the main deliverables stream
	// behind (followLikely when zero); tests vary it to show the outputs do
	// not depend on it.
	followMode int
	// noKeep: a deliverable written a second time limits the stems again
	// rather than read the kept stem-aware master (keepPass); tests show
	// the two give the same file.
	noKeep bool
	// plainFirst: a stem-aware pass runs the plain limiter first even when
	// the gain model predicts the limiter acts (its reading then decides
	// alone); tests show the pass run again stem-aware is the one run so
	// at once.
	plainFirst bool
	// noProbe: a first stem-aware pass is aimed by the gain model alone,
	// without measuring the stem-aware limiter on excerpts (aimAware);
	// tests compare it with the plain pass first at the same gain.
	noProbe bool
	// createSink, when set, opens the deliverables instead of
	// createFileSink; tests wrap the file to simulate a full disk.
	createSink func(path, container string, f audio.Format) (sink, error)
}

// DefaultMaxDurationS is the longest song Render accepts unless
// Options.MaxDurationS says otherwise: an hour (about 1.4 GB of bus at
// 48 kHz), far beyond a song, short of exhausting memory through a typo in
// offset_samples.
const DefaultMaxDurationS = 3600

// ReportFile is the name of the report in the output directory.
const ReportFile = "report.json"

// Render runs the session and writes its outputs and report.json into
// opt.OutDir. It returns the report; ctx cancels the render. On any error
// no file appears under a final name; inputs are only read.
//
// Every output is written under a temporary name and renamed only once the
// whole render has succeeded, report.json last: a render that fails or is
// cancelled into a directory holding a previous render leaves that render
// as it was, files and report alike. Temporary files a killed render left
// behind for this session's outputs are removed first (see removeStale).
func Render(ctx context.Context, s *stemmaster.Session, opt Options) (*stemmaster.Report, error) {
	start := time.Now()
	cpu0, cpuOK := cpuTime()
	if s == nil {
		return nil, errors.New("engine: nil session")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.WithDefaults()
	defer lowerGCTarget()()
	r := &renderer{s: s, opt: opt, ctx: ctx, clk: newClock()}
	r.clk.start = start
	if r.opt.Workers <= 0 {
		r.opt.Workers = runtime.GOMAXPROCS(0)
	}
	if err := checkOutDir(opt.OutDir); err != nil {
		return nil, err
	}
	unlock, locked, err := lockOutDir(opt.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if s.Mix != "" {
		r.stamp(s.Path(s.Mix))
	}
	if err := r.readHeaders(); err != nil {
		return nil, err
	}
	if err := s.ValidateRate(r.rate); err != nil {
		return nil, err
	}
	if err := r.checkOverwrite(); err != nil {
		return nil, err
	}
	r.removeStale(time.Now(), locked)
	checked := func() (*stemmaster.CheckReport, error) { return nil, nil }
	if !opt.SkipCheck {
		checked = r.startCheck()
	}
	rep, err := r.render()
	for _, t := range r.tees {
		t.detach() // the check reads on by itself from what is left
	}
	cr, cerr := checked()
	if err != nil {
		r.abortPending()
		return nil, err
	}
	if cerr != nil {
		r.warn("stem checks failed: " + cerr.Error())
		rep.Warnings = append([]string{}, r.warnings...)
	}
	if cr != nil {
		rep.Findings = append(rep.Findings, cr.Findings...)
		rep.CheckMix = cr.Mix
		// The one rule of what a session corrects (analysis.Resolve), as
		// the page and the CLI's exit status read it.
		rs := analysis.Resolve(cr.Findings, r.s, false)
		rep.CorrectedBySession = analysis.CorrectedLines(rs)
		rep.Advice = analysis.SessionAdvice(cr, rs)
		// The check metered every stem as delivered: that is the stems'
		// loudness before their strips.
		if len(cr.Stems) == len(rep.Stems) {
			for i := range rep.Stems {
				if !rep.Stems[i].Muted {
					rep.Stems[i].BeforeLUFS = cr.Stems[i].IntegratedLUFS
				}
			}
		}
	}
	wall := time.Since(start).Seconds()
	rep.WallTimeS = stemmaster.Level(wall)
	rep.XRealTime = stemmaster.Level(float64(r.frames) / float64(r.rate) / wall)
	rep.CPUTimeS = stemmaster.Level(math.NaN())
	if cpu1, ok := cpuTime(); ok && cpuOK {
		rep.CPUTimeS = ms(stemmaster.Level((cpu1 - cpu0).Seconds()))
	}
	rep.Stages = r.clk.table()
	if err := r.unchanged(); err != nil {
		r.abortPending()
		return nil, err
	}
	// The inputs are as stamped: their stamps tell them from stale outputs.
	warned := false
	if w := r.staleOutputs(rep); w != "" {
		r.warn(w)
		warned = true
	}
	if opt.CommitWarnings != nil {
		for _, w := range opt.CommitWarnings() {
			r.warn(w)
			warned = true
		}
	}
	if warned {
		rep.Warnings = append([]string{}, r.warnings...)
	}
	if err := r.commit(rep); err != nil {
		return nil, err
	}
	for _, o := range rep.Outputs {
		r.progress(o.File, 1)
	}
	if opt.Committed != nil {
		opt.Committed(rep)
	}
	return rep, nil
}

type renderer struct {
	s      *stemmaster.Session
	opt    Options
	ctx    context.Context
	inputs []stemInput
	rate   int
	frames int64
	hash   string

	clk  *clock // the report's timing table
	tees []*tee // by input: the stem checks' share of the decode (nil without checks)
	// plain is the plain sum gathered from the main sum's strips (nil
	// when not asked for, or once the main sum is done)
	plain *plainSum

	mu       sync.Mutex
	warnings []string
	pending  []sink       // deliverables finished under their temporary names
	stamps   []inputStamp // local inputs as the render found them, the mix first (unchanged.go)
}

func (r *renderer) warn(msg string) {
	r.record(msg)
	r.notify(msg)
}

// record adds a warning to the report.
func (r *renderer) record(msg string) {
	r.mu.Lock()
	r.warnings = append(r.warnings, msg)
	r.mu.Unlock()
}

// notify passes a warning to Options.Warn as it arises.
func (r *renderer) notify(msg string) {
	if r.opt.Warn != nil {
		r.opt.Warn(msg)
	}
}

func (r *renderer) progress(stage string, f float64) {
	if r.opt.Progress != nil {
		r.opt.Progress(stage, f)
	}
}
