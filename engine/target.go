package engine

import (
	"context"
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/loudness"
)

// pass is one gain → limiter → measure run over the bus.
type pass struct {
	gainDB float64
	result loudness.Result
	stats  limiter.Stats
	grStep []float64 // largest gain reduction per curve step
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

// limitPass applies gain and the limiter (nil: none) to bus, writes the
// result, aligned, into out and measures it. Limiting runs on this goroutine
// and the meter on another, so a pass keeps two cores busy. fr, when not
// nil, publishes the frames of out written so far to readers streaming
// behind the pass (the caller commits or aborts it).
func limitPass(ctx context.Context, bus, out *audio.Buffer, gainDB float64, lim busLimiter, meter *loudness.Meter, step int, fr *frontier) (*pass, error) {
	frames := bus.Frames()
	lat := 0
	if sa, ok := lim.(*stemAwareLimiter); ok {
		sa.gain = float32(audio.Amplitude(gainDB))
	}
	if lim != nil {
		lim.Reset()
		lat = lim.Latency()
	}
	meter.Reset()
	p := &pass{gainDB: gainDB, grStep: make([]float64, 0, frames/step+1)}
	g := float32(audio.Amplitude(gainDB))

	ready := make(chan [2]int, 256)
	metered := make(chan struct{})
	go func() {
		defer close(metered)
		view := &audio.Buffer{Data: make([][]float32, busChannels)}
		for r := range ready {
			for c := range view.Data {
				view.Data[c] = out.Data[c][r[0]:r[1]]
			}
			meter.Process(view)
		}
	}()

	scratch := audio.NewBuffer(busChannels, step)
	var err error
	for pos := 0; pos < frames+lat; pos += step {
		if err = ctx.Err(); err != nil {
			break
		}
		n := min(step, frames+lat-pos)
		scratch.SetFrames(n)
		for c := range scratch.Data {
			src := bus.Data[c][min(pos, frames):min(pos+n, frames)]
			dst := scratch.Data[c]
			for i, v := range src {
				dst[i] = v * g
			}
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
			for c := range out.Data {
				copy(out.Data[c][pos+from-lat:pos+to-lat], scratch.Data[c][from:to])
			}
			ready <- [2]int{pos + from - lat, pos + to - lat}
			if fr != nil {
				fr.advance(pos + to - lat)
			}
		}
	}
	close(ready)
	<-metered
	if err != nil {
		return nil, err
	}
	p.result = meter.Result()
	if lim != nil {
		p.stats = lim.Stats()
	}
	return p, nil
}

// targeting is the outcome of loudness targeting on the main version.
type targeting struct {
	final      *pass
	iterations int
	ceiling    float64 // the limiter's ceiling (NaN without limiter)
	params     limiter.Params
	limiterOn  bool
	latency    int // the limiter's, in frames
	warnings   []string
	stemAware  *stemAwareLimiter // the final pass's, when stem-aware
}

// Targeting tolerances: the main master must read the target within
// ±ToleranceLU; iteration stops early once within AimLU.
const (
	ToleranceLU   = 0.1
	AimLU         = 0.05
	maxIterations = 8
	maxStepDB     = 12.0
	// speculateLU: a pass that follows one this close to the target is
	// likely the last, so the deliverables stream behind it.
	speculateLU = 1.0
	// followGRDB: a first pass whose gain takes the sample peak at most
	// this far over the ceiling is likely the last (light limiting barely
	// moves the integrated loudness; the francium stems land in one pass
	// with 0.6 dB of limiting, not with 2.8 dB).
	followGRDB = 1.0
)

// Which targeting passes the deliverables stream behind
// (Options.followMode): followLikely in use; tests set the others to show
// that the outputs do not depend on it.
const (
	followLikely = iota
	followNever
	followAlways
)

// target finds the master gain: it runs gain → limiter → measure, stepping
// the gain with the secant of measured loudness against gain, until the
// main master reads the target within AimLU (or ToleranceLU after
// maxIterations), with its true peak at or below the ceiling. The last pass
// leaves the master in out. preLUFS is the bus's loudness before the gain.
//
// fol, when not nil, streams behind every pass that is likely to be the
// last — the first when its gain takes the bus's sample peak (prePeakDB)
// at most followGRDB over the ceiling, and any that follows a pass within
// speculateLU of the target: it is abandoned when the pass is not the last
// and left running on the final pass's complete output when target
// returns without error.
//
// sa, when not nil, makes the limiter stem-aware (stemaware.go).
func target(ctx context.Context, bus, out *audio.Buffer, rate float64, m stemmaster.Master, preLUFS, prePeakDB float64, progress func(float64), fol follower, clk *clock, sa *stemAwareInput) (tr *targeting, err error) {
	t := m.EffectiveTarget()
	ceiling, limOn := m.Ceiling()
	tr = &targeting{ceiling: math.NaN(), limiterOn: limOn}
	step := stepFrames(rate)
	var lim busLimiter
	if limOn {
		tr.ceiling = ceiling
		tr.params = limiterParams(m, ceiling)
		if lim, err = newBusLimiter(tr.params, rate, step, sa); err != nil {
			return nil, err
		}
		tr.latency = lim.Latency()
	}
	meter := loudness.NewMeter(rate, busChannels, loudness.Options{TruePeak: true, Series: true})
	var fr *frontier // the running pass's, when followed
	abandon := func() {
		if fr != nil {
			fr.abort()
			fol.abandon()
			fr = nil
		}
	}
	defer func() {
		if err != nil {
			abandon()
		} else if fr != nil {
			fr.commit()
		}
	}()
	// run makes one pass; follow says whether the follower streams behind
	// it. A followed pass that is not the last is abandoned before the
	// next pass rewrites out.
	run := func(g float64, follow bool) (*pass, error) {
		abandon()
		tr.iterations++
		if progress != nil {
			progress(math.Min(1, float64(tr.iterations)/4))
		}
		if fol != nil && fol.wants(follow) {
			fr = newFrontier(bus.Frames())
			fol.follow(fr, tr)
		}
		defer clk.begin(fmt.Sprintf("targeting pass %d", tr.iterations))()
		return limitPass(ctx, bus, out, g, lim, meter, step, fr)
	}

	if t.None {
		p, err := run(m.GainDB, true)
		if err != nil {
			return nil, err
		}
		tr.final = p
		return tr, nil
	}
	T := t.IntegratedLUFS
	if math.IsNaN(preLUFS) || math.IsInf(preLUFS, 0) {
		tr.warnings = append(tr.warnings, "the sum is silent or too short to measure; loudness targeting skipped (master gain 0 dB)")
		p, err := run(0, true)
		if err != nil {
			return nil, err
		}
		tr.final = p
		return tr, nil
	}

	g := T - preLUFS
	var best, last *pass
	var gPrev, iPrev, secPrev float64
	have := false
	// The first guess lands when the limiter has little to do.
	follow := !limOn || prePeakDB+g <= ceiling+followGRDB
	for tr.iterations < maxIterations {
		p, err := run(g, follow)
		if err != nil {
			return nil, err
		}
		last = p
		I := p.result.IntegratedLUFS
		tp := p.result.TruePeakDBTP
		follow = math.Abs(I-T) <= speculateLU
		if limOn && tp > ceiling {
			// The limiter let a true peak through (its detector under-read):
			// lower its internal ceiling by the excess and try again.
			abandon()
			tr.params.SafetyMarginDB = math.Max(tr.params.SafetyMarginDB, limiter.DefaultSafetyMarginDB) + (tp - ceiling) + 0.01
			if lim, err = newBusLimiter(tr.params, rate, step, sa); err != nil {
				return nil, err
			}
			have, secPrev = false, 0
			continue
		}
		if best == nil || math.Abs(I-T) < math.Abs(best.result.IntegratedLUFS-T) {
			best = p
		}
		if math.Abs(I-T) <= AimLU || math.IsNaN(I) || tr.iterations >= maxIterations {
			break
		}
		// Secant step on measured loudness against gain. Limiting makes the
		// curve concave (each dB of gain adds less loudness than the last),
		// so when stepping up, the slope is extrapolated to keep falling as
		// it fell between the last two secants; this lands heavy targets
		// (club: 18 dB of limiting) in 3–4 passes instead of 5–6.
		slope := 1.0
		if have && g != gPrev {
			sec := (I - iPrev) / (g - gPrev)
			slope = sec
			if T > I && secPrev > 0 && sec > 0 && sec < secPrev {
				slope = sec * math.Max(0.3, sec/secPrev)
			}
			secPrev = sec
			slope = math.Max(0.05, math.Min(1, slope))
		}
		gPrev, iPrev, have = g, I, true
		g += math.Max(-maxStepDB, math.Min(maxStepDB, (T-I)/slope))
	}
	if best == nil {
		return nil, fmt.Errorf("engine: the limiter could not hold the true peak at %.2f dBTP", ceiling)
	}
	if best != last {
		// The last pass was not the closest; render the best gain again so
		// out holds it.
		if last, err = run(best.gainDB, true); err != nil {
			return nil, err
		}
	}
	tr.final = last
	tr.stemAware, _ = lim.(*stemAwareLimiter)
	if d := last.result.IntegratedLUFS - T; math.Abs(d) > ToleranceLU {
		tr.warnings = append(tr.warnings, fmt.Sprintf("the main master reads %.2f LUFS, %+.2f LU off the %s LUFS target after %d passes", last.result.IntegratedLUFS, d, stemmaster.FormatNumber(T), tr.iterations))
	}
	if warn := warnGR(m); limOn && last.stats.MaxGRDB > warn {
		tr.warnings = append(tr.warnings, fmt.Sprintf("reaching %s LUFS takes %.1f dB of peak limiting (more than %s dB): expect audible limiting; consider a lower target or more headroom in the mix", stemmaster.FormatNumber(T), last.stats.MaxGRDB, stemmaster.FormatNumber(warn)))
	}
	return tr, nil
}

// warnGR is the peak gain reduction above which targeting warns.
func warnGR(m stemmaster.Master) float64 {
	if m.Limiter != nil {
		return m.Limiter.WarnGR()
	}
	return stemmaster.LimiterParams{}.WarnGR()
}

// limiter returns a fresh limiter with the parameters targeting settled on,
// or nil when no limiter runs.
func (tr *targeting) limiter(rate float64, block int) (*limiter.TruePeakLimiter, error) {
	if !tr.limiterOn {
		return nil, nil
	}
	return newLimiter(tr.params, rate, block)
}
