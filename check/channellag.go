package check

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/dsp/fir"
)

// One channel later than the other.
//
// A stereo file whose one channel is a few samples late against the other
// (a plug-in's latency or a delay on one side of a dual-mono track, a
// channel nudged in an editor, a converter or an export that misaligned
// them) aligns with the mix as a whole at the lag of its stronger channel
// and leaves, on the other, the difference of a signal and itself a few
// samples on: a residual that grows with frequency (read as a lossy codec),
// or a moving level and a missing stem, and, for a mix late on one side,
// the same on every stem with one channel read hot. Each channel of each
// stereo stem is correlated with the mix's over ±channelLagMax samples on
// its loudest stretches: where the two channels' best lags differ and each
// explains clearly more than the other's lag does, that channel is late.
// When every stem so read has the same channel late by the same lag, the
// mix's other channel is late instead.

// channelLagMax is the farthest a channel's lag is searched either way, in
// samples (0.67 ms at 48 kHz: a plug-in's latency, a nudge; a longer
// delay is an effect the stem was printed with).
const channelLagMax = 32

// channelLagStretches is how many of a stem's loudest stretches of the
// edit search (EditStepSeconds) the lags are read on.
const channelLagStretches = 4

// ChannelLagGain is how much more of the mix's channel its best lag must
// explain than the other channel's best lag does, as a ratio of energies,
// for the two to differ: with francium's mix one sample late on the right,
// each stem's right channel explains 3–15 % more at its lag (its drums 400
// times), a dual-mono vocal 7 samples late on one side 38 % more, while on
// the 49 other broken deliveries built from it every stem's two channels
// read the same best lag.
const ChannelLagGain = 1.01

// channelLagMinShare is the least share of the mix channel's energy a
// stem's channel must explain at its best lag to be read (a correlation of
// 0.2, as a quiet stem's polarity flip: editFlipQuietShare).
const channelLagMinShare = editFlipQuietShare

// channelLag is one channel of a stereo input late against the other.
type channelLag struct {
	in  *input // nil: the mix
	ch  int    // the late channel: 0 left, 1 right
	lag int    // samples late
}

// channelLags reads each stereo stem of sum in step with the mix (aligned,
// not drifting, no copy) for one channel late against the other; it returns
// the stems' readings, or the mix's one when every stem read agrees.
func (c *checker) channelLags(sum []*input) ([]channelLag, error) {
	if c.mix == nil || c.mix.channels() != 2 {
		return nil, nil
	}
	var out []channelLag
	read := 0
	for _, in := range sum {
		if in.channels() != 2 || in.silent || in.copyOf() || !in.aligned || in.drift != nil || in.fitGain == 0 {
			continue
		}
		lags, ok, err := c.stemChannelLags(in)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		read++
		switch {
		case lags[0] == lags[1]:
		case lags[0] == 0:
			out = append(out, channelLag{in: in, ch: 1, lag: -lags[1]})
		case lags[1] == 0:
			out = append(out, channelLag{in: in, ch: 0, lag: -lags[0]})
		}
	}
	if read >= 2 && len(out) == read && !slices.ContainsFunc(out, func(l channelLag) bool { return l.ch != out[0].ch || l.lag != out[0].lag }) {
		// Every stem's same channel matches the mix's that far off: the
		// mix's channel is late the other way.
		return []channelLag{{ch: out[0].ch, lag: -out[0].lag}}, nil
	}
	return out, nil
}

