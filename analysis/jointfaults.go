package analysis

import "math"

// Channel faults.
//
// With one gain per mix channel, a channel inverted against the mix is a
// negative gain and a channel exported hot a larger one: the fit explains
// both without a layout of their own. What a gain cannot express is an
// exchange of the channels, decided here from the residual each stem must
// explain (the mix minus every other stem), and which channel's negative
// gain is a fault rather than noise.

// Channel-fault parameters.
const (
	// An exchange is taken when it leaves at most faultResidual of what
	// the direct layout leaves, and the direct layout leaves at least
	// faultFloor of the residual the stem must explain (−27 dB). A stem
	// whose two channels are nearly alike (a vocal, drums in a mostly
	// centred passage) leaves little either way, but an exchange still
	// explains almost all of it; a stem without the fault is never better
	// exchanged than direct.
	faultResidual = 0.1
	faultFloor    = 0.002
	// panTieDB: when both layouts explain a stem alike, the exchange is
	// taken when its channels' gains lie this much closer together.
	panTieDB = 1.0
)

// rest sets the window's residual (restBuf) to the mix less every stem's
// fit at st, for others to add one stem's fit back to.
func (w *JointWindow) rest(st []jstate) {
	if w.restBuf == nil {
		w.restBuf, w.othersBuf = w.channelsLike(), w.channelsLike()
	}
	for c, m := range w.Mix {
		copy(w.restBuf[c], m)
	}
	for j := range st {
		w.addFit(w.restBuf, j, st[j], -1)
	}
}

// others returns the mix minus every stem but k at its current fit, in
// the window's scratch channels (valid until the next call): the residual
// rest set, with stem k's fit added back, as Solve's lag search forms it.
// Subtracting every other stem for each stem instead costs K² passes over
// the window where this costs 2K (twice as fast at 8 stems: 42 against
// 91 ms for a 3 s window); the two differ by the rounding of the sums,
// more than 300 dB under the residual, where the decisions' thresholds
// are tenths and thousandths of it.
func (w *JointWindow) others(st []jstate, k int) [][]float64 {
	r := w.othersBuf
	for c := range r {
		copy(r[c], w.restBuf[c])
	}
	w.addFit(r, k, st[k], 1)
	return r
}

// layOut sets stem k's exchange, keeping the residual rest set in step.
func (w *JointWindow) layOut(st []jstate, k int, swapped bool) {
	w.addFit(w.restBuf, k, st[k], 1)
	st[k].swapped = swapped
	w.addFit(w.restBuf, k, st[k], -1)
}

// faultCandidate says whether stem k can have a channel fault judged: an
// active stereo stem in a stereo mix.
func (w *JointWindow) faultCandidate(k int) bool {
	return len(w.Mix) == 2 && w.Stems[k].Active && w.Stems[k].channels() == 2
}

// channelFaults decides, for each stem that can have one, whether its
// channels are exchanged. It reports whether anything changed.
func (w *JointWindow) channelFaults(st []jstate) bool {
	changed := false
	w.eachCandidate(st, func(int) bool { return true }, func(k int, pr projections, rEnergy float64) {
		if pr.e[0] <= 0 || pr.e[1] <= 0 || rEnergy <= 0 {
			return
		}
		direct := rEnergy - pr.explained(2, 2, false)
		swapped := rEnergy - pr.explained(2, 2, true)
		// A clear win for the exchange; or, for one source panned (its
		// channels one signal at two levels, which per-channel gains fit
		// either way round), the layout that needs the channels' gains
		// the least apart: a panned lead delivered exchanged fits
		// directly only by one channel hot and the other quiet.
		sw := swapped < direct && swapped <= faultResidual*direct && direct-swapped >= faultFloor*rEnergy ||
			swapped <= direct+faultFloor*rEnergy && pr.gainSpreadDB(true)+panTieDB < pr.gainSpreadDB(false)
		if sw != st[k].swapped {
			w.layOut(st, k, sw)
			changed = true
		}
	})
	return changed
}

// eachCandidate calls judge for each stem that can have a channel fault and
// that want accepts, with the projection onto the stem of what the other
// stems leave of the mix and that residual's energy. The residual of all is
// formed once, before the first such stem; judge may change the layout of
// the stem it is given (layOut keeps the residual in step).
func (w *JointWindow) eachCandidate(st []jstate, want func(k int) bool, judge func(k int, pr projections, rEnergy float64)) {
	ready := false
	for k := range w.Stems {
		if !w.faultCandidate(k) || !want(k) {
			continue
		}
		if !ready {
			w.rest(st)
			ready = true
		}
		r := w.others(st, k)
		judge(k, w.project(k, st[k].lag, r), energy(r))
	}
}

// inversions says, per stem, which channel (as delivered) is inverted
// against the mix while the other is not: its gain is negative, the other
// positive, and each explains at least faultFloor of what the stem must
// explain (so that the sign of a channel the stem barely uses is not read
// as a fault).
func (w *JointWindow) inversions(st []jstate) [][2]bool {
	out := make([][2]bool, len(st))
	oneChannelNegative := func(k int) bool { return st[k].gain[0]*st[k].gain[1] < 0 }
	w.eachCandidate(st, oneChannelNegative, func(k int, pr projections, rEnergy float64) {
		ok := rEnergy > 0
		neg := -1
		for mc := range 2 {
			c := mc
			if st[k].swapped {
				c = 1 - mc
			}
			if pr.e[c] <= 0 || pr.p[c][mc]*pr.p[c][mc]/pr.e[c] < faultFloor*rEnergy {
				ok = false
			}
			if st[k].gain[mc] < 0 {
				neg = c
			}
		}
		if ok && neg >= 0 {
			out[k][neg] = true
		}
	})
	return out
}

func energy(r [][]float64) float64 {
	var e float64
	for _, c := range r {
		for _, v := range c {
			e += v * v
		}
	}
	return e
}

// gainSpreadDB is how far apart, in dB, the stem's per-channel gains
// against the residual lie in the layout given.
func (pr projections) gainSpreadDB(swapped bool) float64 {
	var db [2]float64
	for mc := range 2 {
		c := mc
		if swapped {
			c = 1 - mc
		}
		if pr.e[c] <= 0 || pr.p[c][mc] == 0 {
			return math.Inf(1)
		}
		db[mc] = 20 * math.Log10(math.Abs(pr.p[c][mc]/pr.e[c]))
	}
	return math.Abs(db[0] - db[1])
}
