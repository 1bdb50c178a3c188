package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/dither"
	"stemmaster/dsp/limiter"
	"stemmaster/dsp/resample"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// sink is where a deliverable's samples go: an atomic audio.FileWriter,
// used in its two phases. Finish completes the file under its temporary
// name (TempPath); Render commits every finished deliverable (renames it to
// its final name) only once the whole render has succeeded, and aborts
// them all otherwise, so a failed render leaves a previous render in the
// directory as it was.
type sink interface {
	Write(src *audio.Buffer) error
	Finish() error
	Commit() error
	Abort()
	TempPath() string
}

// createFileSink opens a deliverable for writing (Options.createSink
// replaces it in tests).
func createFileSink(path, container string, f audio.Format) (sink, error) {
	w, err := audio.Create(path, container, f)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// deliverable is one output file of one version.
type deliverable struct {
	out     stemmaster.Output
	version stemmaster.Version
	path    string
	name    string
	seed    uint64
	rate    int // output rate
	// create opens the file; nil means createFileSink.
	create func(path, container string, f audio.Format) (sink, error)
	// ceiling is the true-peak ceiling the file must meet when limiterOn.
	ceiling   float64
	limiterOn bool
	clk       *clock
}

// maxRelimits bounds how often a deliverable is limited again.
const maxRelimits = 3

// deliver writes one deliverable from the master (at busRate): resample →
// [extra limiter] → dither → encode, measuring the samples as written. When
// the file's true peak is over the ceiling, the file is discarded and
// written again with a true-peak limiter after the conversion, so every
// delivered file meets the ceiling. The file it returns is finished under
// its temporary name: the caller commits or aborts it.
func deliver(ctx context.Context, master masterSource, busRate int, d deliverable, lp limiter.Params) (stemmaster.OutputReport, sink, error) {
	ceiling, limiterOn := d.ceiling, d.limiterOn
	var extra *limiter.Params
	for attempt := 0; ; attempt++ {
		rep, tp, w, err := writeDeliverable(ctx, master, busRate, d, extra)
		if err != nil {
			return rep, nil, err
		}
		if !limiterOn || !(tp > ceiling) {
			return rep, w, nil
		}
		if attempt == maxRelimits {
			return rep, nil, fmt.Errorf("%s: true peak %.2f dBTP stays above the %.2f dBTP ceiling after %d extra limiter passes", d.name, tp, ceiling, maxRelimits)
		}
		p := lp
		p.CeilingDBTP = ceiling
		p.SafetyMarginDB = limiter.DefaultSafetyMarginDB + 0.1*float64(attempt)
		if extra != nil {
			p.SafetyMarginDB = extra.SafetyMarginDB + (tp - ceiling) + 0.05
		}
		extra = &p
	}
}

// writeDeliverable streams the master into one file. The file is returned
// finished under its temporary name (w) only when its true peak meets the
// ceiling (or no ceiling applies); otherwise it is aborted, w is nil and tp
// tells the caller by how much it went over.
func writeDeliverable(ctx context.Context, src masterSource, busRate int, d deliverable, extra *limiter.Params) (rep stemmaster.OutputReport, tp float64, done sink, err error) {
	o := d.out
	// A deliverable failing before it reads its master (its file cannot
	// be created on a full disk) must not leave the pass waiting for it.
	if ps, ok := src.(*passSource); ok {
		defer ps.release()
	}
	format := audio.Format{SampleRate: d.rate, Channels: busChannels, BitDepth: o.BitDepth, SampleFormat: audio.Int}
	if o.IsFloat() {
		format.SampleFormat = audio.Float
	}
	rep = stemmaster.OutputReport{File: d.name, Version: d.version, Format: o.Format, BitDepth: o.BitDepth,
		SampleFormat: format.SampleFormat.String(), SampleRate: d.rate, Dither: stemmaster.DitherNone}

	var rs *resample.Resampler
	if d.rate != busRate {
		if rs, err = resample.New(busRate, d.rate, busChannels); err != nil {
			return rep, 0, nil, fmt.Errorf("%s: %w", d.name, err)
		}
	}
	var lim *limiter.TruePeakLimiter
	if extra != nil {
		if lim, err = newLimiter(*extra, float64(d.rate), BlockSize); err != nil {
			return rep, 0, nil, err
		}
	}
	var dith *dither.Ditherer
	if !o.IsFloat() && o.Dithered() {
		if dith, err = dither.New(o.BitDepth, d.seed, o.Dither == stemmaster.DitherShaped); err != nil {
			return rep, 0, nil, fmt.Errorf("%s: %w", d.name, err)
		}
		dith.Prepare(dsp.Spec{SampleRate: float64(d.rate), MaxBlockSize: BlockSize, Channels: busChannels})
		rep.Dither = stemmaster.DitherTPDF
		if dith.Shaped() {
			rep.Dither = stemmaster.DitherShaped
		}
	}
	meter := loudness.NewMeter(float64(d.rate), busChannels, loudness.Options{TruePeak: true, TruePeakOversampling: loudness.FileOversampling(float64(d.rate))})

	create := d.create
	if create == nil {
		create = createFileSink
	}
	w, err := create(d.path, o.Format, format)
	if err != nil {
		return rep, 0, nil, err
	}
	defer func() {
		if err != nil {
			w.Abort()
		}
	}()

	st := &outStage{clk: d.clk, lim: lim, dith: dith, meter: meter, w: w, bits: o.BitDepth, quantise: !o.IsFloat() && dith == nil}
	if lim != nil {
		st.latency = lim.Latency()
	}
	master, err := src.open(ctx)
	if err != nil {
		return rep, 0, nil, err
	}
	defer master.close()
	if rs != nil {
		err = convertInto(ctx, master, rs, st)
	} else {
		err = copyInto(ctx, master, st)
	}
	if err != nil {
		return rep, 0, nil, err
	}
	if err = st.finish(); err != nil {
		return rep, 0, nil, err
	}
	res := meter.Result()
	tp = res.TruePeakDBTP
	rep.Frames = st.written
	rep.Measurement = measurement(res)
	if lim != nil {
		rep.ExtraLimitingDB = stemmaster.Level(lim.Stats().MaxGRDB)
	}
	if d.limiterOn && tp > d.ceiling {
		// Over the ceiling: the file must not be delivered; the caller
		// writes it again with a limiter after the conversion.
		w.Abort()
		return rep, tp, nil, nil
	}
	if err = w.Finish(); err != nil {
		return rep, 0, nil, err
	}
	if fi, serr := os.Stat(w.TempPath()); serr == nil {
		rep.Bytes = fi.Size()
	}
	return rep, tp, w, nil
}

// copyInto streams the master, block by block, into st.
func copyInto(ctx context.Context, master masterReader, st *outStage) error {
	in := audio.NewBuffer(busChannels, BlockSize)
	frames := master.frames()
	for pos := 0; pos < frames; pos += BlockSize {
		if pos%(64*BlockSize) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := master.read(in, min(BlockSize, frames-pos)); err != nil {
			return err
		}
		if err := st.push(in); err != nil {
			return err
		}
	}
	return nil
}

// convBlocks is how many converted blocks the resampler may run ahead of
// the rest of its deliverable.
const convBlocks = 4

// convBlock is a converted block on its way to the output stage, or the
// error that ended the conversion.
type convBlock struct {
	b   *audio.Buffer
	err error
}

// convertInto streams the master through the resampler into st. The
// conversion, the heaviest step of a deliverable at another rate, runs on
// a goroutine of its own, a few blocks ahead of the output stage (dither,
// meter, encoder), so that the deliverable is two threads of work rather
// than one and does not finish alone on one core long after the pass it
// follows. st gets the same blocks in the same order as converted on
// the spot.
func convertInto(ctx context.Context, master masterReader, rs *resample.Resampler, st *outStage) error {
	out := make(chan convBlock, convBlocks)
	free := make(chan *audio.Buffer, convBlocks+1)
	for range convBlocks + 1 {
		free <- nil // Process allocates each buffer on its first use
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		send := func(b *audio.Buffer, err error) bool {
			select {
			case out <- convBlock{b: b, err: err}:
				return true
			case <-stop:
				return false
			}
		}
		defer safego.Recover("delivery's rate conversion", func(err error) { send(nil, err) })
		faultpoint.Hit("render.convert")
		next := func() (*audio.Buffer, bool) {
			select {
			case b := <-free:
				return b, true
			case <-stop:
				return nil, false
			}
		}
		in := audio.NewBuffer(busChannels, BlockSize)
		frames := master.frames()
		for pos := 0; pos < frames; pos += BlockSize {
			select {
			case <-stop: // the output stage failed
				return
			default:
			}
			if pos%(64*BlockSize) == 0 {
				if err := ctx.Err(); err != nil {
					send(nil, err)
					return
				}
			}
			blk, err := readView(master, in, min(BlockSize, frames-pos))
			if err != nil {
				send(nil, err)
				return
			}
			b, ok := next()
			if !ok || !send(rs.Process(b, blk), nil) {
				return
			}
		}
		if b, ok := next(); ok {
			send(rs.Flush(b), nil)
		}
	}()
	defer func() {
		close(stop)
		<-done // the conversion reads the master no more
	}()
	for cb := range out {
		if cb.err != nil {
			return cb.err
		}
		if err := st.push(cb.b); err != nil {
			return err
		}
		free <- cb.b
	}
	return nil
}

// measurement converts a meter result to the report's figures.
func measurement(r loudness.Result) stemmaster.Measurement {
	return stemmaster.Measurement{
		IntegratedLUFS:  stemmaster.Level(r.IntegratedLUFS),
		LoudnessRangeLU: stemmaster.Level(r.LoudnessRangeLU),
		TruePeakDBTP:    stemmaster.Level(r.TruePeakDBTP),
		SamplePeakDBFS:  stemmaster.Level(r.SamplePeakDBFS),
	}
}

// delivery is the outputs of one version being written.
type delivery struct {
	r     *renderer
	wg    sync.WaitGroup
	reps  []stemmaster.OutputReport
	errs  []error
	warns []string // per output, recorded by wait in the session's order
}

// startDelivery starts writing every output of version v, output i from
// srcs[i], in parallel, with the targeting's settings as they are now.
// Outputs streaming behind a pass fail with errAbandoned when it is
// abandoned.
func (r *renderer) startDelivery(srcs []masterSource, v stemmaster.Version, tr *targeting) *delivery {
	dl := &delivery{r: r, reps: make([]stemmaster.OutputReport, len(r.s.Outputs)), errs: make([]error, len(r.s.Outputs)),
		warns: make([]string, len(r.s.Outputs))}
	ceiling, limiterOn, params := tr.ceiling, tr.limiterOn, tr.params
	// Every output runs at once (not bounded by Workers): outputs streaming
	// behind a pass must all keep reading, or the pass would wait for the
	// one that does not.
	for i, o := range r.s.Outputs {
		d := deliverable{out: o, version: v, name: o.FileName(v), rate: o.SampleRate,
			ceiling: ceiling, limiterOn: limiterOn, create: r.opt.createSink}
		if d.rate == 0 {
			d.rate = r.rate
		}
		d.path = filepath.Join(r.opt.OutDir, d.name)
		d.seed = ditherSeed(r.hash, d.name)
		d.clk = r.clk
		dl.wg.Add(1)
		go func() {
			defer dl.wg.Done()
			defer safego.Recover("delivery of "+d.name, func(err error) { dl.errs[i] = err })
			r.progress(d.name, 0)
			t0 := time.Now()
			rep, w, err := deliver(r.ctx, srcs[i], r.rate, d, params)
			if !errors.Is(err, errAbandoned) {
				r.clk.span(d.name, t0)
			}
			dl.reps[i], dl.errs[i] = rep, err
			if err != nil {
				// A file that failed (an abandoned pass, cancellation, a
				// full disk) never reads as done. The render's error
				// says why.
				return
			}
			r.mu.Lock()
			r.pending = append(r.pending, w)
			r.mu.Unlock()
			// Written under its temporary name: not done until the
			// render publishes it (commit), which a later failure
			// (another deliverable's full disk, the inputs changed)
			// prevents. The CLI's bars, the server's job events and the
			// page's bar take 1 for published.
			r.progress(d.name, WrittenProgress)
			if rep.ExtraLimitingDB > 0 {
				// Shown as it happens; recorded in the report by wait, in
				// the outputs' order, so report.json does not depend on
				// which deliverable finished first.
				dl.warns[i] = fmt.Sprintf("%s: conversion pushed the true peak over %.1f dBTP; limited again (%.2f dB)", d.name, ceiling, float64(rep.ExtraLimitingDB))
				r.notify(dl.warns[i])
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
	for _, w := range dl.warns {
		if w != "" {
			dl.r.record(w)
		}
	}
	return dl.reps, nil
}

// convertedLoudness is the warning for a main deliverable at another rate
// than the master (busRate) whose loudness reads more than ToleranceLU off
// the master's (masterLUFS, what the targeting measured), "" otherwise.
// The report's figure is right; the warning says why the file misses the
// target the master meets: a master of white noise converted from 48 to
// 44.1 kHz lost the 0.7 LU it had above 22.05 kHz, and one whose music
// lies above the new Nyquist frequency (a 96 kHz master's ultrasonics)
// can lose it all.
func convertedLoudness(o stemmaster.OutputReport, masterLUFS float64, busRate int) string {
	lufs := float64(o.IntegratedLUFS)
	if o.SampleRate == busRate || !o.IntegratedLUFS.Defined() || math.IsNaN(masterLUFS) || math.IsInf(masterLUFS, 0) {
		return ""
	}
	d := lufs - masterLUFS
	if math.Abs(d) <= ToleranceLU {
		return ""
	}
	why := fmt.Sprintf("its conversion to %s kHz", stemmaster.FormatNumber(float64(o.SampleRate)/1000))
	if o.SampleRate < busRate {
		why += fmt.Sprintf(" removed what the master holds above %s kHz", stemmaster.FormatNumber(float64(o.SampleRate)/2000))
	}
	if o.ExtraLimitingDB > 0 {
		why += fmt.Sprintf(", and it was limited again (%.2f dB)", float64(o.ExtraLimitingDB))
	}
	return fmt.Sprintf("%s reads %.2f LUFS, %+.2f LU off the master's %.2f LUFS: %s", o.File, lufs, d, masterLUFS, why)
}
