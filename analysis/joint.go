package analysis

import (
	"math"
	"math/cmplx"
	"sync"

	"stemmaster/dsp/fir"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Joint alignment.
//
// Aligning each stem alone against the mix leaves the other stems in the
// reference: their energy drags a narrow-band stem's correlation peak a
// sample or two off (a bass or a pad), and a stem that moved hides behind
// one that did not. JointWindow fits every stem at once over one window of
// the mix instead, by backfitting (alternating least squares): each stem's
// lag is chosen against the mix minus every other stem at its current lag
// and gain, the gains are solved again, and so on for a few rounds. Against
// that residual, which holds the stem itself and little else, the lag that
// removes the most energy is the stem's exact offset even for a sustained
// low-frequency stem, whose own autocorrelation is broad but peaks only at
// the true lag (Cauchy–Schwarz). The same residual decides, per channel,
// whether a stereo stem's channels are exchanged or one of them inverted.

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
	// A channel fault (exchange, one channel inverted) is taken when its
	// layout leaves at most faultResidual of what the plain layout leaves,
	// and the plain layout leaves at least faultFloor of the residual the
	// stem must explain (−27 dB). A stem whose two channels are nearly
	// alike (a vocal, drums in a mostly centred passage) leaves little
	// either way, but an exchange still explains almost all of it; a stem
	// without the fault is never better exchanged than plain.
	faultResidual = 0.1
	faultFloor    = 0.002
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
	// prefix sums of x₀², x₁², x₀·x₁ over Ch, for the window energies at
	// every lag (made by Solve)
	pre [3][]float64
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
		n := len(cd.Ch[0])
		for j := range 3 {
			if j > 0 && len(cd.Ch) < 2 {
				break
			}
			p := make([]float64, n+1)
			for t := range n {
				var v float64
				switch j {
				case 0:
					v = cd.Ch[0][t] * cd.Ch[0][t]
				case 1:
					v = cd.Ch[1][t] * cd.Ch[1][t]
				default:
					v = cd.Ch[0][t] * cd.Ch[1][t]
				}
				p[t+1] = p[t] + v
			}
			cd.pre[j] = p
		}
	}
}

// energies returns Σx₀², Σx₁², Σx₀x₁ over the window at lag.
func (s *JointStem) energies(lag, w int) (e [3]float64) {
	cd := s.cand(lag)
	off := lag - cd.Lag0 + s.Radius
	for j, p := range cd.pre {
		if p != nil {
			e[j] = p[off+w] - p[off]
		}
	}
	return e
}

// JointWindow is a window of the mix and the stems around it.
type JointWindow struct {
	Mix   [][]float64 // channels × W
	Stems []JointStem
	// MonoGain is the gain of a mono stem in each channel of a stereo mix.
	MonoGain float64
	// LeftDB is what Solve's fit leaves of the mix, in dB relative to the
	// mix's energy in the window.
	LeftDB float64
}

// JointResult is one stem's fit.
type JointResult struct {
	Lag int
	// Gain is the least-squares gain of the corrected stem (channels
	// exchanged and inverted as Swapped and Inverted say); negative when
	// the whole stem is inverted.
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
	gain    float64
	swapped bool
	sign    [2]float64
}

