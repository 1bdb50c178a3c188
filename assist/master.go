package assist

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/engine"
	"stemmaster/loudness"
)

// Master-chain limits.
const (
	masterToneLimitDB = 3 // the family curve only nudges the master
	// masterToneToleranceDB is the part of a region's departure from the
	// family curve that the master tone leaves alone: masters of one
	// style spread by a few dB an octave around their mean spectrum
	// (Pestana et al. 2013), so a mix within this is not dull, harsh or
	// boomy but the song's own sound, and an engineer corrects only what
	// lies outside it. Rule of thumb.
	masterToneToleranceDB = 1.5
	matchLimitDB          = 15 // reference matching may move a band this far
	stemShelfLimitDB      = 9
)

// master decides the master chain: tonal EQ toward the family curve or
// the references (after giving the stems what is theirs), glue
// compressor, limiter and target. The default master chain is the plain
// session's; every decision moves away from it by its amount.
func (p *Proposal) master(work []*stemWork, psum *audio.Buffer, rate int, refs []*Analysis, weights []float64, opt Options, smoothing float64) error {
	a, m := p.Amount, p.MatchAmount
	s := p.Session
	fs := float64(rate)
	p.Proposed = Analyze(&Track{Name: "proposed sum", Rate: rate, Buf: psum})
	base := len(s.Master.EQ)

	// A boom first (boom.go): its own narrow cut, and the tone read with
	// it made.
	tone := p.Proposed.Spectrum
	if cut, why := p.Proposed.boom(psum); cut != nil {
		tone = slices.Clone(tone)
		for k, c := range thirdCentres {
			if c < fs/2 {
				tone[k] += bandAverageDB([]stemmaster.EQBand{*cut}, c, fs)
			}
		}
		b := *cut
		b.GainDB = round(b.GainDB*a, 1)
		if b.GainDB != 0 {
			s.Master.EQ = append(s.Master.EQ, b)
			p.Decisions = append(p.Decisions, Decision{Path: fmt.Sprintf("master.eq[%d]", base), Kind: "resonance", Amount: a,
				Value: fmt.Sprintf("peak %s %+.1f dB Q %.2g", hz(b.FreqHz), b.GainDB, b.Q), Reason: why})
			base++
		}
	}
	// Family tonal EQ: octave bands toward the master curve, on what lies
	// beyond the tolerance only, ±3 dB.
	cur := smooth(tone, 1)
	famT, famW := curveTarget(cur, masterCurves[p.Family], 31, 16000, fs)
	toneWhy, lacking, noLift, leftOut := toneTarget(famT, famW)
	var lackWhy string
	if lacking != "" {
		lackWhy = fmt.Sprintf("; it lifts no low region more than %d dB short (%s): that far short, the mix lacks the part that plays there, which EQ cannot make (a lift only raises rumble and the limiter's work)", lackingDB, lacking)
	}
	famBands := octavePeaks(31, 16000, fs)
	fitGains(famBands, thirdCentres, famT, famW, masterToneLimitDB, 0.05, fs)
	// The fit leaves a region that lacks its part free, and an octave band
	// there would lift it to help its neighbour above (francium's 125 Hz
	// band rose +1.4 dB for its hollow 250 Hz): a band centred there cuts
	// or stays. A band whose thirds were left out as short (the sub-bass
	// of a thin mix, 3–12 dB short under 45 Hz) is free in the fit too,
	// and would rise with a lift above it: it rises only as far as the
	// band above cuts, to hold the region flat against that cut, which is
	// no lift.
	for i := range famBands {
		if noLift[nearestBand(famBands[i].FreqHz)] {
			famBands[i].GainDB = math.Min(famBands[i].GainDB, 0)
		}
	}
	for i := len(famBands) - 1; i >= 0; i-- {
		if !leftOut[nearestBand(famBands[i].FreqHz)] {
			continue
		}
		var above float64
		if i+1 < len(famBands) {
			above = famBands[i+1].GainDB
		}
		famBands[i].GainDB = math.Min(famBands[i].GainDB, math.Max(0, -above))
	}
	// Neighbouring octave bands add up: hold the whole curve, not only each
	// band, within the limit.
	var peak float64
	for _, c := range thirdCentres {
		if c < fs/2 {
			peak = math.Max(peak, math.Abs(bandAverageDB(famBands, c, fs)))
		}
	}
	if peak > masterToneLimitDB {
		for i := range famBands {
			famBands[i].GainDB *= masterToneLimitDB / peak
		}
	}
	scaled := func(bands []stemmaster.EQBand, k float64) []stemmaster.EQBand {
		var out []stemmaster.EQBand
		for _, b := range bands {
			b.GainDB = round(b.GainDB*k, 1)
			if b.GainDB != 0 {
				out = append(out, b)
			}
		}
		return out
	}
	famEQ := scaled(famBands, a)
	// The nudge stays under a full reference match: the match EQ is fitted
	// to the sum with the nudge in it, and on francium matched to a tilted
	// reference the nudge's top-octave cut brings the master within 1.5 dB
	// of the reference at 12.7 kHz where the match alone leaves +1.6 dB
	// (TestReferenceMatchFrancium).
	if len(famEQ) > 0 {
		s.Master.EQ = append(s.Master.EQ, famEQ...)
		p.Decisions = append(p.Decisions, Decision{Path: fmt.Sprintf("master.eq[%d…%d]", base, base+len(famEQ)-1), Kind: "master_tone", Amount: a,
			Value: bandList(famEQ),
			Reason: fmt.Sprintf("against a typical %s master (the average tone of popular music) the mix %s: the EQ corrects what lies beyond %.1f dB of it, by %d dB at most%s",
				p.Family, toneWhy, masterToneToleranceDB, masterToneLimitDB, lackWhy)})
	} else {
		why := fmt.Sprintf("the mix's tone lies within %.1f dB of a typical %s master in every region: it is the song's own, left as it is", masterToneToleranceDB, p.Family)
		if a == 0 {
			why = "amount 0: the tone is left as it is"
		} else if toneWhy != "" {
			why = fmt.Sprintf("against a typical %s master the mix %s, too little to move", p.Family, toneWhy)
		}
		if a != 0 {
			why += lackWhy
		}
		p.Decisions = append(p.Decisions, Decision{Path: "master.eq", Kind: "master_tone", Amount: a, Value: "none", Reason: why})
	}
	matching := len(refs) > 0 && m > 0
	if len(refs) > 0 && m == 0 {
		p.Decisions = append(p.Decisions, Decision{Path: "master.match_eq", Kind: "match", Amount: 0, Value: "off", Reason: "reference matching at amount 0: the plain proposal"})
	}
	// Width: the plain proposal's first (the family's range), then the
	// references' when matching.
	p.masterWidth(nil, nil)
	if matching && m < 1 {
		// The plain proposal's master, for the aim of a partial match: the
		// sum before any match shelf through the master chain the
		// proposal would have without references.
		pm := s.Master
		pm.MatchEQ, pm.Target = nil, nil
		glueLimiter(&pm, psum, p.Proposed, a)
		p.plainSum, p.plainMaster = psum, &pm
	}
	if matching {
		p.masterWidth(refs, weights)
		if err := p.match(work, &psum, rate, refs, weights, smoothing); err != nil {
			return err
		}
	}

	// Target: the one asked for, else the references' loudness, else the
	// default (left out, as in the plain session).
	var tgt *stemmaster.Target
	switch {
	case opt.Target != nil:
		t := *opt.Target
		tgt = &t
		p.Decisions = append(p.Decisions, Decision{Path: "master.target", Kind: "target", Amount: 1, Value: t.String(), Reason: "the target asked for"})
	case len(refs) > 0 && m > 0:
		var l, wsum float64
		for i, r := range refs {
			l += weights[i] * r.IntegratedLUFS
			wsum += weights[i]
		}
		l /= wsum
		def, _ := stemmaster.TargetPreset(stemmaster.DefaultTargetPreset)
		lufs := round(def.IntegratedLUFS+m*(l-def.IntegratedLUFS), 1)
		lufs = math.Max(-40, math.Min(-5, lufs))
		tgt = &stemmaster.Target{IntegratedLUFS: lufs, TruePeakDBTP: def.TruePeakDBTP}
		p.Decisions = append(p.Decisions, Decision{Path: "master.target", Kind: "target", Amount: m, Value: tgt.String(),
			Reason: fmt.Sprintf("the references read %.1f LUFS (weighted); the default target is %s", l, def)})
	}
	s.Master.Target = tgt

	p.Decisions = append(p.Decisions, glueLimiter(&s.Master, psum, p.Proposed, a)...)
	if matching {
		p.refineMatch(psum, rate, smoothing)
		for i := range p.Decisions {
			if p.Decisions[i].Path == "master.match_eq" {
				p.Decisions[i].Value = pointList(s.Master.MatchEQ)
			}
		}
	}
	return nil
}

