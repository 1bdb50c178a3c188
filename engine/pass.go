package engine

// A targeting pass: the master gain and the limiter over the bus, streamed
// to the meter and the master's curves while the deliverables follow it.

import (
	"context"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/limiter"
	"stemmaster/dsp/stemsum"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// pass is one gain → limiter → measure run over the bus.
type pass struct {
	gainDB float64
	result loudness.Result
	stats  limiter.Stats
	grStep []float64 // largest gain reduction per curve step
	// followed: the main deliverables streamed behind the pass, and its
	// analysis holds the curves of the master.
	followed bool
	curves   *afterCurves
	kept     *keptPass // the stem-aware master kept for a second writing (keepPass)
}

// busLimiter is the limiter of a targeting pass: the true-peak limiter on
// the bus, or the stem-aware limiter (stemaware.go), which reads the stems
// instead of the gained bus it is handed.
type busLimiter interface {
	Reset()
	Latency() int
	Process(*audio.Buffer)
	BlockMaxGRDB() float64
	Stats() limiter.Stats
}

// afterCurves are the master's curves, taken from the pass as it streams.
type afterCurves struct {
	wmin, wmax []float32
	spec       *spectrum
	corr       *dsp.Correlation
}

// passAnalysis is what reads a pass beside its deliverables: the meter
// (loudness with true peak and series) and, when curves is set, the
// waveform and spectrum of the master.
type passAnalysis struct {
	meter  *loudness.Meter
	rate   float64
	curves bool
}

// limitPass applies gain and the limiter (nil: none) to bus and writes the
// result, aligned, into t for the readers behind it. The limiter runs on
// this goroutine; the analysis (when an is not nil) reads the pass from t
// on another, so a pass keeps two cores busy, and the deliverables that
// follow it more. The caller commits or aborts t; on an error limitPass
// fails it with that error, so its readers (a deliverable written a second
// time, regenerate) end with the cause — a cancellation, a stem that could
// not be read — not with errAbandoned.
func limitPass(ctx context.Context, bus *audio.Buffer, gainDB float64, lim busLimiter, step int, t *tap, an *passAnalysis) (p *pass, err error) {
	frames := bus.Frames()
	lat := 0
	if sa, ok := lim.(*stemAwareLimiter); ok {
		sa.gain = float32(audio.Amplitude(gainDB))
	}
	if lim != nil {
		lim.Reset()
		lat = lim.Latency()
	}
	p = &pass{gainDB: gainDB, grStep: make([]float64, 0, frames/step+1)}
	g := float32(audio.Amplitude(gainDB))

	analysed := make(chan struct{})
	var bug safego.Carry // the analysis's panic: the pass's error
	if an != nil {
		an.meter.Reset()
		if an.curves {
			p.curves = &afterCurves{spec: newSpectrum(an.rate), corr: dsp.NewCorrelation(an.rate)}
		}
		rd := t.reader(true)
		// The curves are taken now: a cancelled pass returns a nil p
		// while the analysis may not have started.
		curves := p.curves
		go func() {
			defer close(analysed)
			defer rd.close()
			defer safego.Recover("targeting pass's analysis", bug.Keep)
			faultpoint.Hit("render.analyse")
			analyse(rd, an.meter, curves, step)
		}()
	} else {
		close(analysed)
	}
	defer func() {
		if v := recover(); v != nil {
			// A panic here (the stem-aware limiter hands its worker's
			// on) still releases the readers, whose analysis this waits
			// for, and goes on up to the render's recovery.
			pe := safego.FromPanic("targeting pass", v)
			t.fail(pe)
			<-analysed
			panic(pe)
		}
		if err != nil {
			t.fail(err)
		}
		<-analysed
		if err == nil {
			if err = bug.Err(); err != nil {
				p = nil
				t.fail(err)
			}
		}
	}()

	scratch := audio.NewBuffer(busChannels, step)
	for pos := 0; pos < frames+lat; pos += step {
		if err = ctx.Err(); err != nil {
			return nil, err
		}
		n := min(step, frames+lat-pos)
		scratch.SetFrames(n)
		for c := range scratch.Data {
			src := bus.Data[c][min(pos, frames):min(pos+n, frames)]
			dst := scratch.Data[c]
			stemsum.Scale(dst[:len(src)], src, g)
			clear(dst[len(src):])
		}
		if lim != nil {
			lim.Process(scratch)
			if pos < frames {
				p.grStep = append(p.grStep, lim.BlockMaxGRDB())
			}
		}
		from := max(0, lat-pos)
		to := min(n, frames+lat-pos)
		if from < to {
			t.write(scratch, from, to)
		}
	}
	if sa, ok := lim.(*stemAwareLimiter); ok {
		if err = sa.readErr(); err != nil {
			return nil, err
		}
	}
	if lim != nil {
		p.stats = lim.Stats()
	}
	<-analysed
	if an != nil {
		p.result = an.meter.Result()
	}
	return p, nil
}

// analyse reads a whole pass from rd in curve steps into the meter and,
// when c is not nil, the curves.
func analyse(rd *tapReader, meter *loudness.Meter, c *afterCurves, step int) {
	buf := audio.NewBuffer(busChannels, step)
	frames := rd.frames()
	for pos := 0; pos < frames; pos += step {
		n := min(step, frames-pos)
		b, err := rd.next(buf, n)
		if err != nil {
			return
		}
		meter.Process(b)
		if c != nil {
			lo, hi := blockRange(b)
			c.wmin, c.wmax = append(c.wmin, lo), append(c.wmax, hi)
			c.spec.feed(b)
			c.corr.Add(b.Data[0][:n], b.Data[1][:n])
		}
	}
}
