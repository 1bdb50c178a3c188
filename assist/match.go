package assist

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/limiter"
	"stemmaster/dsp/lineq"
	"stemmaster/engine"
	"stemmaster/loudness"
)

// Regions of the spectrum stems can own: the stems that each carry a
// quarter or more of the proposed sum's energy there, together at least
// half, take the references' difference in that region on a shelf.
var regions = []struct {
	name      string
	lo, hi    float64 // bands averaged
	shelf     string
	shelfHz   float64
	ownerWord string
}{
	{"low end", 31, 125, stemmaster.EQLowShelf, 120, "below 120 Hz"},
	{"air", 8000, 16000, stemmaster.EQHighShelf, 8000, "above 8 kHz"},
}

// refCurve is the weighted blend of the references' third-octave spectra,
// each loudness-normalised (dB re its integrated loudness), smoothed.
// A band centred past a reference's Nyquist frequency (a reference at a
// lower rate than the stems) holds only that file's roll-off: it is left
// out of that reference's part, and a band no reference carries stays
// undefined after smoothing (the match then leaves it alone). Taken as
// silence, an 8 kHz reference asked for 15 dB less above 4 kHz and a
// -9 dB high shelf on the stems ("-91.5 dB of air").
func refCurve(refs []*Analysis, weights []float64, smoothing float64) []float64 {
	out := make([]float64, len(thirdCentres))
	beyond := make([]bool, len(thirdCentres))
	for k, c := range thirdCentres {
		var pw, ws float64
		beyond[k] = true
		for i, r := range refs {
			if !r.carries(c) {
				continue
			}
			beyond[k] = false
			if math.IsNaN(r.Spectrum[k]) {
				continue
			}
			pw += weights[i] * math.Pow(10, (r.Spectrum[k]-r.IntegratedLUFS)/10)
			ws += weights[i]
		}
		out[k] = math.NaN()
		if ws > 0 {
			out[k] = 10 * math.Log10(pw/ws)
		}
	}
	out = smooth(out, smoothing)
	for k := range out {
		if beyond[k] {
			out[k] = math.NaN()
		}
	}
	return out
}

// carries reports whether the analysed track's rate holds the
// third-octave band around c: its centre under the Nyquist frequency (a
// CD-rate file holds the 20 kHz band, an 8 kHz one nothing from 4 kHz).
// An analysis without its spectrum (built in a test) carries every band.
func (a *Analysis) carries(c float64) bool {
	if a.psd == nil {
		return true
	}
	return c < a.psd.binHz*float64(len(a.psd.mid)-1)
}

// normalised is a track's spectrum relative to its loudness, smoothed.
func normalised(a *Analysis, smoothing float64) []float64 {
	out := make([]float64, len(a.Spectrum))
	for k, v := range a.Spectrum {
		out[k] = v - a.IntegratedLUFS
	}
	return smooth(out, smoothing)
}