// glueLimiter sets m's glue compressor and limiter for the proposed sum
// at amount a and returns the decisions. Glue compressor: the default's,
// its threshold set against the proposed sum's loudness and its ratio
// raised when the limiter would otherwise work hard.
func glueLimiter(m *stemmaster.Master, psum *audio.Buffer, proposed *Analysis, a float64) []Decision {
	var ds []Decision
	fs := float64(proposed.rate)
	target := m.EffectiveTarget()
	pm := loudness.Measure(psum, fs, loudness.Options{TruePeak: true})
	plr := pm.TruePeakDBTP - pm.IntegratedLUFS
	def := engine.DefaultMaster()
	dc := *def.Compressor
	if !target.None && !math.IsInf(pm.IntegratedLUFS, 0) && !math.IsNaN(pm.IntegratedLUFS) {
		ceil, _ := m.Ceiling()
		gr := target.IntegratedLUFS + plr - ceil
		full := dc
		// Bounded to the session's −96 … 0 dBFS: a sum delivered
		// hotter than −8 LUFS keeps the glue at full scale.
		full.ThresholdDB = round(math.Max(-96, math.Min(0, pm.IntegratedLUFS+8)), 1)
		full.Ratio = round(1.5+math.Max(0, math.Min(1, (gr-4)/6)), 2)
		if proposed.TransientsPerS > 4 {
			full.ReleaseMS = 150
		}
		c := dc
		c.ThresholdDB = round(dc.ThresholdDB+a*(full.ThresholdDB-dc.ThresholdDB), 1)
		c.Ratio = round(dc.Ratio+a*(full.Ratio-dc.Ratio), 2)
		c.ReleaseMS = round(dc.ReleaseMS+a*(full.ReleaseMS-dc.ReleaseMS), 0)
		m.Compressor = &c
		ds = append(ds, Decision{Path: "master.compressor", Kind: "glue", Amount: a,
			Value: fmt.Sprintf("%.2f:1 at %.1f dBFS, %g/%g ms, knee %g dB", c.Ratio, c.ThresholdDB, c.Attack(), c.Release(), c.KneeDB),
			Reason: fmt.Sprintf("the proposed sum reads %.1f LUFS with a peak-to-loudness ratio of %.1f dB: at %s the limiter would take about %.1f dB; the glue sits 8 dB above the loudness%s",
				pm.IntegratedLUFS, plr, target, math.Max(0, gr), ratioWhy(gr))})
		// Limiter: a shorter release on dense transients, longer on sparse.
		rel := 80.0
		switch {
		case proposed.TransientsPerS > 4:
			rel = 50
		case proposed.TransientsPerS < 1.5:
			rel = 150
		}
		l := *def.Limiter
		l.ReleaseMS = round(l.ReleaseMS+a*(rel-l.ReleaseMS), 0)
		m.Limiter = &l
		eff := limiter.Params{LookaheadMS: l.LookaheadMS, ReleaseMS: l.ReleaseMS}.WithDefaults()
		ds = append(ds, Decision{Path: "master.limiter", Kind: "limiter", Amount: a,
			Value:  fmt.Sprintf("release %g ms, look-ahead %g ms, ceiling %g dBTP", eff.ReleaseMS, eff.LookaheadMS, ceil),
			Reason: fmt.Sprintf("%.1f onsets a second in the proposed sum (release 50 ms above 4/s, 150 ms under 1.5/s, else 80 ms)", proposed.TransientsPerS)})
	}
	return ds
}

