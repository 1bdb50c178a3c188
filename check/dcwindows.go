package check

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/biquad"
)

// DC that changes along a file. One mean per file describes a constant
// offset; a DC that starts partway (a plug-in or converter switched in at
// an edit), that only some sections carry, or that drifts is a mean that
// moves from one second to the next. Music itself has no such mean: over
// a second its low notes average out far under DCOffsetDBFS, so a mean
// per DCWindowSeconds that wanders by more than the DC limit is a fault.
// The comparison with the mix then high-passes every input alike
// (dcHighPassHz) instead of subtracting one mean per file: a filter that
// is the same on every input keeps the mix the same linear combination of
// the stems, so the gains, offsets and the residual are the delivery's
// with the DC gone, wherever along the file it lies.

// DCWindowSeconds is the window over which a moving DC is measured: long
// enough that programme averages out (a 40 Hz note leaves under 1 % of
// its amplitude), short enough to place a step within a second.
const DCWindowSeconds = 1.0

// dcHighPassHz is the corner of the 2nd-order Butterworth high-pass that
// the comparison with the mix applies to every input when a DC moves: it
// settles a DC step within about 20 ms, which leaves a step of −34 dBFS
// some 60 dB under a mastered mix, and takes nothing of musical content.
const dcHighPassHz = 20.0

// dcSmoothMax: a DC fault persists from one window to the next (a step
// or a drift: one window's mean less the one before is small beside how
// far the means spread, under 0.05 for a step in a 45 s song), while
// programme with sub-audio content of its own — noise with a 1/f² slope
// such as brown noise, which a mastering engineer meets as test material
// rather than as a fault — has independent window means (about 1). A
// step at a quarter of an 8-window file reads 0.33.
const dcSmoothMax = 0.4

// dcMinWindows is the shortest file, in windows, whose DC is followed
// along it: with fewer, a step and programme cannot be told apart.
const dcMinWindows = 8

// dcJumpMin is a change of the mean from one window to the next that is
// a step (the DC limit's amplitude); dcSettleSeconds how long the
// high-pass takes to settle after one. The comparison leaves those spans
// out: the high-pass turns a step into a thump of its own (some 20 ms at
// the step's height), which no stem or mix holds and which would read as
// a residual of its own (−44 dB on a quiet 10 s song for a −30 dBFS step).
const (
	dcJumpMin       = 0.0031622776601683794 // DCOffsetDBFS as an amplitude
	dcSettleSeconds = 0.25
)

// dcProfile is the DC of one input along its file, per channel.
type dcProfile struct {
	varies  bool    // the window means move by more than DCOffsetDBFS (RMS)
	worstDB float64 // the largest mean of a window, dBFS
	changeS float64 // where the mean changes most from one window to the next, seconds
	// steps are the spans of the file (frames, in order) around a change
	// of its mean by more than dcJumpMin from one window to the next
	steps   [][2]int64
	movesDB float64 // the RMS of the window means about the file's mean, dBFS
	smooth  float64 // mean square of one window's mean less the one before, over twice their variance
}