// match matches the proposed sum's tone to the references at amount
// MatchAmount: first the regions one stem owns go to that stem's shelf,
// then the master's linear-phase match EQ takes the rest. The aim is
// the plain proposal's spectrum moved MatchAmount of the way to the
// references'.
func (p *Proposal) match(work []*stemWork, psum **audio.Buffer, rate int, refs []*Analysis, weights []float64, smoothing float64) error {
	m, fs := p.MatchAmount, float64(rate)
	s := p.Session
	want := refCurve(refs, weights, smoothing)
	have := normalised(p.Proposed, smoothing)
	// The plain proposal's spectrum: the sum through the master EQ (the
	// default high-pass and the family tone), which stays in the chain.
	masterEQ := s.Master.EQ
	plain := make([]float64, len(have))
	for k, c := range thirdCentres {
		plain[k] = have[k]
		if c < fs/2 {
			plain[k] += bandAverageDB(masterEQ, c, fs)
		}
	}
	diff, _ := diffTarget(want, plain, 31, 16000, fs)
	// Stems first.
	if len(work) > 1 {
		sumPSD := p.Proposed.psd
		changed := false
		for _, rg := range regions {
			var x float64
			n := 0
			for k, c := range thirdCentres {
				if c >= rg.lo && c <= rg.hi && c < fs/2 && !math.IsNaN(diff[k]) {
					x += diff[k]
					n++
				}
			}
			if n == 0 {
				continue
			}
			x /= float64(n)
			if math.Abs(x) < 0.5 {
				continue
			}
			// The stems that hold the region: each with a quarter of its
			// energy or more, together at least half of it.
			total := sumPSD.rangePower(rg.lo, rg.hi)
			var owners []*stemWork
			var shares []float64
			var share float64
			for _, w := range work {
				sp := longTerm(w.out, rate).rangePower(rg.lo, rg.hi)
				if total > 0 && sp/total >= 0.25 {
					owners = append(owners, w)
					shares = append(shares, sp/total)
					share += sp / total
				}
			}
			if share < 0.5 {
				continue
			}
			share = math.Min(share, 1)
			// Owners' gain g with share·10^(g/10) + (1 − share) = 10^(x/10).
			arg := (math.Pow(10, x/10) - (1 - share)) / share
			g := -float64(stemShelfLimitDB)
			if arg > 0 {
				g = math.Max(-stemShelfLimitDB, math.Min(stemShelfLimitDB, 10*math.Log10(arg)))
			}
			g = round(g*m, 1)
			if g == 0 {
				continue
			}
			var who []string
			for i, o := range owners {
				who = append(who, fmt.Sprintf("%s %.0f %%", o.t.base(), shares[i]*100))
			}
			for _, owner := range owners {
				name := owner.t.base()
				owner.eqFull = append(owner.eqFull, stemmaster.EQBand{Type: rg.shelf, FreqHz: rg.shelfHz, GainDB: g / math.Max(p.Amount, 1e-9), Q: 0.7071})
				owner.bandWhy = append(owner.bandWhy, Decision{Kind: "match", File: name,
					Reason: fmt.Sprintf("the references carry %+.1f dB of %s %s against the proposal; the stems that hold it (%s) take it with a %s (the rest goes to the master)",
						x, rg.name, rg.ownerWord, strings.Join(who, ", "), strings.ReplaceAll(rg.shelf, "_", " "))})
			}
			changed = true
		}
		if changed {
			// Re-render the owners (amount-scaled like every stem band; the
			// shelf was stored at full strength over Amount so that it lands
			// at g exactly) and rebuild the proposed sum.
			var sum *audio.Buffer
			p.Decisions = p.Decisions[:0]
			for i, w := range work {
				w.render(p.Amount)
				for j := range w.done {
					if w.done[j].Kind == "match" {
						w.done[j].Amount = m
					}
				}
				s.Stems[i] = w.spec
				p.processed[i] = w.out
				sum = mixInto(sum, w.out)
				for _, d := range w.done {
					p.Decisions = append(p.Decisions, d.at(i))
				}
			}
			*psum = sum
			p.Proposed = Analyze(&Track{Name: "proposed sum", Rate: rate, Buf: sum})
			have = normalised(p.Proposed, smoothing)
		}
	}
	// The master takes the rest: aim at plain + m·(want − plain).
	aim := make([]float64, len(have))
	for k := range aim {
		aim[k] = plain[k] + m*(want[k]-plain[k])
	}
	p.aim, p.want = aim, want
	withEQ := make([]float64, len(have))
	for k, c := range thirdCentres {
		withEQ[k] = have[k]
		if c < fs/2 {
			withEQ[k] += bandAverageDB(masterEQ, c, fs)
		}
	}
	_, wt := diffTarget(aim, withEQ, matchLowHz, 16000, fs)
	pts, model := fitCurve(p.Proposed.psd, masterEQ, aim, wt, smoothing, fs)
	p.matchModel, p.matchWeight = model, wt
	s.Master.MatchEQ = pts
	var names string
	for i, r := range refs {
		if i > 0 {
			names += ", "
		}
		names += fmt.Sprintf("%s (weight %g)", filepath.Base(r.File), weights[i])
	}
	if len(pts) > 0 {
		p.Decisions = append(p.Decisions, Decision{Path: "master.match_eq", Kind: "match", Amount: m,
			Value: pointList(pts),
			Reason: fmt.Sprintf("third-octave match of the proposed sum to %s, loudness-normalised and smoothed over %.2g octave, taking %.0f %% of the way from the plain proposal (family tone included); solved against the band levels it moves and corrected %d times through a simulation of the master chain",
				names, smoothing, m*100, refinePasses)})
	}
	return nil
}

func pointList(pts []stemmaster.MatchPoint) string {
	var parts []string
	for _, p := range pts {
		parts = append(parts, fmt.Sprintf("%+.1f@%s", p.GainDB, hz(p.FreqHz)))
	}
	return strings.Join(parts, " ")
}

