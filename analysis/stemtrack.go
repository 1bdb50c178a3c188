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
	// LevelCorrelation is the correlation, over the same blocks, of that
	// gain in dB with the stem's level in dB: negative when the gain is
	// lower where the stem is louder (a compressor or limiter on it), near
	// zero when it moves by chance (NaN: too few blocks).
	LevelCorrelation float64
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
	levelDB := make([][]float64, bg.N) // the stem's level in the same blocks
	use := make([]bool, bg.N)
	for i, g := range gains {
		use[i] = g != 0
	}
	for b := range bg.g {
		g := bg.g[b]
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
			// Scaling the stem by 1 + a removes ⟨e, sₖ⟩²/Gₖₖ.
			p := bg.projection(b, k, gains)
			own[k] += min(p*p/kk, e)
			// Leaving the stem out changes the residual by 2gₖ⟨e, sₖ⟩ +
			// gₖ²Gₖₖ.
			if d := -2*gk*p - gk*gk*kk; d > 0 {
				removed[k] += min(d, e)
			}
			if gk*gk*kk >= peak[k]*math.Pow(10, -stemTrackGateDB/10) {
				a := 1 + p/(gk*kk)
				blockDB[k] = append(blockDB[k], 20*math.Log10(math.Max(math.Abs(a), 1e-6)))
				levelDB[k] = append(levelDB[k], 10*math.Log10(gk*gk*kk))
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
		t := StemTrack{Explained: own[k] / base, Removed: removed[k] / base, LowDB: math.NaN(), HighDB: math.NaN(), LevelCorrelation: correlation(blockDB[k], levelDB[k])}
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

// correlation returns Pearson's correlation of x and y (NaN under three
// pairs or for a constant).
func correlation(x, y []float64) float64 {
	n := float64(len(x))
	if len(x) < 3 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i] / n
		my += y[i] / n
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// StemMovingMinSpreadDB and StemMovingMinCorrelation: beside content of
// its own in the residual (a stem missing), a stem whose own gain per block
// spreads this far (10th to 90th percentile) and is higher where the stem
// is louder (a limiter or compressor on it squashed the peaks its part of
// the mix keeps) moves against its part of the mix. The missing content,
// nearly orthogonal to each stem, leaves that stem's projections alone,
// while it drowns the share of the residual its moves explain. Measured:
// francium's drums through a compander, 4.0 dB and +0.64 with the fx
// missing; a generated song's limited vocal beside a missing stem, 1.4 dB
// and +0.72. The other stems beside a missing one move by chance, more
// the quieter they are against it: up to 22 dB, but with correlations
// from −0.43 to +0.37 (a stem with a reverb the mix holds: 2.2 dB, +0.07).
const (
	StemMovingMinSpreadDB    = 1.0
	StemMovingMinCorrelation = 0.5
)

// MovingStems returns the stems whose own gain per block spreads by
// StemMovingMinSpreadDB or more, correlated with their level by
// StemMovingMinCorrelation or more, widest first.
func (t StemTracksResult) MovingStems() []int {
	var out []int
	for k, s := range t.Stems {
		if s.HighDB-s.LowDB >= StemMovingMinSpreadDB && s.LevelCorrelation >= StemMovingMinCorrelation {
			out = append(out, k)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int {
		return cmp.Compare(t.Stems[b].HighDB-t.Stems[b].LowDB, t.Stems[a].HighDB-t.Stems[a].LowDB)
	})
	return out
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
	// StemOneMargin replaces StemDynamicsMargin when one stem explains
	// nearly all of it alone.
	StemOneMargin = 0.05
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
	if t.Explained >= StemDynamicsExplainedMin && len(t.Moving) > 0 {
		margin := t.Explained - busExplained
		// One stem that explains it alone needs a smaller margin: a gain
		// on the sum explains a dominant stem's moves in part (a vocal
		// ridden in the mix, 1.00 against 0.86), but through a bus
		// process no one stem explains most of it (0.29 at the most on
		// real music).
		one := len(t.Moving) == 1 && t.Stems[t.Moving[0]].Explained >= movingShare*t.Explained
		if margin >= StemDynamicsMargin || one && margin >= StemOneMargin {
			return CauseStemDynamics, t.Moving
		}
	}
	return CauseUnclear, nil
}

// ResidualSpan is where in time most of a residual lies: the shortest run
// of blocks holding a given share of its energy.
type ResidualSpan struct {
	First, Last int // blocks, inclusive; Last < First when there is no residual
	// Blocks is the number of blocks measured.
	Blocks int
	// Stem is the stem whose own gain per block, inside the span, removes
	// the most of the span's residual (−1: none removes half of it): a
	// stem dropped out, cut or different there reads so; a click or noise
	// added to a stem does not, as no gain of that stem makes it.
	Stem int
	// Explained is the fraction of the span's residual Stem's gain removes.
	Explained float64
	// Gap is the stem, among those Stem does not name, that is silent in
	// the span (SpanGapDB under its level in as many blocks either side)
	// while it plays around it, the loudest such (−1: none): a dropout or
	// a tail cut, which no gain of the stem can make.
	Gap int
}

// SpanGapDB is how far under its level around the span a stem must be
// inside it for ResidualSpan to call it silent there.
const SpanGapDB = 40.0

// SpanStemMin is the share of the span's residual a stem's own gain per
// block must remove for ResidualSpan to name the stem.
const SpanStemMin = 0.5

// ResidualSpan finds the shortest run of blocks that holds share of the
// residual's energy at the given gains (0: a stem left out).
func (bg *BlockGrams) ResidualSpan(gains []float64, share float64) ResidualSpan {
	e := make([]float64, len(bg.g))
	var total float64
	for b := range bg.g {
		yy, my := bg.quad(b, gains)
		e[b] = max(bg.mm[b]-2*my+yy, 0)
		total += e[b]
	}
	s := ResidualSpan{First: 0, Last: -1, Blocks: len(e), Stem: -1, Gap: -1}
	if total <= 0 {
		return s
	}
	// Two pointers: for each end, the latest start whose run still holds
	// the share.
	var run float64
	lo := 0
	for hi, v := range e {
		run += v
		for lo < hi && run-e[lo] >= share*total {
			run -= e[lo]
			lo++
		}
		if run >= share*total && (s.Last < s.First || hi-lo < s.Last-s.First) {
			s.First, s.Last = lo, hi
		}
	}
	if s.Last < s.First {
		return s
	}
	var inSpan float64
	own := make([]float64, bg.N)
	for b := s.First; b <= s.Last; b++ {
		inSpan += e[b]
		for k, gk := range gains {
			kk := bg.g[b][triIndex(bg.N, k, k)]
			if gk == 0 || kk <= 0 {
				continue
			}
			p := bg.projection(b, k, gains)
			own[k] += min(p*p/kk, e[b])
		}
	}
	for k, v := range own {
		if f := v / inSpan; inSpan > 0 && f >= SpanStemMin && f > s.Explained {
			s.Stem, s.Explained = k, f
		}
	}
	if s.Stem < 0 {
		s.Gap = bg.gap(gains, s.First, s.Last, inSpan)
	}
	return s
}

// gap returns the loudest stem that is silent in blocks first…last while
// it plays in as many blocks either side (spanGapBlocks at least), loud enough there to be what
// the span's residual lacks (−1: none): per block, at least SpanGapShare
// of the residual's energy in the span (inSpan).
func (bg *BlockGrams) gap(gains []float64, first, last int, inSpan float64) int {
	n := last - first + 1
	w := max(n, spanGapBlocks)
	best, bestE := -1, 0.0
	for k, gk := range gains {
		if gk == 0 {
			continue
		}
		var in, around float64
		blocks := 0
		for b := max(first-w, 0); b <= min(last+w, len(bg.g)-1); b++ {
			v := gk * gk * bg.g[b][triIndex(bg.N, k, k)]
			if b >= first && b <= last {
				in += v
			} else {
				around += v
				blocks++
			}
		}
		if blocks == 0 || around/float64(blocks) < SpanGapShare*inSpan/float64(n) {
			continue
		}
		if in <= around*math.Pow(10, -SpanGapDB/10) && around > bestE {
			best, bestE = k, around
		}
	}
	return best
}

// SpanGapShare: a stem silent in the span is named only when it plays
// around it, per block, at a twentieth of the span's residual energy or
// more (−13 dB: a drum hit dropped out leaves more than the drums' mean
// around it); a quiet part that pauses there (a backing vocal's breath,
// −22 dB under the residual of a part re-recorded on another stem) is
// not what the residual lacks.
const SpanGapShare = 0.05

// spanGapBlocks is the least number of blocks either side of a span
// (0.5 s) that gap compares it with: a dropout longer than the span that
// holds 90 % of its residual (a hit at its start) is silent beyond it too.
const spanGapBlocks = 25

// projection returns ⟨e, sₖ⟩ = Bₖ − Σⱼ gⱼ·Gₖⱼ in block b: the projection
// of the residual at gains on stem k.
func (bg *BlockGrams) projection(b, k int, gains []float64) float64 {
	p := bg.b[b][k]
	for j, gj := range gains {
		if gj != 0 {
			p -= gj * bg.g[b][triIndex(bg.N, min(j, k), max(j, k))]
		}
	}
	return p
}
