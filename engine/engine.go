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
// Stages overlap where the result allows it, so that both cores stay busy:
// the stem checks run beside the render; the master EQ and compressor
// follow the sum's analysis block by block; the main version's deliverables
// stream behind each targeting pass likely to be the last (abandoned, their
// files never named, when it is not). Every stage sees exactly the samples
// it would see run alone, so the outputs do not depend on the overlap.
//
// Loudness is ITU-R BS.1770-4 / EBU R128 (package loudness); the limiter
// holds the true peak (BS.1770-4 Annex 2) at or under the ceiling in every
// delivered file.
//
// Memory: stems stream through in blocks of BlockSize frames; the engine
// holds two stereo float32 buses of the song's length (the sum, and the
// limited master), so memory grows with the song's length, not with the
// number of stems.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/dsp/dynamics"
	"stemmaster/loudness"
)

// Version is the program version written into report.json; the CLI sets it.
var Version = "dev"

// Options tune a render. The zero value is usable except for OutDir.
type Options struct {
	// OutDir receives the outputs and report.json; it must exist.
	OutDir string
	// Progress, when set, is called with a stage name ("stem <file>",
	// "master", "targeting", a deliverable's file name) and the fraction done
	// (0…1). It may be called from several goroutines at once and must
	// return quickly.
	Progress func(stage string, fraction float64)
	// Workers bounds how many stems (and deliverables) are processed at
	// once; 0 means GOMAXPROCS.
	Workers int
	// Warn, when set, receives each warning as it arises (the CLI prints
	// them on stderr); they are in the report's warnings too.
	Warn func(msg string)
	// SkipCheck leaves out the stem checks (package check) that otherwise
	// run beside the render and fill the report's findings. They read and
	// meter every stem once more (without per-stem true peak, which no
	// finding needs), a large share of the work.
	SkipCheck bool
	// MaxDurationS bounds the song's length in seconds, offsets included
	// (the master bus is kept in memory, 16 bytes a frame for two stereo
	// buses); 0 means DefaultMaxDurationS. The service sets its own limit.
	MaxDurationS float64
}

