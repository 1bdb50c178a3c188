package assist

import (
	"fmt"
	"math"
	"path/filepath"

	"stemmaster"
	"stemmaster/audio"
)

// Regions of the spectrum a single stem can own: when one stem carries
// more than half of the proposed sum's energy there, the references'
// difference in that region goes to that stem's shelf.
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
func refCurve(refs []*Analysis, weights []float64, smoothing float64) []float64 {
	out := make([]float64, len(thirdCentres))
	for k := range thirdCentres {
		var pw, ws float64
		for i, r := range refs {
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
	return smooth(out, smoothing)
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
// then a third-octave graphic EQ on the master takes the rest. The aim is
// the plain proposal's spectrum moved MatchAmount of the way to the
// references'.
func (p *Proposal) match(work []*stemWork, psum **audio.Buffer, rate int, refs []*Analysis, weights []float64, famEQ []stemmaster.EQBand, smoothing float64) error {
	m, fs := p.MatchAmount, float64(rate)
	s := p.Session
	want := refCurve(refs, weights, smoothing)
	have := normalised(p.Proposed, smoothing)
	// The plain proposal's spectrum: the sum through the family EQ.
	plain := make([]float64, len(have))
	for k, c := range thirdCentres {
		plain[k] = have[k]
		if c < fs/2 {
			plain[k] += bandAverageDB(famEQ, c, fs)
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
			total := sumPSD.rangePower(rg.lo, rg.hi)
			var owner *stemWork
			var share float64
			for _, w := range work {
				sp := longTerm(w.out, rate).rangePower(rg.lo, rg.hi)
				if total > 0 && sp/total > 0.5 {
					owner, share = w, sp/total
				}
			}
			if owner == nil {
				continue
			}
			// Stem gain g with share·10^(g/10) + (1 − share) = 10^(x/10).
			arg := (math.Pow(10, x/10) - (1 - share)) / share
			g := -float64(stemShelfLimitDB)
			if arg > 0 {
				g = math.Max(-stemShelfLimitDB, math.Min(stemShelfLimitDB, 10*math.Log10(arg)))
			}
			g = round(g*m, 1)
			if g == 0 {
				continue
			}
			b := stemmaster.EQBand{Type: rg.shelf, FreqHz: rg.shelfHz, GainDB: g, Q: 0.7071}
			name := filepath.Base(owner.t.Name)
			owner.eqFull = append(owner.eqFull, stemmaster.EQBand{Type: rg.shelf, FreqHz: rg.shelfHz, GainDB: g / math.Max(p.Amount, 1e-9), Q: 0.7071})
			owner.bandWhy = append(owner.bandWhy, Decision{Kind: "match", File: name,
				Reason: fmt.Sprintf("the references carry %+.1f dB of %s %s against the proposal; %s holds %.0f %% of it, so its %s takes it (the rest goes to the master)",
					x, rg.name, rg.ownerWord, name, share*100, b.Type)})
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
	t, wt := diffTarget(aim, have, 31, 16000, fs)
	// Third-octave peaks, and shelves at both ends so the edge bands are
	// not left to one narrow peak each.
	bands := append(thirdPeaks(31, 16000),
		stemmaster.EQBand{Type: stemmaster.EQLowShelf, FreqHz: 40, Q: 0.7071},
		stemmaster.EQBand{Type: stemmaster.EQHighShelf, FreqHz: 12500, Q: 0.7071})
	fitGains(bands, thirdCentres, t, wt, matchLimitDB, 0.01, fs)
	base := len(s.Master.EQ)
	var kept []stemmaster.EQBand
	for _, b := range bands {
		b.GainDB = round(b.GainDB, 1)
		if b.GainDB != 0 {
			kept = append(kept, b)
		}
	}
	s.Master.EQ = append(s.Master.EQ, kept...)
	var names string
	for i, r := range refs {
		if i > 0 {
			names += ", "
		}
		names += fmt.Sprintf("%s (weight %g)", filepath.Base(r.File), weights[i])
	}
	if len(kept) > 0 {
		p.Decisions = append(p.Decisions, Decision{Path: fmt.Sprintf("master.eq[%d…%d]", base, base+len(kept)-1), Kind: "match", Amount: m,
			Value: bandList(kept),
			Reason: fmt.Sprintf("third-octave match of the proposed sum to %s, loudness-normalised and smoothed over %.2g octave, taking %.0f %% of the way from the plain proposal (family tone included)",
				names, smoothing, m*100)})
	}
	return nil
}
