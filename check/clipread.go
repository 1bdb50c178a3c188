package check

import (
	"fmt"
	"math"
	"strings"
)

// A stem clipped where the mix is not.
//
// A stem clipped on export (a clipper or a hot bounce on its track, a
// normalisation after a clipping stage) while the mix was made from the
// unclipped tracks leaves, against the mix, exactly what the clip took:
// a residual on the samples where the stem sits at its extremes, of the
// sign of the stem there (the mix's peak goes beyond the stem's). To the
// peak-following index that is a residual on the peaks, which master-bus
// processing also leaves; but a limiter or clipper on the mix takes the
// sum's peaks down (a residual of the other sign), and a limiter's gain
// spreads over the samples around them. So where a stem has a clipping
// finding, the residual's share on its held samples, of its sign, tells
// the stem's clip from the mix's processing.

// ClippedResidualShare is the share of the residual's energy that must lie
// on the held samples of the clipped stems, on the side where the mix goes
// beyond them, for the residual to be their clipping: a clip on the stem
// leaves nearly all of it there (what the fit's gain moves aside), a
// limiter on the mix a few percent (its gain moves around the peaks, and
// the other way).
const ClippedResidualShare = 0.5

// clippedStemShare is the share of the residual on one stem's held samples
// for it to be named beside others.
const clippedStemShare = 0.1

// clipReading accumulates, over the comparison with the mix, the residual's
// energy on each clipped stem's held samples where the mix goes beyond the
// stem (the residual has the stem's sign), and the whole residual's.
type clipReading struct {
	stems []clippedStem
	total float64
}

type clippedStem struct {
	k int // index among the summed stems
	// hi and lo are each channel's extremes (lo negated): a sample at
	// either is held
	hi, lo []float32
	held   []bool // scratch: the frames of the block held in a channel
	// sign is its fitted gain's: the mix goes beyond the stem where the
	// residual has the sign of the stem's part of the fitted sum
	sign float64
	on   float64
}

// newClipReading returns the reading of the clipped stems of sum (at the
// fit's gains), nil when none is, or when the mix clips too (then the
// residual is partly the mix's own clip, which the master-bus reading
// names).
func newClipReading(sum []*input, mix *input, gains []float64) *clipReading {
	if holdsClips(mix) {
		return nil
	}
	var r clipReading
	for k, in := range sum {
		if !in.clipped || in.st == nil {
			continue
		}
		s := clippedStem{k: k, held: make([]bool, BlockFrames), sign: 1}
		if gains[k] < 0 {
			s.sign = -1
		}
		for _, e := range in.st.ext {
			// A side that never leaves zero holds nothing.
			hi, lo := e.hi.v, e.lo.v
			if hi <= 0 {
				hi = float32(math.Inf(1))
			}
			if lo <= 0 {
				lo = float32(math.Inf(1))
			}
			s.hi, s.lo = append(s.hi, hi), append(s.lo, lo)
		}
		r.stems = append(r.stems, s)
	}
	if r.stems == nil {
		return nil
	}
	return &r
}

// mark finds the held frames i0…i1−1 of the block the summer has loaded.
func (r *clipReading) mark(sm *summer, i0, i1 int) {
	for s := range r.stems {
		cs := &r.stems[s]
		held := cs.held[:i1-i0]
		clear(held)
		for ch, x := range sm.blocks[cs.k] {
			hi, lo := cs.hi[ch], -cs.lo[ch]
			for i, v := range x[i0:i1] {
				if v >= hi || v <= lo {
					held[i] = true
				}
			}
		}
	}
}

// add takes the residual res of sum channel ch over the marked frames.
func (r *clipReading) add(sm *summer, ch, i0 int, res []float32) {
	for _, v := range res {
		r.total += float64(v) * float64(v)
	}
	for s := range r.stems {
		cs := &r.stems[s]
		conv := sm.Conv[cs.k][ch][i0:]
		for i, v := range res {
			if cs.held[i] && float64(v)*conv[i]*cs.sign > 0 {
				cs.on += float64(v) * float64(v)
			}
		}
	}
}

// clipped returns the stems whose clip the residual is, with the share of
// the residual on their held samples; nil when it is not theirs.
func (r *clipReading) clipped(sum []*input) (ins []*input, share float64) {
	if r == nil || r.total <= 0 {
		return nil, 0
	}
	var on float64
	for _, s := range r.stems {
		on += s.on
	}
	if on < ClippedResidualShare*r.total {
		return nil, 0
	}
	for _, s := range r.stems {
		if s.on >= clippedStemShare*r.total {
			ins = append(ins, sum[s.k])
		}
	}
	return ins, on / r.total
}

// clippedWhy words a residual that is the clipped stems' clip.
func clippedWhy(ins []*input, share float64) (why, fix string) {
	names := make([]string, len(ins))
	for i, in := range ins {
		names[i] = in.Name
	}
	list := strings.Join(names, ", ")
	was, it := "was", "it"
	if len(ins) > 1 {
		was, it = "were", "them"
	}
	why = fmt.Sprintf("the residual is what clipping took off %s: %.0f %% of it lies on the samples held at its extremes (the clipping finding's), where the mix's peaks go beyond them — %s %s clipped on export, and the mix was made from the unclipped tracks (no master-bus processing)", list, 100*share, list, was)
	fix = fmt.Sprintf("export %s again without the clip (see the clipping finding on %s); the mix needs no change", list, it)
	return why, fix
}

// ClipQuietMaxDB is how quiet against the mix a stem clipped on export may
// read and still have its gain put down to the clip rather than its fader:
// a clip takes energy off the stem's peaks, so the fit lifts it (2 dB for a
// vocal clipped 10 dB under its peak, 7.5 % of its samples held); it never
// lowers it, so a stem that reads hot was turned up as well as clipped.
const ClipQuietMaxDB = 6