// dcProfile measures an input's window means from its per-block sums.
func (in *input) dcProfile() dcProfile {
	st := in.st
	p := dcProfile{worstDB: math.Inf(-1), movesDB: math.Inf(-1)}
	if st == nil || st.frames == 0 || len(st.dcSum) == 0 || float64(st.frames) < dcMinWindows*DCWindowSeconds*float64(in.srate) {
		return p
	}
	ch := len(st.dcSum)
	per := max(1, int(math.Round(DCWindowSeconds*float64(in.srate)/BlockFrames)))
	blocks := len(st.blockSums) / ch
	var moves, jumps, spread, bigJump float64
	worst := 0.0
	means := make([]float64, 0, blocks/per+1)
	for c := range ch {
		mean := st.dcSum[c] / float64(st.frames)
		var dev float64
		means = means[:0]
		for b0 := 0; b0 < blocks; b0 += per {
			b1 := min(b0+per, blocks)
			n := float64(BlockFrames * (b1 - b0))
			if b1 == blocks {
				n = float64(st.frames) - float64(BlockFrames*b0)
			}
			var s float64
			for b := b0; b < b1; b++ {
				s += st.blockSums[b*ch+c]
			}
			m := s / n
			dev += n * (m - mean) * (m - mean)
			if n < float64(BlockFrames*per)/2 {
				continue // a short last window: its mean is its waveform's phase
			}
			means = append(means, m)
			worst = max(worst, math.Abs(m))
		}
		moves = max(moves, dev/float64(st.frames))
		for i := 1; i < len(means); i++ {
			d := means[i] - means[i-1]
			jumps += d * d
			if math.Abs(d) > dcJumpMin {
				// A step lies in one of the two windows; the high-pass
				// settles within dcSettleSeconds after it.
				a := int64(BlockFrames * per * (i - 1))
				b := int64(BlockFrames*per*(i+1)) + int64(dcSettleSeconds*float64(in.srate))
				if n := len(p.steps); n > 0 && p.steps[n-1][1] >= a {
					p.steps[n-1][1] = max(p.steps[n-1][1], b)
				} else {
					p.steps = append(p.steps, [2]int64{a, b})
				}
			}
			if math.Abs(d) > bigJump {
				bigJump, p.changeS = math.Abs(d), float64(BlockFrames*per*i)/float64(in.srate)
			}
		}
		for _, m := range means {
			spread += (m - mean) * (m - mean)
		}
	}
	p.smooth = jumps / (2 * spread)
	p.worstDB, p.movesDB = audio.DB(worst), 10*math.Log10(moves)
	p.varies = p.movesDB > DCOffsetDBFS && p.smooth < dcSmoothMax
	return p
}

// dcMoves says whether any input compared with the mix carries a DC that
// moves along its file: the comparison then high-passes every input.
func (c *checker) dcMoves(sum []*input) bool {
	for _, in := range append(sum[:len(sum):len(sum)], c.mix) {
		if in.dcProfile().varies {
			return true
		}
	}
	return false
}

// newDCBlock returns the high-pass of the comparison for an input of the
// given channels.
func newDCBlock(rate, channels int) *biquad.Filter {
	return biquad.NewFilter(channels, biquad.ButterworthHighPass(nil, float64(rate), dcHighPassHz, 2))
}

// movingDCText is the dc_offset message of a DC that moves along the file
// (meanDB: its mean over the whole file; others: what it is compared
// with).
func movingDCText(what string, p dcProfile, meanDB float64, others string) string {
	return fmt.Sprintf("%s has a DC offset that changes along the file (it starts partway, stops or drifts; it changes most at about %.0f s): up to %.1f dBFS over a second, %s over the whole file (limit %.0f dBFS); the comparison with %s leaves it out",
		what, p.changeS, p.worstDB, dbfs(meanDB), DCOffsetDBFS, others)
}

// movingDCFix is its fix (where: where the high-pass goes).
func movingDCFix(p dcProfile, where string) string {
	return fmt.Sprintf("remove the DC (a high-pass at 5–20 Hz %s; look for the plug-in, the region or the edit that brings it, near %.0f s) and export again", where, p.changeS)
}

// dcSkips returns, in the mix's frames, the spans the comparison leaves
// out around the DC steps of the stems (each moved by its lag) and of the
// mix, when the comparison high-passes; nil otherwise.
func (c *checker) dcSkips(sum []*input) [][2]int64 {
	if !c.dcHP {
		return nil
	}
	var out [][2]int64
	for _, in := range append(sum[:len(sum):len(sum)], c.mix) {
		lag := int64(0)
		if in != c.mix && in.aligned {
			lag = int64(in.lag)
		}
		for _, s := range in.dcProfile().steps {
			out = append(out, [2]int64{s[0] - lag, s[1] - lag})
		}
	}
	return out
}

// eachKept calls f with the parts of frames i0…i1−1 of a block starting
// at mix frame pos that lie outside every skip.
func eachKept(skips [][2]int64, pos int64, i0, i1 int, f func(i0, i1 int)) {
	for _, s := range skips {
		a, b := int(max(s[0]-pos, int64(i0))), int(min(s[1]-pos, int64(i1)))
		if a >= b {
			continue
		}
		if a > i0 {
			eachKept(skips, pos, i0, a, f)
		}
		i0 = b
		if i0 >= i1 {
			return
		}
	}
	f(i0, i1)
}
