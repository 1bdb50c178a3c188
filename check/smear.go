package check

import (
	"fmt"

	"stemmaster/analysis"
)

// SmearRunnerUpMax: the stem a filter of which predicts the residual is
// named only when no other stem's filter predicts more than this share of
// what its own does: a residual that several stems predict alike is
// their common music, not one stem's reverb or EQ.
const SmearRunnerUpMax = 0.25

// stemSmear is a stem that, through a filter, is the residual: a reverb,
// delay or equaliser on it that the mix does not have, or the reverse.
type stemSmear struct {
	stem int // index into the sum
	res  analysis.SmearResult
}

// smearedStem re-reads the delivery at the fitted gains and asks which
// stem, through a filter, predicts the residual (analysis.StemSmear); nil
// when none does alone. unity marks the stems in the fit (0: left out).
func (c *checker) smearedStem(sum []*input, fit analysis.Fit, unity []float64) (*stemSmear, error) {
	sm := analysis.NewStemSmear(len(sum), c.sumCh, float64(c.rate))
	dc := c.residualDC(sum, func(int) []float64 { return fit.Gains })
	r := make([]float64, BlockFrames)
	views := make([][]float64, len(sum))
	err := c.streamSum(sum, fit.Gains, func(s *summer, i0, i1 int) {
		for ch := range s.Sum {
			rr := r[:i1-i0]
			for i, v := range s.Sum[ch][i0:i1] {
				rr[i] = s.mix[ch][i0+i] - v - dc[ch]
			}
			for k := range views {
				views[k] = nil
				if unity[k] != 0 {
					views[k] = s.Conv[k][ch][i0:i1]
				}
			}
			sm.Add(ch, rr, views)
		}
	})
	if err != nil {
		return nil, err
	}
	best, second := -1, 0.0
	res := sm.Result()
	for k, r := range res {
		switch {
		case best < 0 || r.Explained > res[best].Explained:
			if best >= 0 {
				second = res[best].Explained
			}
			best = k
		case r.Explained > second:
			second = r.Explained
		}
	}
	if best < 0 || second > SmearRunnerUpMax*res[best].Explained || !res[best].Reverb() && !res[best].Equaliser() {
		return nil, nil
	}
	return &stemSmear{stem: best, res: res[best]}, nil
}

// smearWhy words a residual that is one stem through a filter, and its
// fix.
func smearWhy(sum []*input, s stemSmear) (why, fix string) {
	n := sum[s.stem].Name
	if s.res.Reverb() {
		why = fmt.Sprintf("the residual is %s smeared in time (a filter of %s predicts %.0f %% of it, %.0f %% of the filter's response later than %.0f ms): a reverb or delay on %s that the mix does not have, printed on the stem, or one the mix has that the stem lacks (its send exported to another bus, or the stem exported dry), not other music missing", n, n, 100*s.res.Explained, 100*s.res.LateShare, analysis.SmearLateMS, n)
		fix = fmt.Sprintf("export %s again as it plays in the mix: with its reverb and delay sends printed if the mix has them on it, dry if the mix's reverb is on a return of its own (then deliver that return as a stem)", n)
		return why, fix
	}
	why = fmt.Sprintf("the residual is %s through a filter (a filter of %s predicts %.0f %% of it, its response within %.0f ms): an EQ or other processing on %s that its track in the mix does not have, or the reverse, not other music missing", n, n, 100*s.res.Explained, analysis.SmearLateMS, n)
	fix = fmt.Sprintf("export %s again through exactly the plug-ins its track has in the mix (post-insert, with the same EQ)", n)
	return why, fix
}