func ratioWhy(gr float64) string {
	if gr <= 4 {
		return "; the ratio stays at the default 1.5:1 (limiter work under 4 dB)"
	}
	return fmt.Sprintf("; ratio raised to take part of the %.1f dB off the limiter", gr)
}

func bandList(bands []stemmaster.EQBand) string {
	var parts []string
	for _, b := range bands {
		parts = append(parts, fmt.Sprintf("%+.1f@%s", b.GainDB, hz(b.FreqHz)))
	}
	return strings.Join(parts, " ")
}

// curveTarget returns, per third-octave band inside [lo, hi], how far the
// smoothed spectrum cur lies from the curve (mean removed), and the fit
// weights (bands within 40 dB of the loudest).
func curveTarget(cur []float64, pts []point, lo, hi, rate float64) (target, weight []float64) {
	ref := make([]float64, len(thirdCentres))
	for k, c := range thirdCentres {
		ref[k] = curve(pts, c)
	}
	return diffTarget(ref, cur, lo, hi, rate)
}

// diffTarget is want − have over [lo, hi], mean removed.
func diffTarget(want, have []float64, lo, hi, rate float64) (target, weight []float64) {
	target = make([]float64, len(thirdCentres))
	weight = make([]float64, len(thirdCentres))
	top := math.Inf(-1)
	for k := range have {
		if !math.IsNaN(have[k]) {
			top = math.Max(top, have[k])
		}
	}
	var sw, sd float64
	for k, c := range thirdCentres {
		if c < lo*0.99 || c > hi*1.01 || c >= rate/2 || math.IsNaN(have[k]) || math.IsNaN(want[k]) || have[k] < top-50 {
			continue
		}
		target[k] = want[k] - have[k]
		weight[k] = 1
		sw++
		sd += target[k]
	}
	if sw > 0 {
		for k := range target {
			if weight[k] > 0 {
				target[k] -= sd / sw
			}
		}
	}
	return target, weight
}