// stemChannelLags returns, per channel of the stem, the lag in samples
// (the mix's channel matched that much later: negative when the stem's
// channel is late) that explains the most of the mix's channel on its
// loudest stretches, 0 where the best explains under ChannelLagGain times
// what the other channel's best lag does; ok false when it has no stretch
// to read, or no correlation with the mix.
func (c *checker) stemChannelLags(in *input) (lags [2]int, ok bool, err error) {
	st := editStretches(in, c.rate)
	if len(st) == 0 {
		return lags, false, nil
	}
	slices.SortFunc(st, func(a, b editStretch) int {
		return cmp.Compare(stretchEnergy(in, b.at, b.n), stretchEnergy(in, a.at, a.n))
	})
	st = st[:min(len(st), channelLagStretches)]
	const k = channelLagMax
	var corr [2][2*k + 1]float64
	var xx, mm [2]float64
	fs := in.fitSign()
	for _, s := range st {
		x, err := c.alignExcerpt(in, s.at, s.n)
		if err != nil {
			return lags, false, err
		}
		m, err := c.mixWindow(in, s.at-k, s.n+2*k, 0)
		if err != nil {
			return lags, false, err
		}
		for ch := range 2 {
			mc := ch
			if in.swapped {
				mc = 1 - ch
			}
			g := in.sign[ch] * fs
			src, ref := x[ch], m[mc]
			lagSums(src, ref, corr[ch][:], g)
			for i, v := range src {
				xx[ch] += float64(v) * float64(v)
				mm[ch] += float64(ref[k+i]) * float64(ref[k+i])
			}
		}
	}
	var best [2]int
	for ch := range 2 {
		if xx[ch] == 0 {
			return lags, false, nil
		}
		for j := range corr[ch] {
			if corr[ch][j] > corr[ch][best[ch]] {
				best[ch] = j
			}
		}
		// A best lag at the edge of the search is no peak, and a stem
		// that correlates with the mix's channel under
		// channelLagMinShare (a few stems of a loud mix) reads its
		// lags by chance.
		c := corr[ch][best[ch]]
		if c <= 0 || best[ch] == 0 || best[ch] == 2*k || c*c < channelLagMinShare*xx[ch]*mm[ch] {
			return lags, false, nil
		}
	}
	for ch := range 2 {
		own, other := corr[ch][best[ch]], corr[ch][best[1-ch]]
		if best[ch] != best[1-ch] && (other <= 0 || own*own >= ChannelLagGain*other*other) {
			lags[ch] = best[ch] - k
		}
	}
	return lags, true, nil
}

// channelLagWhy words the channels read late: the residual's diagnosis and
// its fix.
func (c *checker) channelLagWhy(lags []channelLag) (why, fix string) {
	side := [2]string{"left", "right"}
	if lags[0].in == nil {
		l := lags[0]
		why = fmt.Sprintf("the mix %s has its %s channel %s late against its %s: every stem's %s channel matches it that much later than its %s does — a delay or a plug-in's latency on one side of the mix bus, or a converter or an export that misaligned its channels (it combs the mix's sound when summed to mono)",
			c.mix.Name, side[l.ch], samplesText(int64(l.lag), c.rate), side[1-l.ch], side[l.ch], side[1-l.ch])
		fix = fmt.Sprintf("export the mix again with its channels in step (remove the delay or plug-in on its %s side); the stems need no change", side[l.ch])
		return why, fix
	}
	var parts, names []string
	for _, l := range lags {
		parts = append(parts, fmt.Sprintf("%s has its %s channel %s late against its %s", l.in.Name, side[l.ch], samplesText(int64(l.lag), c.rate), side[1-l.ch]))
		names = append(names, l.in.Name)
	}
	why = strings.Join(parts, "; ") + ", where the mix has them in step — a delay or a plug-in's latency on one side of its track (a dual-mono track's copy nudged), or an export that misaligned its channels (it combs its sound when summed to mono)"
	fix = fmt.Sprintf("export %s again with its channels in step as the mix has them (remove the delay or the plug-in on the late side)", strings.Join(names, ", "))
	return why, fix
}

// channelLagFindings reports the channels read late in one sum_mismatch
// and the gains of the stems it does not name (a stem's, or every stem's
// for the mix's, have no one level per channel then).
func (c *checker) channelLagFindings(sum []*input, use []bool, lags []channelLag, delivered, res, threshold float64) {
	why, fix := c.channelLagWhy(lags)
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, delivered,
		fmt.Sprintf("the stems, even at their fitted gains, offsets and polarities, differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB; as delivered %s); %s", c.mix.Name, res, threshold, residualWords(delivered), why),
		fix)
	if lags[0].in == nil {
		return
	}
	for _, l := range lags {
		use[indexOf(sum, l.in)] = false
	}
	c.gainTolDB = MissingGainToleranceDB
	c.gainFindings(sum, use, c.gram.Solve(use), nil, true)
}

// lagSums adds g times the correlation of src with ref at each lag j (ref
// from j on, len(ref) ≥ len(src)+len(out)−1) to out[j]: both widened to
// float64 once, every lag through fir.Dot2Shifts' vector kernel (src as
// both of its rows), which reads each block of src once for all the lags.
func lagSums(src, ref []float32, out []float64, g float64) {
	n := len(src)
	a := make([]float64, n+len(out)-1)
	for i, v := range ref[:len(a)] {
		a[i] = float64(v)
	}
	b := make([]float64, n)
	for i, v := range src {
		b[i] = float64(v)
	}
	offs := make([]int, len(out))
	for j := range offs {
		offs[j] = j
	}
	sums := make([]float64, 2*len(out))
	fir.Dot2Shifts(a, offs, n, b, b, sums)
	for j := range out {
		out[j] += g * sums[2*j]
	}
}
