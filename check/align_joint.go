package check

import (
	"slices"

	"stemmaster/analysis"
)

// The joint alignment: every stem's lag searched together against the mix.

// alignJoint fits every stem jointly over the window of the mix where the
// most stems play, and takes its lags (exact), channel exchanges and
// channel polarities.
//
// With focus set, the window is where that stem plays, and only its
// results are taken.
func (c *checker) alignJoint(j *jointReads, ins []*input, focus *input) error {
	w := min(int(JointSeconds*float64(c.rate)), int(c.mix.st.frames))
	if w <= 0 || len(ins) == 0 {
		return nil
	}
	a, active := c.jointWindow(ins, w, focus)
	mix, err := j.excerpt(c, c.mix, a, w)
	if err != nil {
		return err
	}
	jw := &analysis.JointWindow{Mix: mix, MonoGain: MonoCentreGain, Stems: make([]analysis.JointStem, len(ins))}
	err = c.parallel(ins, func(in *input) error {
		k := indexOf(ins, in)
		if focus != nil && focus.probe != nil && in != focus {
			// A probe moves one stem: the others keep their lags and
			// only enter the gain fit.
			lag := 0
			if in.aligned {
				lag = in.lag
			}
			ex, err := j.excerpt(c, in, a+int64(lag), w)
			if err != nil {
				return err
			}
			jw.Stems[k] = analysis.JointStem{Cands: []analysis.JointCand{{Ch: ex, Lag0: lag}}}
			return nil
		}
		rad := jointRadius
		if in.longLag || in.wideDone {
			rad = analysis.LongRadius
		}
		// Candidates: the first search's lag and, when it lies farther,
		// no offset at all (music that repeats can fool the first search).
		lags := []int{0}
		if in.aligned && absInt(in.lag) > rad {
			lags = []int{in.lag, 0}
		}
		if in.probe != nil {
			lags = in.probe
		}
		lags = append(lags, in.extraLags...)
		if (in.longLag || in.wideDone) && in.probe == nil {
			for _, lc := range append(slices.Clip(in.longCands), in.wideCands...) {
				if !slices.ContainsFunc(lags, func(l int) bool { return absInt(l-lc.Lag) <= rad }) {
					lags = append(lags, lc.Lag)
				}
			}
		}
		js := analysis.JointStem{Radius: rad, Active: active[k]}
		for _, lag0 := range lags {
			ex, err := j.excerpt(c, in, a+int64(lag0-rad), w+2*rad)
			if err != nil {
				return err
			}
			js.Cands = append(js.Cands, analysis.JointCand{Ch: ex, Lag0: lag0})
		}
		jw.Stems[k] = js
		return nil
	})
	if err != nil {
		return err
	}
	res := jw.Solve()
	for k, r := range res {
		in := ins[k]
		if focus != nil && in != focus {
			continue
		}
		in.jointPoor = jw.LeftDB > jointPoorDB
		if active[k] && !in.longLag && !in.wideDone && (r.Share < jointLostShare || in.jointPoor && r.Share < jointDoubtShare) {
			// Search the stem against what the others leave of the
			// window, over the whole range.
			in.wideDone = true
			wide := c.offsetRange(in)
			x, err := c.alignExcerpt(in, a+int64(r.Lag-wide), w+2*wide)
			if err != nil {
				return err
			}
			for _, l := range analysis.WideCandidates(jw.Residual(res, k), alignView(x), r.Lag, wide, longCandidates) {
				in.wideCands = append(in.wideCands, analysis.LongCandidate{Lag: l})
			}
		}
		in.atEdge = active[k] && r.AtEdge
		if in.atEdge {
			in.edgeLag = r.Lag + jointRadius*sign(r.Lag-r.Cand)
		}
		in.jointActive, in.jointShare = active[k], r.Share
		if !active[k] || !r.Trusted {
			continue
		}
		in.swapped, in.sign = false, [2]float64{1, 1}
		in.aligned = true
		in.lag = 0
		if r.Moved {
			in.lag = r.Lag
		}
		in.swapped = r.Swapped
		for ch, inv := range r.Inverted {
			if inv {
				in.sign[ch] = -1
			}
		}
	}
	return nil
}

// offsetRange is how far either way the wide searches look for in:
// MaxOffsetSeconds, or less when the files are shorter — at a larger
// offset the stem and the mix do not overlap at all, so nothing there can
// match, and the transforms of a short delivery stay short.
func (c *checker) offsetRange(in *input) int {
	return min(int(MaxOffsetSeconds*float64(c.rate)), int(max(in.st.frames, c.mix.st.frames)))
}

func indexOf(ins []*input, in *input) int {
	for k, v := range ins {
		if v == in {
			return k
		}
	}
	return -1
}