// Solve fits every stem's lag (within its Radius of Lag0), gain, channel
// exchange and channel polarity to the window.
//
// Backfitting finds a local optimum; with stems that resemble each other
// (a reverb return and its dry source) a start a few samples off can settle
// on the wrong one. Solve therefore runs from two starts, the given lags
// and lag 0 wherever the search reaches it, and keeps the fit that leaves
// the least of the mix.
func (w *JointWindow) Solve() []JointResult {
	first := func(s JointStem) int { return s.Cands[0].Lag0 }
	zero := func(s JointStem) int {
		if s.cand(0) != nil {
			return 0
		}
		return s.Cands[0].Lag0
	}
	a, ea := w.solveFrom(first)
	same := true
	for _, s := range w.Stems {
		same = same && first(s) == zero(s)
	}
	var me float64
	for _, m := range w.Mix {
		me += fir.DotPortable(m, m)
	}
	w.LeftDB = 10 * math.Log10(ea/me)
	if same {
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
		st[k] = jstate{lag: start(s), sign: [2]float64{1, 1}}
		w.Stems[k].prepare()
	}
	res := make([]JointResult, n)
	mono := w.monoMix()
	for round := range JointRounds {
		w.fitGains(st)
		fit := make([]float64, len(mono))
		for k := range st {
			w.addMono(fit, k, st[k], st[k].gain)
		}
		changed := false
		for k, s := range w.Stems {
			if !s.Active {
				continue
			}
			// r = mix − every other stem's fit.
			r := make([]float64, len(mono))
			for i := range r {
				r[i] = mono[i] - fit[i]
			}
			w.addMono(r, k, st[k], st[k].gain)
			rad := s.Radius
			if round > 0 {
				rad = min(rad, jointLaterRadius)
			}
			lag, rr := w.searchLag(k, r, st[k].lag, rad)
			if lag != st[k].lag {
				changed = true
			}
			w.addMono(fit, k, st[k], -st[k].gain)
			st[k].lag = lag
			w.addMono(fit, k, st[k], st[k].gain)
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
	for k, s := range st {
		res[k].Lag, res[k].Gain, res[k].Swapped = s.lag, s.gain, s.swapped
		res[k].Inverted = [2]bool{s.sign[0] < 0, s.sign[1] < 0}
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

// lagSearch is what searchLag measured.
type lagSearch struct {
	share     float64 // 1 − best residual / ‖r‖²
	best, at0 float64 // residual at the lag found and at lag 0 (NaN outside the search)
	energy    float64 // ‖r‖²
	mixEnergy float64
}

func (l lagSearch) moved(lag int) bool {
	if lag == 0 {
		return false
	}
	if math.IsNaN(l.at0) {
		return true
	}
	return l.best <= movedResidual*l.at0 && l.at0-l.best >= movedFloor*l.mixEnergy
}

func (w *JointWindow) monoMix() []float64 {
	out := make([]float64, len(w.Mix[0]))
	for _, ch := range w.Mix {
		for i, v := range ch {
			out[i] += v / float64(len(w.Mix))
		}
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

// contribution adds g times stem k's (corrected) feed of mix channel mc at
// its lag to dst.
func (w *JointWindow) contribution(dst []float64, k, mc int, s jstate, g float64) {
	st := &w.Stems[k]
	if st.channels() == 1 {
		if len(w.Mix) == 2 {
			g *= w.MonoGain
		}
		axpy(dst, g, w.stemChannel(k, 0, s.lag))
		return
	}
	src := mc
	if s.swapped {
		src = 1 - mc
	}
	axpy(dst, g*s.sign[src], w.stemChannel(k, src, s.lag))
}

// addMono adds g times stem k's feed of the mono mix.
func (w *JointWindow) addMono(dst []float64, k int, s jstate, g float64) {
	for mc := range w.Mix {
		w.contribution(dst, k, mc, s, g/float64(len(w.Mix)))
	}
}

func axpy(dst []float64, g float64, x []float64) {
	if g == 0 {
		return
	}
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] += g * v
	}
}

// fitGains solves every stem's gain over all channels at the current
// lags and corrections, and returns the residual energy.
func (w *JointWindow) fitGains(st []jstate) float64 {
	n := len(st)
	g := NewGram(n)
	feeds := make([][]float64, n)
	for k := range feeds {
		feeds[k] = make([]float64, len(w.Mix[0]))
	}
	for mc, m := range w.Mix {
		for k := range st {
			clear(feeds[k])
			w.contribution(feeds[k], k, mc, st[k], 1)
		}
		g.AddBlock(feeds, m)
	}
	fit := g.Solve(nil)
	for k := range st {
		st[k].gain = fit.Gains[k]
	}
	return fit.ResidualEnergy
}

// searchLag finds the lag of stem k within rad of lag (and within its
// excerpt) that leaves the least of r (the mono mix minus every other
// stem): the residual after the best gain on either the sum or the
// difference of the stem's channels, so that a stem with one channel
// inverted is aligned as surely as any other.
func (w *JointWindow) searchLag(k int, r []float64, lag, rad int) (int, lagSearch) {
	s := &w.Stems[k]
	// The lags to try: every candidate's range in the first round, then
	// rad around the current lag within its candidate's.
	var lags []int
	if rad >= s.Radius {
		for _, cd := range s.Cands {
			for d := cd.Lag0 - s.Radius; d <= cd.Lag0+s.Radius; d++ {
				lags = append(lags, d)
			}
		}
	} else {
		cd := s.cand(lag)
		for d := max(lag-rad, cd.Lag0-s.Radius); d <= min(lag+rad, cd.Lag0+s.Radius); d++ {
			lags = append(lags, d)
		}
	}
	nl := len(lags)
	nc := s.channels()
	type corr struct {
		p [2]float64
		e [3]float64
	} // ⟨x_c, r⟩; Σx₀², Σx₁², Σx₀x₁
	cs := make([]corr, nl)
	var wg sync.WaitGroup
	workers := 2
	for wk := range workers {
		wg.Go(func() {
			for i := wk; i < nl; i += workers {
				d := lags[i]
				c := corr{e: s.energies(d, len(r))}
				c.p[0] = fir.DotPortable(w.stemChannel(k, 0, d), r)
				if nc == 2 {
					c.p[1] = fir.DotPortable(w.stemChannel(k, 1, d), r)
				}
				cs[i] = c
			}
		})
	}
	wg.Wait()
	rr := fir.DotPortable(r, r)
	left := func(c corr) float64 {
		if nc == 1 {
			if c.e[0] <= 0 {
				return rr
			}
			return rr - c.p[0]*c.p[0]/c.e[0]
		}
		best := rr
		for _, sg := range []float64{1, -1} {
			p := c.p[0] + sg*c.p[1]
			e := c.e[0] + c.e[1] + 2*sg*c.e[2]
			if e > 0 {
				best = min(best, rr-p*p/e)
			}
		}
		return best
	}
	out := lagSearch{at0: math.NaN(), energy: rr, best: rr}
	for _, m := range w.Mix {
		out.mixEnergy += fir.DotPortable(m, m) / float64(len(w.Mix))
	}
	found := lag
	for i, c := range cs {
		v := left(c)
		if lags[i] == 0 {
			out.at0 = v
		}
		if v < out.best {
			out.best, found = v, lags[i]
		}
	}
	if rr > 0 {
		out.share = 1 - max(out.best, 0)/rr
	}
	return found, out
}

// channelFaults decides, for each active stereo stem in a stereo mix,
// whether its channels are exchanged and whether one is inverted, from the
// projections of each of its channels on each channel of the residual
// without it. It reports whether anything changed.
func (w *JointWindow) channelFaults(st []jstate) bool {
	if len(w.Mix) != 2 {
		return false
	}
	changed := false
	for k, s := range w.Stems {
		if !s.Active || s.channels() != 2 {
			continue
		}
		var p [2][2]float64 // p[c][mc] = ⟨stem c, residual mc⟩
		var e [2]float64
		var rEnergy float64
		for mc := range 2 {
			r := append([]float64(nil), w.Mix[mc]...)
			for j := range st {
				if j != k {
					w.contribution(r, j, mc, st[j], -st[j].gain)
				}
			}
			rEnergy += fir.DotPortable(r, r)
			for c := range 2 {
				x := w.stemChannel(k, c, st[k].lag)
				p[c][mc] = fir.DotPortable(x, r)
				if mc == 0 {
					e[c] = fir.DotPortable(x, x)
				}
			}
		}
		if e[0] <= 0 || e[1] <= 0 || rEnergy <= 0 {
			continue
		}
		// The residual each layout leaves with one gain on the stem:
		// channels direct or exchanged, alike or opposed in polarity.
		type layout struct {
			swapped bool
			sign    [2]float64
		}
		left := func(l layout) (float64, float64) {
			var pr float64
			for c := range 2 {
				mc := c
				if l.swapped {
					mc = 1 - c
				}
				pr += l.sign[c] * p[c][mc]
			}
			return rEnergy - pr*pr/(e[0]+e[1]), pr
		}
		id := layout{false, [2]float64{1, 1}}
		idLeft, _ := left(id)
		best, bestLeft := id, idLeft
		for _, l := range []layout{{false, [2]float64{1, -1}}, {true, [2]float64{1, 1}}, {true, [2]float64{1, -1}}} {
			// A fault must explain nearly all of what no fault leaves.
			v, _ := left(l)
			if v < bestLeft && v <= faultResidual*idLeft && idLeft-v >= faultFloor*rEnergy {
				best, bestLeft = l, v
			}
		}
		sw, sign := best.swapped, best.sign
		if _, pr := left(best); pr < 0 && sign[0] != sign[1] {
			// The gain will be negative: the other channel is the one
			// inverted against the mix.
			sign = [2]float64{-sign[0], -sign[1]}
		}
		if sw != st[k].swapped || sign != st[k].sign {
			st[k].swapped, st[k].sign = sw, sign
			changed = true
		}
	}
	return changed
}

// Residual returns the mono mix of the window minus every stem but k at
// the fit res gives (Solve's result): what stem k must explain.
func (w *JointWindow) Residual(res []JointResult, k int) []float64 {
	r := w.monoMix()
	for j, jr := range res {
		if j == k || w.Stems[j].cand(jr.Lag) == nil {
			continue
		}
		s := jstate{lag: jr.Lag, gain: jr.Gain, swapped: jr.Swapped, sign: [2]float64{1, 1}}
		for c, inv := range jr.Inverted {
			if inv {
				s.sign[c] = -1
			}
		}
		w.addMono(r, j, s, -jr.Gain)
	}
	return r
}

// WideCandidates searches a stem against r (Residual: the window's mono
// mix minus the other stems) over a wide range of lags: x is the stem
// (mono, full rate) from frame a + c − wide on, where a is the window's
// first mix frame, so that x[t + d − c + wide] meets r[t] at lag d. Both
// are decimated by AlignDecimation and plainly cross-correlated by FFT
// (against the residual the stem's own material is all there is to match,
// so no whitening is needed); it returns up to n lags that leave the least
// of r (the largest ρ²/energy), each good to a few samples, best first.
func WideCandidates(r []float64, x []float32, c, wide, n int) []int {
	const D = AlignDecimation
	rf := make([]float32, len(r))
	for i, v := range r {
		rf[i] = float32(v)
	}
	rd := decimate(rf, D)
	xd := decimate(x, D)
	if len(xd) < len(rd) {
		return nil
	}
	span := len(xd) - len(rd)
	size := 1 << 10
	for size < len(xd)+len(rd) {
		size <<= 1
	}
	fft := fourier.NewFFT(size)
	seq := make([]float64, size)
	for i, v := range rd {
		seq[i] = float64(v)
	}
	R := fft.Coefficients(nil, seq)
	clear(seq)
	for i, v := range xd {
		seq[i] = float64(v)
	}
	X := fft.Coefficients(nil, seq)
	for k := range X {
		X[k] *= cmplx.Conj(R[k])
	}
	corr := fft.Sequence(nil, X) // corr[m] = Σ rd[j]·xd[j+m]
	// The energy of xd under the window at each m (sliding sum).
	pre := make([]float64, len(xd)+1)
	for i, v := range xd {
		pre[i+1] = pre[i] + float64(v)*float64(v)
	}
	score := make([]float64, span+1)
	for m := range score {
		e := pre[m+len(rd)] - pre[m]
		if e > 0 {
			score[m] = corr[m] * corr[m] / e
		}
	}
	var out []int
	for _, m := range topPeaks(score, n, 2*LongRadius/D) {
		out = append(out, c-wide+m*D)
	}
	return out
}
