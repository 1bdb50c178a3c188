package analysis

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"stemmaster/dsp/fir"
	"stemmaster/internal/safego"
)

// Joint alignment.
//
// Aligning each stem alone against the mix leaves the other stems in the
// reference: their energy drags a narrow-band stem's correlation peak a
// sample or two off (a bass or a pad), and a stem that moved hides behind
// one that did not. JointWindow fits every stem at once over one window of
// the mix instead, by backfitting (alternating least squares): each stem's
// lag is chosen against the mix minus every other stem at its current lag
// and gains, the gains are solved again, and so on for a few rounds.
// Against that residual, which holds the stem itself and little else, the
// lag that removes the most energy is the stem's exact offset even for a
// sustained low-frequency stem, whose own autocorrelation is broad but
// peaks only at the true lag (Cauchy–Schwarz).
//
// Every stem has a gain per channel of the mix: a stem exported with one
// channel hot, panned otherwise than in the mix, or with one channel
// inverted (a negative gain) is then explained as fully as a plain one,
// so that what it leaves is never taken up by another stem that resembles
// it (a reverb return and its dry source). The same residual decides
// whether a stereo stem's channels are exchanged (jointfaults.go).

// Joint alignment parameters.
const (
	// JointRounds bounds the backfitting rounds; the lags settle in two
	// or three.
	JointRounds = 6
	// jointLaterRadius is how far rounds after the first search around
	// the current lag: the first round has moved each lag to within a
	// sample or two of its place.
	jointLaterRadius = 4
	// MinJointShare is the smallest share of the residual (the mix minus
	// the other stems) that a stem must explain at its lag for that lag to
	// be trusted: a stem that is in the mix explains most of what the
	// others leave; an unrelated one explains a chance fraction.
	MinJointShare = 0.05
	// movedResidual: a lag other than 0 is evidence of an offset when it
	// leaves at most this fraction of the residual that lag 0 leaves …
	movedResidual = 0.5
	// … and removes at least this much energy relative to the mix's
	// (−70 dB: above a 16-bit delivery's quantisation noise).
	movedFloor = 1e-7
	// nearNull: a fit that leaves at most this fraction of the window's
	// mix (−60 dB) needs no second start.
	nearNull = 1e-6
)

// JointStem is one stem's excerpts in a JointWindow: one per candidate
// lag (the first search's, and 0 when that lies farther than Radius), each
// searched within Radius.
type JointStem struct {
	Cands  []JointCand
	Radius int
	// Active says the stem has enough material in the window to be
	// aligned there; an inactive stem keeps its first candidate's lag and
	// only enters the gain fit.
	Active bool
}

// JointCand is a stem's excerpt around one candidate lag.
type JointCand struct {
	// prefix sums of x_c² over Ch, for the window energies at every lag
	// (made by Solve)
	pre [2][]float64
	// Ch holds the stem's channels (one or two) around the window at lag
	// Lag0: for a window over mix frames a … a+W−1, Ch[c][i] is the stem
	// at frame a + Lag0 − Radius + i, so len(Ch[c]) = W + 2·Radius. (A
	// stem Lag samples late holds the mix's frame t at its frame t + Lag.)
	Ch   [][]float64
	Lag0 int
}

// cand returns the candidate whose range holds lag (nil when none does).
func (s *JointStem) cand(lag int) *JointCand {
	for i := range s.Cands {
		if c := &s.Cands[i]; lag >= c.Lag0-s.Radius && lag <= c.Lag0+s.Radius {
			return c
		}
	}
	return nil
}

func (s *JointStem) channels() int { return len(s.Cands[0].Ch) }

// prepare makes the prefix sums of every candidate.
func (s *JointStem) prepare() {
	for i := range s.Cands {
		cd := &s.Cands[i]
		if cd.pre[0] != nil {
			continue
		}
		if len(cd.Ch) == 2 && len(cd.Ch[0]) == len(cd.Ch[1]) {
			cd.pre[0], cd.pre[1] = prefixEnergy2(cd.Ch[0], cd.Ch[1])
			continue
		}
		for c, x := range cd.Ch {
			cd.pre[c] = prefixEnergy(x)
		}
	}
}

