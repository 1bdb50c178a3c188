package engine

import (
	"fmt"
	"math"
	"runtime/debug"
	"slices"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// render runs every stage of the session after its inputs are checked and
// returns the report without findings, timings or commit.
func (r *renderer) render() (*stemmaster.Report, error) {
	s := r.s
	rate := float64(r.rate)
	tg := s.Master.EffectiveTarget()
	rep := &stemmaster.Report{
		Stemmaster:  ProgramVersion,
		SessionHash: r.hash,
		Target:      tg,
		CeilingDBTP: stemmaster.Level(math.NaN()),
		SampleRate:  r.rate,
		Frames:      r.frames,
		DurationS:   stemmaster.Level(float64(r.frames) / rate),
		Findings:    []stemmaster.Finding{},
		Outputs:     []stemmaster.OutputReport{}, // [] in report.json when no version is written
	}

	// 1. Main sum, analysed ("before") while it is being summed.
	endStems := r.clk.begin("stems")
	endMaster := r.clk.begin("master bus")
	bus := audio.NewBuffer(busChannels, int(r.frames))
	strips, err := r.strips(stemmaster.VersionMain)
	if err != nil {
		return nil, err
	}
	// The classes' scratch files, until stemAwareInput takes them: a
	// failure before it closes them here (nil after it, so the strips do
	// not live on to the end for this).
	unclaimed := strips
	defer func() { dropClasses(unclaimed) }()
	for i, t := range r.tees {
		switch {
		case strips[i] == nil:
			t.detach() // a muted stem is not decoded here
		case r.inputs[i].info.Format.SampleRate != r.rate:
			// The strip reads the stem converted to the song's rate; the
			// check measures the file as delivered, at its own rate, as
			// the check job does, so it decodes the file itself.
			t.detach()
		default:
			strips[i].tee = t // the check reads the stem from its strip
		}
	}
	plain := r.plainSum(strips)
	defer plain.stop()
	// The master EQ and glue compressor follow the sum's analysis.
	mr, err := r.newMasterRun(bus, true)
	if err != nil {
		return nil, err
	}
	before, specBefore, err := r.analyseWhileSumming(bus, strips, mr)
	if err != nil {
		return nil, err
	}
	if err := plain.end(); err != nil {
		return nil, err
	}
	r.plain = nil
	endStems()
	rep.Sum = measurement(before)
	for i, in := range r.inputs {
		sl := stemmaster.StemLoudness{File: in.spec.File, Role: in.spec.Role, Muted: in.spec.Mute,
			BeforeLUFS: stemmaster.Level(math.NaN()), AfterLUFS: stemmaster.Level(math.NaN())}
		if st := strips[i]; st != nil {
			rep.Master.Latency.Stems = max(rep.Master.Latency.Stems, int(st.lat))
			if st.before.m != nil {
				sl.BeforeLUFS = stemmaster.Level(st.before.result().IntegratedLUFS)
			}
			sl.AfterLUFS = stemmaster.Level(st.after.result().IntegratedLUFS)
			sl.Processors = processorReport(st.chain)
			if sl.Processors != nil && st.deEss != nil {
				steps := (int(r.frames) + stepFrames(rate) - 1) / stepFrames(rate)
				for _, v := range st.deEss[:min(len(st.deEss), steps)] {
					sl.Processors.DeEsserGRDB = append(sl.Processors.DeEsserGRDB, stemmaster.Level(v))
				}
			}
		}
		rep.Stems = append(rep.Stems, sl)
	}

	// 2. Master EQ and glue compressor, in place.
	pre, err := mr.finish(r.ctx)
	if err != nil {
		return nil, err
	}
	endMaster()
	// The strips, the sum's analysis and most of the check are done with:
	// one collection here, returning their pages to the system, keeps the
	// peak memory of the passes that follow at what the render holds (a
	// few milliseconds: the bus holds no pointers).
	debug.FreeOSMemory()
	rep.Master.Latency.Master = pre.latency
	rep.Master.Glue = pre.glue
	rep.Master.Processors = pre.procs

	// 3. Loudness targeting. The main version's deliverables stream behind
	// the passes likely to be the last (they do not depend on when they
	// run, only on the pass), so that limiting and delivery share the
	// cores, and the master is never held whole.
	var fol *mainFollower
	var tfol follower
	if slices.Contains(s.Versions, stemmaster.VersionMain) {
		fol = &mainFollower{r: r, bus: bus}
		tfol = fol
	}
	sa, err := r.stemAwareInput(strips, bus)
	unclaimed = nil
	if err != nil {
		return nil, err
	}
	defer sa.close()
	tr, err := target(r.ctx, bus, rate, s.Master, pre.model, func(f float64) { r.progress("targeting", f) }, tfol, r.clk, sa)
	if err != nil {
		return nil, err
	}
	var mainDelivery *delivery
	if fol != nil {
		mainDelivery = fol.d // behind the final pass
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
			Character:     tr.params.Character,
		}
		attribute(rep, strips, tr.final.grStep)
		tr.reportStemAware(rep)
	}
	// 4. Curves for the pictures and the correlation (the final pass took
	// the master's).
	after := tr.final.curves
	rep.Master.Correlation = correlation(after.corr)
	step := stepFrames(rate)
	steps := (int(r.frames) + step - 1) / step
	centres := bandCentres()
	rep.Curves = &stemmaster.Curves{
		StepS:               CurveStepS,
		WaveformMin:         after.wmin,
		WaveformMax:         after.wmax,
		ShortTermBeforeLUFS: seriesSteps(before.ShortTermLUFS, steps),
		ShortTermAfterLUFS:  seriesSteps(tr.final.result.ShortTermLUFS, steps),
		LimiterGRDB:         stemmaster.Levels(tr.final.grStep),
		Spectrum:            stemmaster.Spectrum{FreqsHz: centres, BeforeDB: specBefore.bands(centres), AfterDB: after.spec.bands(centres)},
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
		for _, o := range reps {
			if w := convertedLoudness(o, tr.final.result.IntegratedLUFS, r.rate); w != "" {
				r.warn(w)
			}
		}
	}
	if err := tr.dropStems(); err != nil {
		return nil, err
	}
	defer func() { tr.versionSA.close() }()
	for _, v := range s.Versions {
		if v == stemmaster.VersionMain {
			continue
		}
		endVersion := r.clk.begin("version " + string(v))
		reps, err := r.renderVersion(bus, v, tr)
		endVersion()
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
		st.clk = r.clk
		strips[i] = st
	}
	if l := r.s.Master.Limiter; l != nil && l.StemAware != nil { // the stem-aware limiter reads the stems
		weight := func(st *strip) float64 { return l.StemAware.Weight(st.in.spec.Role) }
		if err := weightClasses(strips, weight, r.opt.OutDir, r.frames); err != nil {
			return nil, err
		}
	}
	groupMeters(strips)
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
		r.plain.flush(false)
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
		defer safego.Recover("render's meter", func(err error) {
			merr = err
			for range done { // the sum goes on to its end, then sees merr
			}
		})
		view := &audio.Buffer{Data: make([][]float32, busChannels)}
		var pos int64
		for d := range done {
			faultpoint.Hit("render.meter")
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

// renderVersion sums the version's stems, runs the master chain with the
// main version's settings (a fresh chain, same parameters; the same gain
// and limiter parameters, no targeting of its own) and delivers it, the
// deliverables streaming behind the pass.
func (r *renderer) renderVersion(bus *audio.Buffer, v stemmaster.Version, tr *targeting) ([]stemmaster.OutputReport, error) {
	strips, err := r.strips(v)
	if err != nil {
		return nil, err
	}
	unclaimed := strips // as in render
	defer func() { dropClasses(unclaimed) }()
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
	step := stepFrames(float64(r.rate))
	lim, err := r.versionLimiter(tr, strips, bus, step)
	unclaimed = nil
	if err != nil {
		return nil, err
	}
	t := newTap(busChannels, bus.Frames())
	dl := r.startDelivery(r.passSources(t, bus, tr, false), v, tr)
	if _, err := limitPass(r.ctx, bus, tr.final.gainDB, lim, step, t, nil); err != nil {
		dl.wait()
		return nil, err
	}
	t.commit()
	return dl.wait()
}