// notes adds the findings the assistant reports but does not act on
// (width, mono compatibility, sibilance) as decisions of amount 0, so they
// show.
func (p *Proposal) notes(work []*stemWork) {
	for i, w := range work {
		name := w.t.base()
		a := w.a
		if a.Correlation < 0 && w.widthFull == 0 {
			p.Decisions = append(p.Decisions, Decision{Path: fmt.Sprintf("stems[%d]", i), File: name, Kind: "width", Amount: 0, Value: "advice",
				Reason: fmt.Sprintf("%s has a negative left/right correlation (%.2f): it largely cancels in mono (mono fold-down %.1f dB)", name, a.Correlation, a.MonoLossDB)})
		}
		if !math.IsNaN(a.SibilanceDB) && a.SibilanceDB > sibilanceMaxDB && w.deEss == nil {
			p.Decisions = append(p.Decisions, Decision{Path: fmt.Sprintf("stems[%d]", i), File: name, Kind: "note", Amount: 0, Value: "advice",
				Reason: fmt.Sprintf("%s is sibilant: its loudest 5–10 kHz moments reach %.1f dB against 1–5 kHz (above %d dB), but its rate leaves no room for the de-esser's 4–10 kHz split", name, a.SibilanceDB, sibilanceMaxDB)})
		}
	}
}

// subBassHz: under it the master tone only cuts.
const subBassHz = 45

// A low region (under lackingBelowHz) short of the curve by more than
// lackingDB lacks the part that plays there (francium has no bass stem:
// 20 dB short under 100 Hz). EQ cannot make a missing instrument: a lift
// there only raises the rumble and the limiter's work, so the master
// lifts none of it. Above, every part's harmonics share the region, and
// a far-short top is a dull recording the EQ can brighten.
const (
	lackingDB      = 12
	lackingBelowHz = 250
)

// toneRegions name the parts of the spectrum a musician hears, with what
// too much and too little of each sounds like.
var toneRegions = []struct {
	lo, hi      float64
	name        string
	over, under string
}{
	{20, 60, "sub-bass", "rumbles", "lacks sub-bass"},
	{60, 250, "bass", "is boomy", "is thin"},
	{250, 800, "low mids", "is muddy", "is hollow"},
	{800, 2500, "mids", "is honky", "is scooped"},
	{2500, 6000, "presence", "is harsh", "is distant"},
	{6000, 20000, "top", "is bright", "is dull"},
}