// simulateMaster runs the proposed sum through the session's master chain
// the way the engine does — match EQ, EQ, glue compressor, width, gain to
// the target, true-peak limiter — so the match can correct for what the
// dynamics do to the matched tone. The gain is set in one step (the
// engine iterates to 0.1 LU; the tone does not care).
func simulateMaster(sum *audio.Buffer, m stemmaster.Master, rate int) *audio.Buffer {
	fs := float64(rate)
	b := sum
	if len(m.MatchEQ) > 0 {
		e := lineq.New(linePoints(m.MatchEQ))
		e.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: stripBlock, Channels: 2})
		lat := e.Latency()
		n := sum.Frames()
		pad := audio.NewBuffer(2, n+lat)
		for c := range 2 {
			copy(pad.Data[c], sum.Data[c])
		}
		for s := 0; s < pad.Frames(); s += stripBlock {
			end := min(s+stripBlock, pad.Frames())
			e.Process(&audio.Buffer{Data: [][]float32{pad.Data[0][s:end], pad.Data[1][s:end]}})
		}
		b = &audio.Buffer{Data: [][]float32{pad.Data[0][lat:], pad.Data[1][lat:]}}
	}
	b = process(b, rate, 0, m.EQ, m.Compressor, extras(stemmaster.StemSpec{Multiband: m.Multiband, Width: m.Width}, rate)...)
	t := m.EffectiveTarget()
	if t.None {
		return b
	}
	l := loudness.Measure(b, fs, loudness.Options{}).IntegratedLUFS
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return b
	}
	ceil, _ := m.Ceiling()
	lp := engine.LimiterParams(m, ceil)
	lim := limiter.New(lp)
	lim.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: stripBlock, Channels: 2})
	g := float32(math.Pow(10, (t.IntegratedLUFS-l)/20))
	for c := range 2 {
		for i := range b.Data[c] {
			b.Data[c][i] *= g
		}
	}
	for s := 0; s < b.Frames(); s += stripBlock {
		end := min(s+stripBlock, b.Frames())
		lim.Process(&audio.Buffer{Data: [][]float32{b.Data[0][s:end], b.Data[1][s:end]}})
	}
	return b
}

// refineMatch runs the master chain over the proposed sum and solves
// the match again for what still separates the result from the aim
// (refinePasses times), so the delivered master, not just its input,
// lands on the aim: the glue compressor and the limiter shape the tone
// too, and the model does not know them.
func (p *Proposal) refineMatch(psum *audio.Buffer, rate int, smoothing float64) {
	s := p.Session
	if len(s.Master.MatchEQ) == 0 || p.aim == nil || p.matchModel == nil {
		return
	}
	if p.plainMaster != nil {
		// Aim from the plain proposal as mastered, not from its input:
		// the glue compressor and limiter shape the plain master's tone
		// too, and the match moves the delivered master MatchAmount of the
		// way from the plain one.
		out := simulateMaster(p.plainSum, *p.plainMaster, rate)
		pl := normalised(Analyze(&Track{Name: "plain master", Rate: rate, Buf: out}), smoothing)
		m := p.MatchAmount
		for k := range p.aim {
			if !math.IsNaN(pl[k]) && !math.IsNaN(p.want[k]) {
				p.aim[k] = pl[k] + m*(p.want[k]-pl[k])
			}
		}
	}
	model := p.matchModel
	g := make([]float64, len(s.Master.MatchEQ))
	for i, pt := range s.Master.MatchEQ {
		g[i] = pt.GainDB
	}
	for range refinePasses {
		out := simulateMaster(psum, s.Master, rate)
		got := normalised(Analyze(&Track{Name: "master", Rate: rate, Buf: out}), smoothing)
		level, _ := model.eval(g)
		target := make([]float64, len(level))
		for k := range target {
			target[k] = level[k] + p.aim[k] - got[k] // NaN where any is: left out
		}
		g = model.solve(g, target, p.matchWeight)
		for i := range g {
			g[i] = round(g[i], 1)
			s.Master.MatchEQ[i].GainDB = g[i]
		}
	}
}

// refinePasses is how many times refineMatch corrects the match.
const refinePasses = 3

// matchLowHz is the lowest band the master's match follows: the 31.5 Hz
// band sits under the master's high-pass, where a reference's level asks
// for a boost that fights the filter and takes the curve's range from
// every other band; the curve is held flat below its first point.
const matchLowHz = 39
