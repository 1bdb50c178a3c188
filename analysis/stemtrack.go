package analysis

import (
	"cmp"
	"math"
	"slices"
)

// Dynamics on a stem rather than on the master bus.
//
// A compressor or limiter printed on one stem (or bypassed on its track
// when the mix was bounced) makes that stem's level move against its part
// of the mix, block by block, while the other stems null. One gain per
// block on the whole sum (the bus-gain track) explains only part of such
// a residual; one gain per block on that stem alone explains nearly all
// of it. StemTracks measures, against the stems at fixed gains, what one
// gain per BusGainBlockSeconds block on each stem alone removes from the
// residual, and what one gain per block on every stem at once removes
// (which contains the bus model: every stem's gain the same): dynamics on
// the stems explain far more that way than one gain on their sum does.

// StemTrack is what one gain per block on one stem explains.
type StemTrack struct {
	// Explained is the fraction of the residual at the fixed gains that
	// one gain per block on this stem alone removes (NaN: no residual).
	Explained float64
	// Removed is the fraction of the residual that leaving the stem out
	// removes, summed over the blocks where that lowers the residual:
	// where the stem holds what the mix does not have.
	Removed float64
	// LowDB, HighDB are the 10th and 90th percentiles of that gain in dB,
	// over the blocks where the stem plays (within stemTrackGateDB of its
	// loudest block), relative to its fixed gain.
	LowDB, HighDB float64
}

// StemTracksResult is what StemTracks found.
type StemTracksResult struct {
	Stems []StemTrack // per stem; zero for stems left out
	// Explained is the fraction of the residual that one gain per block
	// on every stem in use at once removes (NaN: no residual).
	Explained float64
	// Moving is the smallest set of stems, taken in the order of their own
	// explained fractions, whose gains per block explain at least
	// movingShare of what every stem's do.
	Moving []int
}

// movingShare: the stems named as moving explain this share of what the
// gains of every stem explain (a stem sharing notes or hits with the one
// compressed explains a little of it too, and is not named).
const movingShare = 0.9

// stemTrackGateDB: a block more than this under the stem's loudest is
// left out of its gain percentiles (a fade, a gap: its gain is noise).
const stemTrackGateDB = 30.0

// StemTracks measures the stems' own moving gains at the given gains (0:
// a stem left out).
func (bg *BlockGrams) StemTracks(gains []float64) StemTracksResult {
	r := StemTracksResult{Stems: make([]StemTrack, bg.N), Explained: math.NaN()}
	var base float64
	own := make([]float64, bg.N) // residual energy removed by stem k's own gain
	removed := make([]float64, bg.N)
	peak := make([]float64, bg.N) // stem k's loudest block energy at its gain
	for b := range bg.g {
		for k, gk := range gains {
			if gk != 0 {
				peak[k] = max(peak[k], gk*gk*bg.g[b][triIndex(bg.N, k, k)])
			}
		}
	}
	blockDB := make([][]float64, bg.N)
	use := make([]bool, bg.N)
	for i, g := range gains {
		use[i] = g != 0
	}
	for b := range bg.g {
		g, bb := bg.g[b], bg.b[b]
		yy, my := bg.quad(b, gains)
		e := max(bg.mm[b]-2*my+yy, 0)
		base += e
		for k, gk := range gains {
			if gk == 0 {
				continue
			}
			kk := g[triIndex(bg.N, k, k)]
			if kk <= 0 {
				continue
			}
			// ⟨e, sₖ⟩ = Bₖ − Σⱼ gⱼ·Gₖⱼ: the residual's projection on the
			// stem; scaling the stem by 1 + a removes ⟨e, sₖ⟩²/Gₖₖ.
			p := bb[k]
			for j, gj := range gains {
				if gj != 0 {
					p -= gj * g[triIndex(bg.N, min(j, k), max(j, k))]
				}
			}
			own[k] += min(p*p/kk, e)
			// Leaving the stem out changes the residual by 2gₖ⟨e, sₖ⟩ +
			// gₖ²Gₖₖ.
			if d := -2*gk*p - gk*gk*kk; d > 0 {
				removed[k] += min(d, e)
			}
			if gk*gk*kk >= peak[k]*math.Pow(10, -stemTrackGateDB/10) {
				a := 1 + p/(gk*kk)
				blockDB[k] = append(blockDB[k], 20*math.Log10(math.Max(math.Abs(a), 1e-6)))
			}
		}
	}
	if base <= 0 {
		return r
	}
	r.Explained = bg.blockGainsExplain(gains, use, base)
	for k := range gains {
		if gains[k] == 0 {
			continue
		}
		t := StemTrack{Explained: own[k] / base, Removed: removed[k] / base, LowDB: math.NaN(), HighDB: math.NaN()}
		if d := blockDB[k]; len(d) > 0 {
			slices.Sort(d)
			t.LowDB, t.HighDB = d[len(d)/10], d[len(d)*9/10]
		}
		r.Stems[k] = t
	}
	var order []int
	for k := range gains {
		if gains[k] != 0 {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.Stems[b].Explained, r.Stems[a].Explained) })
	sub := make([]bool, bg.N)
	for _, k := range order {
		sub[k] = true
		r.Moving = append(r.Moving, k)
		if bg.blockGainsExplain(gains, sub, base) >= movingShare*r.Explained {
			break
		}
	}
	return r
}