// toneTarget turns the curve's target (want − have per third-octave band,
// mean removed) into the master tone's: centred on the level most of the
// spectrum agrees on (toneReference), so that a region out of place (a
// dull top, a boom) is corrected and neither spread over the rest as a
// level shift nor allowed to move what the rest is measured against, and
// shrunk by masterToneToleranceDB toward 0. It returns, in a musician's words, each region the EQ then
// moves, with its largest departure ("is dull (top 5.3 dB short at
// 8 kHz)"), "" when it moves none; each low region it leaves unlifted as
// lacking a part ("bass 20.3 dB short at 79 Hz"), "" when none is; the
// third-octave bands of those regions; and the third-octave bands left
// out of the fit as short (those regions' and the sub-bass's).
func toneTarget(target, weight []float64) (moved, lacking string, noLift, leftOut []bool) {
	med := toneReference(target, weight)
	dep := make([]float64, len(target)) // have − want, centred
	for k, w := range weight {
		if w > 0 {
			dep[k] = med - target[k]
		}
	}
	// The low regions that lack a part, each by its largest shortfall.
	var lacks []string
	noLift = make([]bool, len(target))
	for _, r := range toneRegions {
		if r.hi > lackingBelowHz {
			continue
		}
		at := -1
		for k, c := range thirdCentres {
			if weight[k] > 0 && c >= r.lo && c < r.hi && (at < 0 || dep[k] < dep[at]) {
				at = k
			}
		}
		if at < 0 || -dep[at] <= lackingDB {
			continue
		}
		lacks = append(lacks, fmt.Sprintf("%s %.1f dB short at %s", r.name, -dep[at], hz(thirdCentres[at])))
		for k, c := range thirdCentres {
			noLift[k] = noLift[k] || c >= r.lo && c < r.hi
		}
	}
	leftOut = make([]bool, len(target))
	for k, w := range weight {
		if w <= 0 {
			continue
		}
		t := -dep[k]
		if t > 0 && (thirdCentres[k] < subBassHz || noLift[k]) {
			// The master lifts no sub-bass, nor a low region that lacks
			// its part: a lift only adds rumble and takes headroom from
			// the limiter. Nor does it cut there what a mix lacks: the
			// band is left out of the fit, where holding it at 0 against
			// the lift above cut it (francium's mix, 20 dB short, lost
			// 2.9 dB at 31 Hz).
			weight[k] = 0
			leftOut[k] = true
			continue
		}
		target[k] = math.Copysign(math.Max(math.Abs(t)-masterToneToleranceDB, 0), t)
	}
	var words []string
	for _, r := range toneRegions {
		at := -1
		for k, c := range thirdCentres {
			if weight[k] > 0 && target[k] != 0 && c >= r.lo && c < r.hi && (at < 0 || math.Abs(target[k]) > math.Abs(target[at])) {
				at = k
			}
		}
		switch {
		case at < 0:
		case dep[at] > 0:
			words = append(words, fmt.Sprintf("%s (%s %.1f dB over at %s)", r.over, r.name, dep[at], hz(thirdCentres[at])))
		default:
			words = append(words, fmt.Sprintf("%s (%s %.1f dB short at %s)", r.under, r.name, -dep[at], hz(thirdCentres[at])))
		}
	}
	return strings.Join(words, ", "), strings.Join(lacks, ", "), noLift, leftOut
}

// toneReference is the level most of the spectrum agrees on, what the
// master tone measures each region against: of the bands (where weight is
// positive) whose neighbourhood of ±masterToneToleranceDB/2 holds the
// most bands, or one fewer (a tie up to the count's granularity), the one
// nearest the median, and the median of its neighbourhood. A region out of
// place moves the plain median: a boom at 120 Hz lifted eight of the 28
// bands, the median rose 0.5 dB with them, and against it the 800 Hz–
// 6 kHz plateau, untouched, read 1 dB short and the top 3.1 dB "dull".
// The plateau the boom left alone is the densest cluster, and the boom
// cannot move it. A steady tilt has no such cluster (every window holds
// as many bands): it is read against its median, as before.
func toneReference(x, weight []float64) float64 {
	const h = masterToneToleranceDB / 2
	med := weightedMedian(x, weight)
	count := func(v float64) int {
		n := 0
		for j, w := range weight {
			if w > 0 && math.Abs(x[j]-v) <= h {
				n++
			}
		}
		return n
	}
	best := 0
	for k, w := range weight {
		if w > 0 {
			best = max(best, count(x[k]))
		}
	}
	at := -1
	for k, w := range weight {
		if w > 0 && count(x[k]) >= best-1 && (at < 0 || math.Abs(x[k]-med) < math.Abs(x[at]-med)) {
			at = k
		}
	}
	if at < 0 {
		return 0
	}
	near := make([]float64, len(x))
	for j, w := range weight {
		if w > 0 && math.Abs(x[j]-x[at]) <= h {
			near[j] = 1
		}
	}
	return weightedMedian(x, near)
}

// weightedMedian is the median of x where weight is positive (0 when
// there is none).
func weightedMedian(x, weight []float64) float64 {
	var vs []float64
	for k, w := range weight {
		if w > 0 {
			vs = append(vs, x[k])
		}
	}
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	if len(vs)%2 == 0 {
		return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
	}
	return vs[len(vs)/2]
}
