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
	sa         *stemAwareInput   // what a stem-aware limiter reads; nil when plain
	versionSA  *stemAwareInput   // the same for the version being rendered (stemaware.go)
	kept       *keptPass         // the final pass's master, when kept (keepPass)
	keptAll    []*keptPass       // every pass's kept so far
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
)

// Which targeting passes the deliverables stream behind
// (Options.followMode): followLikely in use; tests set the others to show
// that the outputs do not depend on it.
const (
	followLikely = iota
	followNever
	followAlways
)

// target finds the master gain: it predicts it from the bus's analysis
// (model, see gainModel) and runs gain → limiter → measure; when the pass
// misses the target by more than AimLU it corrects the prediction by the
// miss and runs again, and after two corrections steps the gain with the
// secant of measured loudness against gain, until the main master reads
// the target within AimLU (or ToleranceLU after maxIterations), with its
// true peak at or below the ceiling. The master itself is never held: each
// pass streams to its readers through a tap.
//
// fol, when not nil, streams behind every pass that is likely to be the
// last — the first (predicted) one, and any that follows a pass within
// speculateLU of the target: it is abandoned when the pass is not the last,
// and its pass is committed when target returns without error. When the
// final pass was not followed, it is run once more for fol (not counted as
// an iteration). The final pass carries the master's curves.
//
// sa, when not nil, makes the limiter stem-aware (stemaware.go) from the
// first pass that needs it (stemaware_quiet.go: before, the plain
// limiter's pass is the stem-aware one's); the model predicts the plain
// limiter's loudness, and a first pass that is stem-aware is aimed off it
// by what the stem-aware limiter keeps over it on excerpts (probeAware).
func target(ctx context.Context, bus *audio.Buffer, rate float64, m stemmaster.Master, model *gainModel, progress func(float64), fol follower, clk *clock, sa *stemAwareInput) (tr *targeting, err error) {
	t := m.EffectiveTarget()
	ceiling, limOn := m.Ceiling()
	tr = &targeting{ceiling: math.NaN(), limiterOn: limOn, sa: sa}
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
	an := &passAnalysis{meter: loudness.NewMeter(rate, busChannels, loudness.Options{TruePeak: true, Series: true}), rate: rate}
	var cur *tap // the running pass's, when followed
	self := tr   // tr is nil once an error returns
	// abandon's error is a panic keeping the pass's master (keep).
	abandon := func() error {
		if cur != nil {
			cur.abort()
			fol.abandon()
			cur = nil
			return self.keep(nil) // the pass's kept master, if any
		}
		return nil
	}
	defer func() {
		if err != nil {
			// The first error stands.
			_ = abandon()
			_ = self.keep(nil)
		} else if cur != nil {
			cur.commit()
		}
	}()
	// run makes one pass; likely says whether it is likely the last (the
	// follower streams behind it), force that it streams behind it in any
	// case. A followed pass that is not the last is abandoned before the
	// next pass.
	run := func(g float64, likely, force bool) (*pass, error) {
		if err := abandon(); err != nil {
			return nil, err
		}
		if !force {
			tr.iterations++
			if progress != nil {
				progress(math.Min(1, float64(tr.iterations)/4))
			}
		}
		tp := newTap(busChannels, bus.Frames())
		followed := fol != nil && (force || fol.wants(likely))
		if followed {
			cur = tp
			fol.follow(tp, tr)
		}
		an.curves = followed || fol == nil
		defer clk.begin(fmt.Sprintf("targeting pass %d", tr.iterations))()
		if tr.awarePending(lim) && !tr.sa.plain1 && model.reduces(g, lim) {
			var e error
			if lim, e = tr.awareLimiter(rate, step); e != nil {
				return nil, e
			}
		}
		// An unfollowed pass is not the final one when a follower is
		// there (finish runs it again): its stems' figures go unread.
		stems := followed || fol == nil
		var kept *keptPass
		if followed {
			kept = tr.keepPass(tp, lim, bus.Frames())
		}
		keepStemStats(lim, stems)
		p, err := limitPass(ctx, bus, g, lim, step, tp, an)
		if err == nil && tr.awarePending(lim) && !readsQuiet(lim) {
			// The stem-aware limiter would have acted: this pass, the
			// plain limiter's, is not its output. Run it stem-aware.
			if followed {
				tp.abort()
				fol.abandon()
				cur = nil
				tp = newTap(busChannels, bus.Frames())
				cur = tp
				fol.follow(tp, tr)
			} else {
				tp = newTap(busChannels, bus.Frames())
			}
			if lim, err = tr.awareLimiter(rate, step); err != nil {
				return nil, err
			}
			if followed {
				kept = tr.keepPass(tp, lim, bus.Frames())
			}
			keepStemStats(lim, stems)
			p, err = limitPass(ctx, bus, g, lim, step, tp, an)
		}
		if err != nil {
			return nil, err
		}
		p.followed, p.kept = followed, kept
		return p, nil
	}
	// finish makes last the final pass, run once more when the follower did
	// not stream behind it.
	finish := func(last *pass) (*targeting, error) {
		if fol != nil && !last.followed || fol == nil && last.curves == nil {
			var err error
			if last, err = run(last.gainDB, true, true); err != nil {
				return nil, err
			}
		}
		tr.final = last
		if err := tr.keep(last); err != nil {
			return nil, err
		}
		return tr, nil
	}

	if t.None {
		p, err := run(m.GainDB, true, false)
		if err != nil {
			return nil, err
		}
		return finish(p)
	}
	T := t.IntegratedLUFS
	preLUFS := model.loudness(0, nil)
	if math.IsNaN(preLUFS) || math.IsInf(preLUFS, 0) {
		tr.warnings = append(tr.warnings, unmeasurableSum(float64(bus.Frames())/rate))
		p, err := run(0, true, false)
		if err != nil {
			return nil, err
		}
		return finish(p)
	}

	predictReach := func(aim float64) (float64, bool) {
		endModel := clk.begin("targeting model")
		defer endModel()
		if !limOn {
			return aim - preLUFS, true
		}
		return model.solve(aim, tr.params)
	}
	predict := func(aim float64) float64 {
		g, _ := predictReach(aim)
		return g
	}
	// No gain in a session goes beyond stemmaster.MaxGainDB, nor does the
	// master's: a sum whose loudness comes from peaks the limiter takes
	// away (a click in a near-silent stem) would otherwise be raised by
	// 80 dB and more, its noise floor with it, and still miss the target.
	capGain := func(g float64) float64 { return math.Min(g, stemmaster.MaxGainDB) }
	g, reachable := predictReach(T)
	// beyond: the model finds the target out of the limiter's reach, so the
	// first pass is aimed where more gain stops adding loudness; when it
	// confirms the miss, the master stops there.
	beyond := false
	if !reachable {
		endModel := clk.begin("targeting model")
		g, beyond = model.squashFrom(T-preLUFS-stemmaster.MaxGainDB, g, tr.params), true
		endModel()
	}
	g = capGain(g)
	var best, last, prev *pass // prev: the pass before, when the search has one
	var secPrev float64
	corrections := 0
	follow := !tr.awareMisses(model, g) // the prediction is likely to land
	if limOn && tr.awarePending(lim) && !tr.sa.plain1 && !tr.sa.noProbe && model.reduces(g, lim) {
		// The first pass is stem-aware: aim the prediction by what the
		// stem-aware limiter keeps over the plain one (probeAware).
		if lim, err = tr.awareLimiter(rate, step); err != nil {
			return nil, err
		}
		if g2, ok := tr.aimAware(ctx, lim.(*stemAwareLimiter), model, g, T, rate, step, predict, clk); ok {
			g, follow = capGain(g2), true
		}
	}
	for tr.iterations < maxIterations {
		p, err := run(g, follow, false)
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
			if err := abandon(); err != nil {
				return nil, err
			}
			tr.params.SafetyMarginDB = math.Max(tr.params.SafetyMarginDB, limiter.DefaultSafetyMarginDB) + (tp - ceiling) + 0.01
			if lim, err = newBusLimiter(tr.params, rate, step, sa); err != nil {
				return nil, err
			}
			prev, secPrev = nil, 0
			if corrections < 2 {
				g = capGain(predict(T))
			}
			continue
		}
		if best == nil || math.Abs(I-T) < math.Abs(best.result.IntegratedLUFS-T) {
			best = p
		}
		if math.Abs(I-T) <= AimLU || math.IsNaN(I) || tr.iterations >= maxIterations {
			break
		}
		if p.gainDB >= stemmaster.MaxGainDB && I < T {
			why := fmt.Sprintf("the sum reads %.1f LUFS before mastering, more than %g dB under the target", preLUFS, stemmaster.MaxGainDB)
			if preLUFS+stemmaster.MaxGainDB >= T {
				why = fmt.Sprintf("the sum reads %.1f LUFS before mastering, but the limiter takes away what more gain adds: the target is beyond what the material holds under the ceiling, or its loudness comes from peaks such as a click in a near-silent stem (more gain would raise the noise floor, not the music)", preLUFS)
			}
			tr.warnings = append(tr.warnings, fmt.Sprintf("the master gain stops at %+g dB, the most stemmaster applies to any gain: %s", stemmaster.MaxGainDB, why))
			break
		}
		if beyond && I < T && p == best {
			// Driving the limiter harder would square the waveform off
			// (its harmonics add a little loudness) rather than raise it.
			tr.warnings = append(tr.warnings, fmt.Sprintf("%s LUFS is beyond what the material holds under the %s dBTP ceiling: past %+.1f dB of master gain a dB more adds under %g LU, the limiter taking the rest away, so the master stops there rather than distort it", stemmaster.FormatNumber(T), stemmaster.FormatNumber(ceiling), p.gainDB, squashLUPerDB))
			break
		}
		beyond = false // the first pass decides; the search goes on from the measurements
		if prev != nil && g > prev.gainDB && I < T && (I-prev.result.IntegratedLUFS)/(g-prev.gainDB) < squashLUPerDB {
			// Measured past the knee the model did not see (clipped noise
			// reads at most about -4.7 LUFS under -1 dBTP however hard it
			// is driven): the loudness curve is concave, so every dB past
			// prev's gain adds less still. The master stops at prev's, the lower
			// gain: what the higher one adds is mostly distortion.
			tr.warnings = append(tr.warnings, fmt.Sprintf("%s LUFS is beyond what the material holds under the %s dBTP ceiling: from %+.1f to %+.1f dB of master gain it read %.2f then %.2f LUFS, under %g LU a dB more, the limiter taking the rest away, so the master stops at %+.1f dB rather than distort it", stemmaster.FormatNumber(T), stemmaster.FormatNumber(ceiling), prev.gainDB, g, prev.result.IntegratedLUFS, I, squashLUPerDB, prev.gainDB))
			best = prev
			break
		}
		if corrections < 2 && limOn {
			// The model's error changes slowly with the gain: aim it off
			// the target by its miss at this gain.
			corrections++
			miss := I - model.loudness(g, &tr.params)
			prev = p
			g = capGain(math.Max(g-maxStepDB, math.Min(g+maxStepDB, predict(T-miss))))
			continue
		}
		// Secant step on measured loudness against gain. Limiting makes the
		// curve concave (each dB of gain adds less loudness than the last),
		// so when stepping up, the slope is extrapolated to keep falling as
		// it fell between the last two secants; this lands heavy targets
		// (club: 18 dB of limiting) in 3–4 passes instead of 5–6.
		slope := 1.0
		if prev != nil && g != prev.gainDB {
			sec := (I - prev.result.IntegratedLUFS) / (g - prev.gainDB)
			slope = sec
			if T > I && secPrev > 0 && sec > 0 && sec < secPrev {
				slope = sec * math.Max(0.3, sec/secPrev)
			}
			secPrev = sec
			slope = math.Max(0.05, math.Min(1, slope))
		}
		prev = p
		g = capGain(g + math.Max(-maxStepDB, math.Min(maxStepDB, (T-I)/slope)))
	}
	if best == nil {
		return nil, fmt.Errorf("engine: the limiter could not hold the true peak at %.2f dBTP", ceiling)
	}
	if best != last {
		// The last pass was not the closest; render the best gain again.
		if last, err = run(best.gainDB, true, false); err != nil {
			return nil, err
		}
	}
	tr.stemAware, _ = lim.(*stemAwareLimiter)
	if d := last.result.IntegratedLUFS - T; math.Abs(d) > ToleranceLU {
		passes := fmt.Sprintf("%d passes", tr.iterations)
		if tr.iterations == 1 {
			passes = "1 pass"
		}
		tr.warnings = append(tr.warnings, fmt.Sprintf("the main master reads %.2f LUFS, %+.2f LU off the %s LUFS target after %s", last.result.IntegratedLUFS, d, stemmaster.FormatNumber(T), passes))
	}
	if warn := warnGR(m); limOn && last.stats.MaxGRDB > warn {
		tr.warnings = append(tr.warnings, fmt.Sprintf("reaching %s LUFS takes %.1f dB of peak limiting (more than %s dB): expect audible limiting; consider a lower target or more headroom in the mix", stemmaster.FormatNumber(T), last.stats.MaxGRDB, stemmaster.FormatNumber(warn)))
	}
	return finish(last)
}