// prefixEnergy returns p with p[t] = Σ x[i]² over i < t, summed in order.
func prefixEnergy(x []float64) []float64 {
	p := make([]float64, len(x)+1)
	q := p[1:]
	q = q[:len(x)]
	var acc float64
	for t, v := range x {
		acc += v * v
		q[t] = acc
	}
	return p
}

// prefixEnergy2 is prefixEnergy of two channels of one length in one
// loop: two independent chains of additions, which the processor
// overlaps, the same bits as one channel at a time.
func prefixEnergy2(x0, x1 []float64) (p0, p1 []float64) {
	p0, p1 = make([]float64, len(x0)+1), make([]float64, len(x0)+1)
	x1 = x1[:len(x0)]
	q0, q1 := p0[1:], p1[1:]
	q0, q1 = q0[:len(x0)], q1[:len(x0)]
	var a0, a1 float64
	for t, v := range x0 {
		w := x1[t]
		a0 += v * v
		a1 += w * w
		q0[t], q1[t] = a0, a1
	}
	return p0, p1
}

// prepare makes the prefix sums of every active stem, two stems at a
// time. Only an active stem's energies are read (its lag search and its
// channel faults); an inactive one enters the gain fit alone, which reads
// its samples (a probe's window holds one active stem among inactive
// ones).
func (w *JointWindow) prepare() {
	var active []*JointStem
	for k := range w.Stems {
		if w.Stems[k].Active {
			active = append(active, &w.Stems[k])
		}
	}
	wg := safego.Group{Stage: "analysis's stem sums"}
	workers := min(2, len(active))
	for wk := range workers {
		wg.Go(func() {
			for k := wk; k < len(active); k += workers {
				active[k].prepare()
			}
		})
	}
	wg.Wait()
}

// energies returns Σx_c² of each channel over the window at lag.
func (s *JointStem) energies(lag, w int) (e [2]float64) {
	cd := s.cand(lag)
	if cd.pre[0] == nil {
		panic("analysis: energies of a stem prepare left out (an inactive one)")
	}
	off := lag - cd.Lag0 + s.Radius
	for c, p := range cd.pre {
		if p != nil {
			e[c] = p[off+w] - p[off]
		}
	}
	return e
}

// JointWindow is a window of the mix and the stems around it. Solve keeps
// sums of their samples: they must not change once it has run.
type JointWindow struct {
	Mix   [][]float64 // channels × W
	Stems []JointStem
	// MonoGain is the gain of a mono stem in each channel of a stereo mix.
	MonoGain float64
	// LeftDB is what Solve's fit leaves of the mix, in dB relative to the
	// mix's energy in the window.
	LeftDB float64

	mixEnergy float64 // Σ m² over the mix's channels, set by Solve
	othersBuf [][]float64
	restBuf   [][]float64 // the mix less every stem's fit (jointfaults.go)
	// dots holds the gain fit's sums of the feeds met so far: from round
	// to round most stems keep their lag, and so their sums
	dots DotMemo
}

// JointResult is one stem's fit.
type JointResult struct {
	Lag int
	// Gains are the least-squares gains of the stem in each channel of
	// the mix (its channels exchanged as Swapped says); a channel that is
	// inverted against the mix has a negative gain.
	Gains [2]float64
	// Gain is the stem's gain as one figure: the mean of the channels'
	// magnitudes, negative when the whole stem is inverted.
	Gain float64
	// Swapped: the stem's left and right feed the mix's right and left.
	Swapped bool
	// Inverted[c]: channel c of the stem (as delivered) is inverted
	// against the mix while the other is not.
	Inverted [2]bool
	// Share is the fraction of the residual without this stem that it
	// explains at Lag; Trusted says it is at least MinJointShare.
	Share   float64
	Trusted bool
	// Moved says a lag other than 0 fits clearly better than lag 0 (or
	// lag 0 lies outside the search).
	Moved bool
	// AtEdge says Lag lies on the edge of its candidate's range: the best
	// fit may lie beyond it (search again around Lag).
	AtEdge bool
	// Cand is the starting lag of the candidate range Lag lies in.
	Cand int
}