// DefaultMaxDurationS is the longest song Render accepts unless
// Options.MaxDurationS says otherwise: an hour (about 2.8 GB of bus at
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
	if s == nil {
		return nil, errors.New("engine: nil session")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.WithDefaults()
	r := &renderer{s: s, opt: opt, ctx: ctx}
	if r.opt.Workers <= 0 {
		r.opt.Workers = runtime.GOMAXPROCS(0)
	}
	if err := checkOutDir(opt.OutDir); err != nil {
		return nil, err
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
	r.removeStale(time.Now())
	checked := func() (*stemmaster.CheckReport, error) { return nil, nil }
	if !opt.SkipCheck {
		checked = r.startCheck()
	}
	rep, err := r.render()
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
	if err := r.commit(rep); err != nil {
		return nil, err
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

	mu       sync.Mutex
	warnings []string
	pending  []sink // deliverables finished under their temporary names
}

func (r *renderer) warn(msg string) {
	r.mu.Lock()
	r.warnings = append(r.warnings, msg)
	r.mu.Unlock()
	if r.opt.Warn != nil {
		r.opt.Warn(msg)
	}
}

func (r *renderer) progress(stage string, f float64) {
	if r.opt.Progress != nil {
		r.opt.Progress(stage, f)
	}
}

// checkOutDir fails early, before any audio is processed, when the output
// directory is missing or not writable.
func checkOutDir(dir string) error {
	if dir == "" {
		return errors.New("engine: no output directory")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output directory %s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, ".stemmaster-probe-*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// readHeaders reads every stem's header: the rates must agree, stems are
// mono or stereo, and the song is as long as the longest stem with its
// offset.
func (r *renderer) readHeaders() error {
	var errs []error
	for i, st := range r.s.Stems {
		p := r.s.Path(st.File)
		info, err := audio.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c := info.Format.Channels; c != 1 && c != 2 {
			errs = append(errs, &audio.FileError{Path: p, Err: fmt.Errorf("%d channels: stems must be mono or stereo", c)})
			continue
		}
		if info.Frames < 0 {
			errs = append(errs, &audio.FileError{Path: p, Err: errors.New("the header does not give the length")})
			continue
		}
		r.inputs = append(r.inputs, stemInput{index: i, spec: st, path: p, info: info})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.rate = r.inputs[0].info.Format.SampleRate
	var rates []string
	for _, in := range r.inputs {
		rates = append(rates, fmt.Sprintf("%s %d Hz", in.spec.File, in.info.Format.SampleRate))
		if in.info.Format.SampleRate != r.rate {
			return fmt.Errorf("stems have different sample rates (%s): convert them to one rate first", strings.Join(rates, ", "))
		}
	}
	// The strips and the master meter with package loudness, which refuses
	// (panics on) a rate it cannot meter: refuse such stems here, by name.
	if err := loudness.CheckFormat(float64(r.rate), busChannels); err != nil {
		return &audio.FileError{Path: r.inputs[0].path, Err: fmt.Errorf("sample rate %d Hz: stemmaster renders %d … %d Hz",
			r.rate, loudness.MinSampleRate, loudness.MaxSampleRate)}
	}
	for _, in := range r.inputs {
		r.frames = max(r.frames, in.info.Frames+in.spec.OffsetSamples)
	}
	if r.frames <= 0 {
		return errors.New("the stems hold no audio")
	}
	maxS := r.opt.MaxDurationS
	if maxS <= 0 {
		maxS = DefaultMaxDurationS
	}
	if limit := int64(min(maxS*float64(r.rate), math.MaxInt32)); r.frames > limit {
		return fmt.Errorf("the song would be %.1f s long (stems and offset_samples); the engine renders at most %.0f s",
			float64(r.frames)/float64(r.rate), float64(limit)/float64(r.rate))
	}
	r.hash = sessionHash(r.s, r.inputs)
	return nil
}

// startCheck runs the stem checks (package check) on the stems and the
// mix beside the render and returns a function that waits for their
// findings. Error-severity findings do not stop a render — the session may
// already correct them (offset_samples, polarity) — they are reported.
func (r *renderer) startCheck() func() (*stemmaster.CheckReport, error) {
	var paths []string
	for _, in := range r.inputs {
		paths = append(paths, in.path)
	}
	mix := ""
	if r.s.Mix != "" {
		mix = r.s.Path(r.s.Mix)
	}
	type result struct {
		rep *stemmaster.CheckReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := check.Run(r.ctx, check.FileSources(paths), check.MixSource(mix), check.Options{NoStemTruePeak: true})
		done <- result{rep, err}
	}()
	return func() (*stemmaster.CheckReport, error) {
		res := <-done
		return res.rep, res.err
	}
}

// checkOverwrite refuses a render whose outputs would replace one of its
// inputs (a stem called main.wav rendered into its own directory).
func (r *renderer) checkOverwrite() error {
	var inputs []os.FileInfo
	var names []string
	for _, in := range r.inputs {
		if fi, err := os.Stat(in.path); err == nil {
			inputs, names = append(inputs, fi), append(names, in.path)
		}
	}
	if r.s.Mix != "" {
		if fi, err := os.Stat(r.s.Path(r.s.Mix)); err == nil {
			inputs, names = append(inputs, fi), append(names, r.s.Path(r.s.Mix))
		}
	}
	for _, v := range r.s.Versions {
		for _, o := range r.s.Outputs {
			p := filepath.Join(r.opt.OutDir, o.FileName(v))
			fi, err := os.Stat(p)
			if err != nil {
				continue
			}
			for i, in := range inputs {
				if os.SameFile(fi, in) {
					return fmt.Errorf("output %s would overwrite the input %s: choose another output directory", p, names[i])
				}
			}
		}
	}
	return nil
}

// sessionHash identifies a render: SHA-256 over the session as JSON and each
// stem's header figures. It seeds the dither. The session is hashed with its
// files reduced to their base names (and no directory), so the same stems
// named by relative or absolute paths, or from another working directory,
// give the same hash and the same bytes.
func sessionHash(s *stemmaster.Session, in []stemInput) string {
	h := sha256.New()
	c := *s
	c.Dir, c.Name, c.Lines = "", "", nil
	c.Stems = append([]stemmaster.StemSpec(nil), s.Stems...)
	for i := range c.Stems {
		c.Stems[i].File = filepath.Base(c.Stems[i].File)
	}
	if c.Mix != "" {
		c.Mix = filepath.Base(c.Mix)
	}
	js, _ := json.Marshal(&c)
	h.Write(js)
	for _, st := range in {
		f := st.info.Format
		fmt.Fprintf(h, "|%s|%s|%d|%d|%d|%s|%d", filepath.Base(st.path), st.info.Container, f.SampleRate, f.Channels, f.BitDepth, f.SampleFormat, st.info.Frames)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ditherSeed derives a deliverable's dither seed from the session hash and
// the file name, so every file has its own noise and reruns are identical.
func ditherSeed(hash, name string) uint64 {
	sum := sha256.Sum256([]byte(hash + "/" + name))
	return binary.LittleEndian.Uint64(sum[:8])
}

func (r *renderer) render() (*stemmaster.Report, error) {
	s := r.s
	rate := float64(r.rate)
	tg := s.Master.EffectiveTarget()
	rep := &stemmaster.Report{
		Stemmaster:  Version,
		SessionHash: r.hash,
		Target:      tg,
		CeilingDBTP: stemmaster.Level(math.NaN()),
		SampleRate:  r.rate,
		Frames:      r.frames,
		DurationS:   stemmaster.Level(float64(r.frames) / rate),
		Findings:    []stemmaster.Finding{},
	}

	// 1. Main sum, analysed ("before") while it is being summed.
	bus := audio.NewBuffer(busChannels, int(r.frames))
	strips, err := r.strips(stemmaster.VersionMain)
	if err != nil {
		return nil, err
	}
	// The master EQ and glue compressor follow the sum's analysis.
	mr, err := r.newMasterRun(bus)
	if err != nil {
		return nil, err
	}
	before, specBefore, err := r.analyseWhileSumming(bus, strips, mr)
	if err != nil {
		return nil, err
	}
	rep.Sum = measurement(before)
	for i, in := range r.inputs {
		sl := stemmaster.StemLoudness{File: in.spec.File, Role: in.spec.Role, Muted: in.spec.Mute,
			BeforeLUFS: stemmaster.Level(math.NaN()), AfterLUFS: stemmaster.Level(math.NaN())}
		if st := strips[i]; st != nil {
			rep.Master.Latency.Stems = max(rep.Master.Latency.Stems, int(st.lat))
			if st.before != nil {
				sl.BeforeLUFS = stemmaster.Level(st.before.Result().IntegratedLUFS)
			}
			sl.AfterLUFS = stemmaster.Level(st.after.Result().IntegratedLUFS)
		}
		rep.Stems = append(rep.Stems, sl)
	}

	// 2. Master EQ and glue compressor, in place.
	pre, err := mr.finish(r.ctx)
	if err != nil {
		return nil, err
	}
	rep.Master.Latency.Master = pre.latency
	rep.Master.Glue = pre.glue

	// 3. Loudness targeting (the master lands in out). The main version's
	// deliverables stream behind the passes likely to be the last (they do
	// not depend on when they run, only on out), so that limiting and
	// delivery share the cores.
	out := bus
	if !tg.None {
		out = audio.NewBuffer(busChannels, int(r.frames))
	}
	var fol *mainFollower
	var tfol follower
	if slices.Contains(s.Versions, stemmaster.VersionMain) {
		fol = &mainFollower{r: r, master: out}
		tfol = fol
	}
	tr, err := target(r.ctx, bus, out, rate, s.Master, pre.lufs, pre.peakDB, func(f float64) { r.progress("targeting", f) }, tfol)
	if err != nil {
		return nil, err
	}
	var mainDelivery *delivery
	if fol != nil {
		// The deliverables run behind the final pass, or start now.
		mainDelivery = fol.d
		if mainDelivery == nil {
			mainDelivery = r.startDelivery(out, stemmaster.VersionMain, tr, nil)
		}
	}
	r.progress("targeting", 1)
	for _, w := range tr.warnings {
		r.warn(w)
	}
	rep.Master.GainDB = stemmaster.Level(tr.final.gainDB)
	rep.Master.Iterations = tr.iterations
	rep.Master.Latency.Limiter = tr.latency
	rep.Master.Main = measurement(tr.final.result)
	if tr.limiterOn {
		rep.CeilingDBTP = stemmaster.Level(tr.ceiling)
		st := tr.final.stats
		rep.Master.Limiter = &stemmaster.LimiterReport{
			GainReduction: stemmaster.GainReduction{MaxDB: stemmaster.Level(st.MaxGRDB), MeanDB: stemmaster.Level(st.MeanGRDB), ActiveShare: stemmaster.Level(st.ActiveShare)},
			CeilingDBTP:   stemmaster.Level(tr.ceiling),
			LookaheadMS:   stemmaster.Level(tr.params.LookaheadMS),
			ReleaseMS:     stemmaster.Level(tr.params.ReleaseMS),
		}
	}

	// 4. Curves for the pictures.
	step := stepFrames(rate)
	steps := (int(r.frames) + step - 1) / step
	centres := bandCentres()
	specAfter := newSpectrum(rate)
	specAfter.advance(out, out.Frames())
	wmin, wmax := waveform(out, step)
	rep.Curves = &stemmaster.Curves{
		StepS:               CurveStepS,
		WaveformMin:         wmin,
		WaveformMax:         wmax,
		ShortTermBeforeLUFS: seriesSteps(before.ShortTermLUFS, steps),
		ShortTermAfterLUFS:  seriesSteps(tr.final.result.ShortTermLUFS, steps),
		LimiterGRDB:         levels(tr.final.grStep),
		Spectrum:            stemmaster.Spectrum{FreqsHz: centres, BeforeDB: specBefore.bands(centres), AfterDB: specAfter.bands(centres)},
	}

	// 5. Deliverables: main first (already under way), then the other
	// versions through the same master settings (same gain, same compressor
	// and limiter parameters).
	if mainDelivery != nil {
		reps, err := mainDelivery.wait()
		if err != nil {
			return nil, err
		}
		rep.Outputs = append(rep.Outputs, reps...)
	}
	for _, v := range s.Versions {
		if v == stemmaster.VersionMain {
			continue
		}
		reps, err := r.renderVersion(bus, out, v, tr)
		if err != nil {
			return nil, err
		}
		rep.Outputs = append(rep.Outputs, reps...)
	}
	rep.Warnings = append([]string{}, r.warnings...)
	return rep, nil
}

// strips builds the channel strips of the stems that play in version v,
// by input index (nil for stems that are muted or not in the version).
func (r *renderer) strips(v stemmaster.Version) ([]*strip, error) {
	strips := make([]*strip, len(r.inputs))
	for i, in := range r.inputs {
		if in.spec.Mute || !v.Includes(in.spec.Role) {
			continue
		}
		st, err := newStrip(in, float64(r.rate), r.frames, r.opt.SkipCheck && v == stemmaster.VersionMain)
		if err != nil {
			return nil, err
		}
		strips[i] = st
	}
	return strips, nil
}

// runSum opens the strips' files, sums them and closes them. after, when
// set, is called with the frames summed so far after every block.
func (r *renderer) runSum(bus *audio.Buffer, strips []*strip, after func(done int64)) error {
	var active []*strip
	for _, st := range strips {
		if st != nil {
			active = append(active, st)
		}
	}
	defer func() {
		for _, st := range active {
			st.close()
		}
	}()
	for _, st := range active {
		if err := st.open(); err != nil {
			return err
		}
	}
	if len(active) == 0 {
		bus.Zero()
		return nil
	}
	var blocks int
	return sumStems(r.ctx, active, bus, r.opt.Workers, func(done int64) {
		blocks++
		if blocks%16 == 0 || done == r.frames {
			f := float64(done) / float64(r.frames)
			for _, st := range active {
				r.progress("stem "+st.in.spec.File, f)
			}
		}
		if after != nil {
			after(done)
		}
	})
}

// analyseWhileSumming sums the strips into bus while another goroutine
// measures the plain sum (loudness with true peak and series, spectrum) as
// its blocks complete and, when mr is not nil, runs the master chain over
// the frames the analysis is done with (mr.finish completes it).
func (r *renderer) analyseWhileSumming(bus *audio.Buffer, strips []*strip, mr *masterRun) (loudness.Result, *spectrum, error) {
	rate := float64(r.rate)
	meter := loudness.NewMeter(rate, busChannels, loudness.Options{TruePeak: true, Series: true})
	spec := newSpectrum(rate)
	done := make(chan int64, 1024)
	finished := make(chan struct{})
	var merr error
	go func() {
		defer close(finished)
		view := &audio.Buffer{Data: make([][]float32, busChannels)}
		var pos int64
		for d := range done {
			for c := range view.Data {
				view.Data[c] = bus.Data[c][pos:d]
			}
			meter.Process(view)
			spec.advance(bus, int(d))
			pos = d
			if mr != nil && merr == nil {
				// The spectrum still reads frames from spec.next on.
				merr = mr.ip.advance(r.ctx, int(d), spec.next)
			}
		}
	}()
	err := r.runSum(bus, strips, func(d int64) { done <- d })
	close(done)
	<-finished
	if err == nil {
		err = merr
	}
	return meter.Result(), spec, err
}

// preMaster is the bus after the master EQ and compressor.
type preMaster struct {
	lufs    float64
	peakDB  float64 // sample peak, dBFS
	latency int
	glue    *stemmaster.GainReduction // nil without a glue compressor
}

// masterBus runs the master EQ and glue compressor over the bus in place
// and measures the result's integrated loudness (the start of targeting).
func (r *renderer) masterBus(bus *audio.Buffer) (preMaster, error) {
	mr, err := r.newMasterRun(bus)
	if err != nil {
		return preMaster{}, err
	}
	return mr.finish(r.ctx)
}

// masterRun is the master EQ and glue compressor running over the bus in
// place, piecewise (see inPlace).
type masterRun struct {
	r                   *renderer
	ip                  *inPlace
	meter               *loudness.Meter
	comp                *dynamics.Compressor
	latency             int
	sum, active, blocks float64
}

func (r *renderer) newMasterRun(bus *audio.Buffer) (*masterRun, error) {
	chain, err := masterChain(r.s.Master, float64(r.rate))
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	mr := &masterRun{r: r, meter: loudness.NewMeter(float64(r.rate), busChannels, loudness.Options{})}
	for _, p := range chain {
		mr.latency += p.Latency()
	}
	r.progress("master", 0)
	// The glue compressor's gain reduction, sampled at the end of every
	// block (its maximum is exact, over every frame).
	for _, p := range chain {
		if c, ok := p.(*dynamics.Compressor); ok {
			mr.comp = c
		}
	}
	var after func(int)
	if mr.comp != nil {
		after = func(int) {
			gr := mr.comp.GainReductionDB()
			mr.sum += gr
			mr.blocks++
			if gr > 0.01 {
				mr.active++
			}
		}
	}
	mr.ip = newInPlace(bus, chain, mr.meter, after)
	return mr, nil
}

// finish runs the chain over the rest of the bus and returns the result.
func (mr *masterRun) finish(ctx context.Context) (preMaster, error) {
	pm := preMaster{latency: mr.latency}
	if err := mr.ip.advance(ctx, mr.ip.frames, mr.ip.frames); err != nil {
		return pm, err
	}
	mr.r.progress("master", 1)
	res := mr.meter.Result()
	pm.lufs, pm.peakDB = res.IntegratedLUFS, res.SamplePeakDBFS
	if mr.comp != nil && mr.blocks > 0 {
		pm.glue = &stemmaster.GainReduction{MaxDB: stemmaster.Level(mr.comp.MaxGainReductionDB()),
			MeanDB: stemmaster.Level(mr.sum / mr.blocks), ActiveShare: stemmaster.Level(mr.active / mr.blocks)}
	}
	return pm, nil
}

// renderVersion sums the version's stems, runs the master chain with the
// main version's settings (a fresh chain, same parameters; the same gain
// and limiter parameters, no targeting of its own) and delivers it.
func (r *renderer) renderVersion(bus, out *audio.Buffer, v stemmaster.Version, tr *targeting) ([]stemmaster.OutputReport, error) {
	strips, err := r.strips(v)
	if err != nil {
		return nil, err
	}
	any := false
	for _, st := range strips {
		any = any || st != nil
	}
	if !any {
		r.warn(fmt.Sprintf("version %s has no stems (no stem has a role it includes); not written", v))
		return nil, nil
	}
	if err := r.runSum(bus, strips, nil); err != nil {
		return nil, err
	}
	if _, err := r.masterBus(bus); err != nil {
		return nil, err
	}
	rate := float64(r.rate)
	step := stepFrames(rate)
	lim, err := tr.limiter(rate, step)
	if err != nil {
		return nil, err
	}
	meter := loudness.NewMeter(rate, busChannels, loudness.Options{})
	if _, err := limitPass(r.ctx, bus, out, tr.final.gainDB, lim, meter, step, nil); err != nil {
		return nil, err
	}
	return r.deliverVersion(out, v, tr)
}

// deliverVersion writes every output of version v from its master, the
// outputs in parallel (each output's result does not depend on the others).
func (r *renderer) deliverVersion(master *audio.Buffer, v stemmaster.Version, tr *targeting) ([]stemmaster.OutputReport, error) {
	return r.startDelivery(master, v, tr, nil).wait()
}

// delivery is the outputs of one version being written.
type delivery struct {
	wg   sync.WaitGroup
	reps []stemmaster.OutputReport
	errs []error
}

// startDelivery starts writing every output of version v from its master,
// in parallel, with the targeting's settings as they are now. fr, when not
// nil, is the frontier of the pass writing master: the outputs stream
// behind it and fail with errAbandoned when it is aborted.
func (r *renderer) startDelivery(master *audio.Buffer, v stemmaster.Version, tr *targeting, fr *frontier) *delivery {
	dl := &delivery{reps: make([]stemmaster.OutputReport, len(r.s.Outputs)), errs: make([]error, len(r.s.Outputs))}
	ceiling, ceilingOn, params := tr.ceiling, tr.limiterOn, tr.params
	sem := make(chan struct{}, r.opt.Workers)
	for i, o := range r.s.Outputs {
		d := deliverable{out: o, version: v, name: o.FileName(v), rate: o.SampleRate,
			ceiling: ceiling, ceilingOn: ceilingOn, frontier: fr}
		if d.rate == 0 {
			d.rate = r.rate
		}
		d.path = filepath.Join(r.opt.OutDir, d.name)
		d.seed = ditherSeed(r.hash, d.name)
		dl.wg.Add(1)
		go func() {
			defer dl.wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.progress(d.name, 0)
			rep, w, err := deliver(r.ctx, master, r.rate, d, params)
			dl.reps[i], dl.errs[i] = rep, err
			if errors.Is(err, errAbandoned) {
				return
			}
			if err == nil {
				r.mu.Lock()
				r.pending = append(r.pending, w)
				r.mu.Unlock()
			}
			r.progress(d.name, 1)
			if err == nil && rep.ExtraLimitingDB > 0 {
				r.warn(fmt.Sprintf("%s: conversion pushed the true peak over %.1f dBTP; limited again (%.2f dB)", d.name, ceiling, float64(rep.ExtraLimitingDB)))
			}
		}()
	}
	return dl
}

// wait waits for every output and returns their reports in the session's
// order.
func (dl *delivery) wait() ([]stemmaster.OutputReport, error) {
	dl.wg.Wait()
	if err := errors.Join(dl.errs...); err != nil {
		return nil, err
	}
	return dl.reps, nil
}

// mainFollower streams the main version's deliverables behind targeting
// passes (see target); d is the delivery behind the running pass.
type mainFollower struct {
	r      *renderer
	master *audio.Buffer
	d      *delivery
}

func (f *mainFollower) follow(fr *frontier, tr *targeting) {
	f.d = f.r.startDelivery(f.master, stemmaster.VersionMain, tr, fr)
}

func (f *mainFollower) abandon() {
	if f.d != nil {
		f.d.wg.Wait()
		f.d = nil
	}
}

// abortPending removes the temporary files of a render that failed; no
// file under a final name was touched.
func (r *renderer) abortPending() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.pending {
		w.Abort()
	}
	r.pending = nil
}

// commit delivers a successful render: report.json is written and synced
// under its temporary name, then every deliverable is renamed to its final
// name (in the order of their paths) and report.json last, so the report
// in the directory never lists a file of another render. Should a rename
// fail (nothing but a vanished directory makes it), the files not yet
// renamed are removed.
func (r *renderer) commit(rep *stemmaster.Report) error {
	tmp, err := writeTemp(filepath.Join(r.opt.OutDir, ReportFile), rep)
	if err != nil {
		r.abortPending()
		return err
	}
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	slices.SortFunc(pending, func(a, b sink) int { return strings.Compare(a.TempPath(), b.TempPath()) })
	for i, w := range pending {
		if err := w.Commit(); err != nil {
			for _, rest := range pending[i+1:] {
				rest.Abort()
			}
			os.Remove(tmp)
			return err
		}
	}
	path := filepath.Join(r.opt.OutDir, ReportFile)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// StaleAge is how old a temporary file of a render must be before a later
// render into the same directory removes it as left behind by a killed
// render: every write refreshes a file's time, so a render still running
// keeps its files younger (but for a file finished and waiting for the
// other versions longer than this).
const StaleAge = time.Minute

// removeStale removes, from the output directory, the temporary files that
// a render killed before it could clean up (kill -9, a power cut) left
// behind for this session's outputs and report.json: exactly the names
// audio.Create and writeTemp give them, "." + final name + "." + digits +
// ".tmp", and only those last modified more than StaleAge before now.
// Errors are ignored: a file that cannot be removed is only clutter.
func (r *renderer) removeStale(now time.Time) {
	names := []string{ReportFile}
	for _, v := range r.s.Versions {
		for _, o := range r.s.Outputs {
			names = append(names, o.FileName(v))
		}
	}
	ents, err := os.ReadDir(r.opt.OutDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !isTempOf(e.Name(), names) {
			continue
		}
		fi, err := e.Info()
		if err != nil || now.Sub(fi.ModTime()) < StaleAge {
			continue
		}
		os.Remove(filepath.Join(r.opt.OutDir, e.Name()))
	}
}

// isTempOf reports whether name is a temporary file of one of the final
// names: "." + final + "." + digits + ".tmp" (os.CreateTemp replaces the
// pattern's * with decimal digits).
func isTempOf(name string, finals []string) bool {
	for _, f := range finals {
		rest, ok := strings.CutPrefix(name, "."+f+".")
		if !ok {
			continue
		}
		digits, ok := strings.CutSuffix(rest, ".tmp")
		if !ok || digits == "" {
			continue
		}
		if strings.Trim(digits, "0123456789") == "" {
			return true
		}
	}
	return false
}

// writeTemp writes the report for path under a temporary name in its
// directory, synced, and returns that name; commit renames it.
func writeTemp(path string, rep *stemmaster.Report) (string, error) {
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), audio.TempPattern(filepath.Base(path)))
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	err = tmp.Chmod(audio.OutputFileMode) // CreateTemp makes 0600; a report is for reading
	if err == nil {
		_, err = tmp.Write(append(js, '\n'))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("report %s: %w", path, err)
	}
	return tmp.Name(), nil
}
