package assist

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"stemmaster"
)

// masterWidthNorms is the side-to-mid range (dB, above lowMonoHz) a
// finished master of each family usually sits in: −12 dB is a correlation
// of about +0.88 (a near-mono mix that sounds narrow on speakers), −5 dB
// about +0.52. Acoustic recordings made with spaced microphones run wider.
// Rules of thumb: no standard fixes a master's width.
var masterWidthNorms = map[Family][2]float64{
	FamilyModern:    {-12, -5},
	FamilyBassHeavy: {-12, -5},
	FamilyAcoustic:  {-13, -4},
}

const (
	// monoSafeS2MDB is the widest the assistant ever makes a master: side
	// −4.8 dB against mid is a correlation of +0.5, the lower edge of the
	// range correlation meters show as safe. A master already wider is
	// never widened.
	monoSafeS2MDB = -4.77
	// masterWidenMax bounds widening (side +6 dB): a near-mono mix holds
	// little but reverb and noise in its side.
	masterWidenMax = 2.0
	// minWidenS2MDB: a sum with less side than this is mono for the
	// purpose; side gain would only lift noise and leakage.
	minWidenS2MDB = -30.0
)

// sideToMidAbove is a track's side-to-mid ratio (dB) above hz.
func sideToMidAbove(a *Analysis, hz float64) float64 {
	top := a.psd.binHz * float64(len(a.psd.mid))
	m, s := a.psd.band(a.psd.mid, hz, top), a.psd.band(a.psd.side, hz, top)
	if m <= 0 || s <= 0 {
		return math.Inf(-1)
	}
	return 10 * math.Log10(s/m)
}

// corrOf is the left/right correlation of a side-to-mid ratio (dB) for
// channels of equal power: (M − S)/(M + S).
func corrOf(s2mDB float64) float64 {
	r := math.Pow(10, s2mDB/10)
	return (1 - r) / (1 + r)
}