// jstate is a stem's current fit during Solve.
type jstate struct {
	lag     int
	gain    [2]float64 // per mix channel
	swapped bool
}

// Solve fits every stem's lag (within its Radius of Lag0), gains per
// channel and channel exchange to the window.
//
// Backfitting finds a local optimum; with stems that resemble each other
// (a reverb return and its dry source) a start a few samples off can settle
// on the wrong one. Solve therefore runs from two starts, the given lags
// and lag 0 wherever the search reaches it, and keeps the fit that leaves
// the least of the mix (the second only when the first leaves more than
// nearNull of it).
func (w *JointWindow) Solve() []JointResult {
	first := func(s JointStem) int { return s.Cands[0].Lag0 }
	zero := func(s JointStem) int {
		if s.cand(0) != nil {
			return 0
		}
		return s.Cands[0].Lag0
	}
	var me float64
	for _, m := range w.Mix {
		me += fir.DotPortable(m, m)
	}
	w.mixEnergy = me
	a, ea := w.solveFrom(first)
	same := true
	for _, s := range w.Stems {
		same = same && first(s) == zero(s)
	}
	w.LeftDB = 10 * math.Log10(ea/me)
	if same || ea <= nearNull*me {
		// A fit that leaves next to nothing of the mix is no local
		// optimum to escape from.
		return a
	}
	if b, eb := w.solveFrom(zero); eb < ea {
		w.LeftDB = 10 * math.Log10(eb/me)
		return b
	}
	return a
}

// solveFrom backfits from the starting lags start gives and returns the
// fit and the energy of the mix it leaves.
func (w *JointWindow) solveFrom(start func(JointStem) int) ([]JointResult, float64) {
	n := len(w.Stems)
	st := make([]jstate, n)
	for k, s := range w.Stems {
		st[k] = jstate{lag: start(s), gain: [2]float64{1, 1}}
	}
	w.prepare()
	res := make([]JointResult, n)
	fit, r := w.channelsLike(), w.channelsLike()
	for round := range JointRounds {
		w.fitGains(st)
		for _, f := range fit {
			clear(f)
		}
		for k := range st {
			w.addFit(fit, k, st[k], 1)
		}
		changed := false
		for k, s := range w.Stems {
			if !s.Active {
				continue
			}
			// r = mix − every other stem's fit.
			for mc, m := range w.Mix {
				for i, v := range m {
					r[mc][i] = v - fit[mc][i]
				}
			}
			w.addFit(r, k, st[k], 1)
			rad := s.Radius
			if round > 0 {
				rad = min(rad, jointLaterRadius)
			}
			lag, rr := w.searchLag(k, r, st[k].lag, rad)
			if lag != st[k].lag {
				changed = true
			}
			w.addFit(fit, k, st[k], -1)
			st[k].lag = lag
			w.addFit(fit, k, st[k], 1)
			res[k].Share, res[k].Moved = rr.share, rr.moved(lag)
		}
		if w.channelFaults(st) {
			changed = true
		}
		if !changed && round > 0 {
			break
		}
	}
	left := w.fitGains(st)
	inv := w.inversions(st)
	for k, s := range st {
		res[k].Lag, res[k].Gains, res[k].Swapped, res[k].Inverted = s.lag, s.gain, s.swapped, inv[k]
		res[k].Gain = oneGain(s.gain, len(w.Mix), inv[k])
		res[k].Trusted = res[k].Share >= MinJointShare
		if cd := w.Stems[k].cand(s.lag); cd != nil {
			res[k].Cand = cd.Lag0
			res[k].AtEdge = absInt(s.lag-cd.Lag0) == w.Stems[k].Radius
		}
		if !w.Stems[k].Active {
			res[k].Moved = false
		}
	}
	return res, left
}