// blockGainsExplain returns the fraction of base (the residual energy at
// the fixed gains) that one gain per block on each stem in use removes:
// per block, the least-squares fit of those stems with the others fixed.
func (bg *BlockGrams) blockGainsExplain(gains []float64, use []bool, base float64) float64 {
	gram := NewGram(bg.N)
	var after float64
	for b := range bg.g {
		g, bb := bg.g[b], bg.b[b]
		yy, my := bg.quad(b, gains)
		e := max(bg.mm[b]-2*my+yy, 0)
		// The stems held fixed are part of the target: m − Σ gⱼsⱼ over
		// j not in use, whose Gram with the free stems is Bᵢ − Σ gⱼGᵢⱼ.
		gram.Reset()
		mm := bg.mm[b]
		for i := range bg.N {
			gram.B[i] = bb[i]
			for j := range bg.N {
				if !use[j] && gains[j] != 0 {
					gram.B[i] -= gains[j] * g[triIndex(bg.N, min(i, j), max(i, j))]
				}
			}
			for j := i; j < bg.N; j++ {
				gram.G[i][j] = g[triIndex(bg.N, i, j)]
			}
			if !use[i] && gains[i] != 0 {
				mm -= 2 * gains[i] * bb[i]
				for j := range bg.N {
					if !use[j] && gains[j] != 0 {
						mm += gains[i] * gains[j] * g[triIndex(bg.N, min(i, j), max(i, j))]
					}
				}
			}
		}
		gram.MM = max(mm, 0)
		after += min(gram.Solve(use).ResidualEnergy, e)
	}
	return 1 - after/base
}

// The thresholds of DiagnoseStems.
const (
	// StemDynamicsExplainedMin: one gain per block on every stem removes
	// at least this fraction of the residual (a limiter's gain moves
	// within a block, so its stem explains 0.64–0.95) …
	StemDynamicsExplainedMin = 0.5
	// StemDynamicsMargin: … and at least this much more than one gain
	// per block on their sum (the bus model, which it contains: through
	// a bus compressor or limiter the two explain alike, 0.88–0.90 against
	// 0.90 on a compressed and a limited mix of real music; a limiter on
	// one stem, 0.95 against 0.69, on every stem 0.89 against 0.66).
	StemDynamicsMargin = 0.15
	// StemExtraRemovedMin: leaving one stem out, where that lowers the
	// residual, removes this much of it or more, and that much more than
	// one gain per block on the sum: there the stem holds what the mix
	// does not (noise, a click, a part the mix mutes). A missing stem
	// leaves nothing that leaving a stem out removes.
	StemExtraRemovedMin = 0.15
)

// DiagnoseStems reads the stems' own moving gains against the bus-gain
// track: the stems whose dynamics the mix does not have (cause
// CauseStemDynamics, stems: their indices), or one stem that holds
// content the mix lacks (CauseStemExtra, stems: that one), or neither
// (CauseUnclear, nil).
func DiagnoseStems(t StemTracksResult, bus BusGainResult) (ResidualCause, []int) {
	busExplained := bus.Explained
	if math.IsNaN(busExplained) {
		busExplained = 0
	}
	extra, most := -1, 0.0
	for k, s := range t.Stems {
		if s.Removed > most {
			extra, most = k, s.Removed
		}
	}
	if extra >= 0 && most >= StemExtraRemovedMin && most-busExplained >= StemDynamicsMargin && most >= t.Explained/2 {
		return CauseStemExtra, []int{extra}
	}
	if t.Explained >= StemDynamicsExplainedMin && t.Explained-busExplained >= StemDynamicsMargin && len(t.Moving) > 0 {
		return CauseStemDynamics, t.Moving
	}
	return CauseUnclear, nil
}