// masterWidth decides the master's width from the proposed sum. Above
// lowMonoHz the side moves into the family's range at Amount (the plain
// proposal) and from there toward the references' side-to-mid at
// MatchAmount, as the tone does; below lowMonoHz the low end goes to mono
// at Amount when it correlates under lowCorrMin. It never widens the low
// end, never widens past a correlation of +0.5, and leaves the mid (what
// a mono listener hears) as it is. The decision lands on a two-band
// multiband that does nothing but width.
func (p *Proposal) masterWidth(refs []*Analysis, weights []float64) {
	p.Session.Master.Multiband = nil
	p.Decisions = slices.DeleteFunc(p.Decisions, func(d Decision) bool { return d.Path == "master.multiband" })
	pr := p.Proposed
	if pr == nil || math.IsInf(pr.SideToMidDB, -1) {
		return // mono: nothing to widen or narrow
	}
	var why []string
	var monoNote string // a sum too narrow to widen
	amt := p.Amount
	cur := sideToMidAbove(pr, lowMonoHz)
	d := 0.0 // dB the side above lowMonoHz moves
	if !math.IsInf(cur, -1) {
		norm := masterWidthNorms[p.Family]
		d = p.Amount * (math.Max(norm[0], math.Min(norm[1], cur)) - cur)
		line := fmt.Sprintf("above %g Hz the proposed sum's side sits %.1f dB against its mid (correlation %.2f); a %s master usually sits between %g and %g dB", lowMonoHz, cur, corrOf(cur), p.Family, norm[0], norm[1])
		if len(refs) > 0 {
			var want, ws float64
			var names []string
			for i, r := range refs {
				v := sideToMidAbove(r, lowMonoHz)
				if math.IsInf(v, -1) {
					v = -40 // a mono reference: as narrow as this reads
				}
				want += weights[i] * v
				ws += weights[i]
				names = append(names, filepath.Base(r.File))
			}
			want /= ws
			d += p.MatchAmount * (want - cur - d)
			amt = p.MatchAmount
			line += fmt.Sprintf(", the references (%s) %.1f dB", strings.Join(names, ", "), want)
		}
		if d > 0 && cur < minWidenS2MDB {
			d = 0 // side gain cannot widen what has no side
			monoNote = fmt.Sprintf("above %g Hz the proposed sum's side sits %.1f dB against its mid: it is all but mono (a %s master usually sits between %g and %g dB), and its side holds too little (under %g dB) for a side gain to widen, only noise and leakage; to sound wider it needs a wider mix (panning, stereo instruments)",
				lowMonoHz, cur, p.Family, norm[0], norm[1], minWidenS2MDB)
		}
		if d > 0 && cur+d > monoSafeS2MDB {
			d = math.Max(0, monoSafeS2MDB-cur)
			line += "; widened no further than a correlation of +0.5, where mono stays safe"
		}
		if widthFor(d) != 1 {
			why = append(why, line)
		}
	}
	hiFull := widthFor(d)
	lowCorr := pr.LowCorrelation
	lowMono := !math.IsNaN(lowCorr) && lowCorr < lowCorrMin && p.Amount > 0
	if lowMono {
		why = append(why, fmt.Sprintf("below %g Hz it correlates %.2f (norm: at least %.1f): the low end loses level in mono and goes to mono at full amount", lowMonoHz, lowCorr, lowCorrMin))
		if hiFull == 1 {
			amt = p.Amount
		}
	}
	if len(why) == 0 {
		switch {
		case monoNote != "":
			p.Decisions = append(p.Decisions, Decision{Path: "master.multiband", Kind: "width", Amount: 0, Value: "none", Reason: monoNote})
		case !math.IsInf(cur, -1):
			p.Decisions = append(p.Decisions, Decision{Path: "master.multiband", Kind: "width", Amount: amt, Value: "none",
				Reason: fmt.Sprintf("above %g Hz the proposed sum's side sits %.1f dB against its mid (correlation %.2f), within the %s range or the references' (or the amount is 0); under %g Hz it correlates %.2f: the width stays as it is", lowMonoHz, cur, corrOf(cur), p.Family, lowMonoHz, lowCorr)})
		}
		return
	}
	hi := round(hiFull, 2)
	// The low band never widens: it narrows with the rest, or as much as
	// the top widens (the crossover's slopes would otherwise carry some of
	// the widening under lowMonoHz), or to mono.
	lo := round(math.Min(hi, 1/hi), 2)
	if lowMono {
		lo = round(1-p.Amount, 2)
	}
	reason := strings.Join(why, "; ")
	if lo == 1 && hi == 1 {
		p.Decisions = append(p.Decisions, Decision{Path: "master.multiband", Kind: "width", Amount: amt, Value: "off", Reason: reason})
		return
	}
	p.Session.Master.Multiband = widthBands(lo, hi)
	p.Decisions = append(p.Decisions, Decision{Path: "master.multiband", Kind: "width", Amount: amt,
		Value: fmt.Sprintf("width %s under %g Hz, %s above", stemmaster.FormatNumber(lo), lowMonoHz, stemmaster.FormatNumber(hi)), Reason: reason})
}

// widthFor returns the side gain that moves a side-to-mid ratio by d dB,
// within minWidth … masterWidenMax, 1 when the move is under 0.5 dB.
func widthFor(d float64) float64 {
	if math.Abs(d) < 0.5 {
		return 1
	}
	return math.Max(minWidth, math.Min(masterWidenMax, math.Pow(10, d/20)))
}

// widthBands is a two-band multiband split at lowMonoHz that does nothing
// but width: lo below, hi above.
func widthBands(lo, hi float64) *stemmaster.MultibandParams {
	band := func(w float64) stemmaster.MultibandBand {
		if w == 1 {
			return stemmaster.MultibandBand{}
		}
		return stemmaster.MultibandBand{Width: &w}
	}
	return &stemmaster.MultibandParams{CrossoversHz: []float64{lowMonoHz}, Bands: []stemmaster.MultibandBand{band(lo), band(hi)}}
}