// oneGain is a stem's gains as one figure: the mean magnitude over the
// mix's channels, negative when the stem is inverted as a whole (every
// channel's gain negative, or the larger one when no single channel is
// found inverted).
func oneGain(g [2]float64, channels int, inv [2]bool) float64 {
	if channels == 1 {
		return g[0]
	}
	m := (math.Abs(g[0]) + math.Abs(g[1])) / 2
	if inv[0] || inv[1] {
		return m
	}
	if g[0]+g[1] < 0 {
		return -m
	}
	return m
}

// channelsLike returns zeroed channels shaped like the mix.
func (w *JointWindow) channelsLike() [][]float64 {
	out := make([][]float64, len(w.Mix))
	for c := range out {
		out[c] = make([]float64, len(w.Mix[0]))
	}
	return out
}

// stemChannel returns channel c of stem k as it meets the window at lag:
// element t is the stem at mix frame t.
func (w *JointWindow) stemChannel(k, c, lag int) []float64 {
	s := &w.Stems[k]
	cd := s.cand(lag)
	off := lag - cd.Lag0 + s.Radius
	return cd.Ch[c][off : off+len(w.Mix[0])]
}

// feed returns the channel of stem k that feeds mix channel mc in the
// layout s gives, and its fixed scale (the mono centre gain of a mono
// stem in a stereo mix).
func (w *JointWindow) feed(k, mc int, s jstate) ([]float64, float64) {
	if w.Stems[k].channels() == 1 {
		if len(w.Mix) == 2 {
			return w.stemChannel(k, 0, s.lag), w.MonoGain
		}
		return w.stemChannel(k, 0, s.lag), 1
	}
	src := mc
	if s.swapped {
		src = 1 - mc
	}
	return w.stemChannel(k, src, s.lag), 1
}

// addFit adds sgn times stem k's fitted contribution to every channel of
// dst.
func (w *JointWindow) addFit(dst [][]float64, k int, s jstate, sgn float64) {
	for mc := range dst {
		x, scale := w.feed(k, mc, s)
		axpy(dst[mc], sgn*scale*s.gain[mc], x)
	}
}

// axpy adds g·x to dst, each product rounded before its addition (gonum's
// SSE2 kernel: the bits of the plain loop, two elements at a time).
func axpy(dst []float64, g float64, x []float64) {
	if g == 0 {
		return
	}
	floats.AddScaled(dst, g, x[:len(dst)])
}

// fitGains solves every stem's gain in each mix channel at the current
// lags and layouts (one least-squares problem per channel: a stem's gain
// in one channel does not bear on the other), and returns the residual
// energy over the channels.
func (w *JointWindow) fitGains(st []jstate) float64 {
	n := len(st)
	feeds := make([][]float64, n)
	var left float64
	for mc, m := range w.Mix {
		g := NewGram(n)
		for k := range st {
			x, _ := w.feed(k, mc, st[k])
			feeds[k] = x[:len(m)]
		}
		if w.dots == nil {
			w.dots = DotMemo{}
		}
		g.AddBlockMemo(feeds, m, w.dots)
		fit := g.Solve(nil)
		for k := range st {
			// The gain is on top of the feed's fixed scale.
			_, scale := w.feed(k, mc, st[k])
			st[k].gain[mc] = fit.Gains[k] / scale
		}
		left += fit.ResidualEnergy
	}
	return left
}

// Residual returns the mono mix of the window minus every stem but k at
// the fit res gives (Solve's result): what stem k must explain.
func (w *JointWindow) Residual(res []JointResult, k int) []float64 {
	r := make([][]float64, len(w.Mix))
	for c, m := range w.Mix {
		r[c] = append([]float64(nil), m...)
	}
	for j, jr := range res {
		if j == k || w.Stems[j].cand(jr.Lag) == nil {
			continue
		}
		w.addFit(r, j, jstate{lag: jr.Lag, gain: jr.Gains, swapped: jr.Swapped}, -1)
	}
	out := r[0]
	for _, ch := range r[1:] {
		for i, v := range ch {
			out[i] += v
		}
	}
	for i := range out {
		out[i] /= float64(len(r))
	}
	return out
}