// warnGR is the peak gain reduction above which targeting warns.
func warnGR(m stemmaster.Master) float64 {
	if m.Limiter != nil {
		return m.Limiter.WarnGR()
	}
	return stemmaster.LimiterParams{}.WarnGR()
}

// limiter returns a fresh limiter with the parameters targeting settled on,
// or nil when no limiter runs: for the main version the limiter targeting
// ran (stem-aware or not), for the other versions the plain one.
func (tr *targeting) limiter(rate float64, block int, main bool) (busLimiter, error) {
	if !tr.limiterOn {
		return nil, nil
	}
	if sa := tr.stemInput(main); sa != nil {
		return newBusLimiter(tr.params, rate, block, sa)
	}
	l, err := newLimiter(tr.params, rate, block)
	if err != nil {
		return nil, err // a nil *TruePeakLimiter must be a nil busLimiter
	}
	return l, nil
}

// unmeasurableSum is the warning for a sum whose integrated loudness is
// undefined, which targeting then skips: it says which of the two it is, a
// song shorter than BS.1770's 400 ms block (no block to measure) or one
// with no block over the −70 LUFS gate, since the two are fixed
// differently.
func unmeasurableSum(seconds float64) string {
	why := "the sum is silent: nothing in it reaches BS.1770's −70 LUFS gate"
	const gatingBlockS = 0.4 // BS.1770's gating block
	if seconds < gatingBlockS {
		why = fmt.Sprintf("the sum is %.2f s long, shorter than the %s s block BS.1770 measures loudness over", seconds, stemmaster.FormatNumber(gatingBlockS))
	}
	return why + "; loudness targeting skipped (master gain 0 dB)"
}
