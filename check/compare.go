package check

import (
	"fmt"
	"math"
	"slices"

	"stemmaster"
	"stemmaster/analysis"
)

// compareWithMix aligns every stem with the mix, solves their gains and
// polarity, and checks that they sum to the mix.
func (c *checker) compareWithMix() error {
	sum := c.summable()
	if len(sum) == 0 || c.gram == nil {
		return nil
	}
	c.report.Mix = &stemmaster.MixReport{File: c.mix.Name, NullResidualDB: stemmaster.Level(math.NaN()), FittedResidualDB: stemmaster.Level(math.NaN()), ThresholdDB: SumMismatchDB}
	if c.mixEnergy <= 0 {
		c.add(stemmaster.CodeSilent, c.mix.Name, math.Inf(-1),
			fmt.Sprintf("the mix %s is silent: nothing to compare the stems with", c.mix.Name),
			"export the mix again")
		return nil
	}
	c.report.Mix.NullResidualDB = stemmaster.Level(floorResidual(10 * math.Log10(c.nullEnergy/c.mixEnergy)))
	c.dcAgainstMix(sum)
	c.removeDC(sum)
	c.dcHP = c.dcMoves(sum)
	if err := c.mixCopies(sum); err != nil {
		return err
	}

	if err := c.alignAll(sum); err != nil {
		return err
	}
	if c.verifyRelabels(sum); c.unnulled != nil {
		return nil
	}
	if err := c.homeLags(sum); err != nil {
		return err
	}
	shifted := c.commonMixOffset(sum)
	mixShifted := shifted
	corrected := c.mix.partial
	for _, in := range sum {
		corrected = corrected || in.partial
		c.channelFindings(in)
		if in.swapped || in.sign != [2]float64{1, 1} {
			corrected = true
		}
		if !in.aligned || in.lag == 0 || mixShifted {
			continue
		}
		shifted = true
		when := "late"
		if in.lag < 0 {
			when = "early"
		}
		msg, fix := offsetWhy(in, c.mix)
		c.add(stemmaster.CodeOffset, in.Name, float64(in.lag),
			fmt.Sprintf("%s starts %s %s against the mix%s", in.Name, samplesText(int64(in.lag), c.rate), when, msg),
			fix+fixText(stemmaster.CodeOffset, -in.lag, in.Name))
		if startCut(in, c.mix) {
			c.retellLength(in.Name, ": its start was cut, as its offset finding says (it is early by exactly as much)", startCutFix+", to the same end as the others")
		}
	}
	uncovered := c.uncovered(sum)
	if shifted || corrected || c.dcHP || uncovered != nil {
		// The fit of the first pass compared the stems as delivered; do it
		// again with every offset, channel fault and cut compensated (and
		// a DC that moves filtered out), over the span every stem covers.
		gs := newGrams(len(sum), c.sumCh)
		if err := c.streamSum(sum, nil, func(sm *summer, i0, i1 int) { sm.addGrams(gs, i0, i1) }); err != nil {
			return err
		}
		c.chGrams, c.gram = gs, sumGrams(gs)
		if !c.dcHP {
			c.removeDC(sum)
		}
	}

	use := make([]bool, len(sum))
	for k, in := range sum {
		use[k] = !in.silent && !in.copyOf() && !in.dcOnly
	}
	fit := c.gram.Solve(use)
	silentAtUnity(c.gram, &fit, sum)
	chFit := c.channelFit(sum, use)
	res := fit.ResidualDB()
	gains := func(int) []float64 { return fit.Gains }
	if chFit != nil && chFit.disagrees(use) {
		// A stem exported with one channel hot or panned otherwise is a
		// gain finding per channel, not a residual: the fit with one gain
		// per channel explains it.
		res = chFit.residualDB
		gains = func(ch int) []float64 { return chFit.fits[ch].Gains }
	}
	threshold := SumMismatchDB
	for _, in := range append(slices.Clip(sum), c.mix) {
		if in.resampled {
			threshold = ResampledSumMismatchDB
		}
	}
	if threshold == ResampledSumMismatchDB && c.bandEdgeHz > 0 {
		// The fit itself needs no band limit: what a converted input lacks
		// above its band is orthogonal to everything it carries, so its
		// gain comes out right; only the residual counts it.
		r, err := c.bandResidualDB(sum, gains)
		if err != nil {
			return err
		}
		res = r
	}
	if !shifted && !corrected {
		// Unity gains are one of the fits the solver chooses from, so the
		// fit leaves at most what the delivery leaves; the delivered null is
		// measured sample by sample, the fit's from the Gram sums, whose
		// cancellation stops near −120 dB: a delivery that nulls deeper
		// keeps its own figure.
		res = math.Min(res, float64(c.report.Mix.NullResidualDB))
	}
	res = floorResidual(res)
	c.report.Mix.FittedResidualDB = stemmaster.Level(res)
	c.report.Mix.ThresholdDB = threshold
	delivered := float64(c.report.Mix.NullResidualDB)
	// Stems left out of the sum (unreadable, another layout, a rate the
	// resampler does not take) are in the mix but not in the fit: the
	// residual then only says that, and their own findings already do.
	complete := len(sum) == len(c.stems)
	if res > threshold {
		drifts, steady, err := c.measureDrift(sum)
		if err != nil {
			return err
		}
		// The drift, an edit, or both, are the finding: the residual, the
		// moved stems' gains and their offsets and lengths follow from
		// them. The other stems keep their gains, fitted without them.
		var edits []stemEdit
		if complete {
			// A stem from another arrangement: in step up to an edit,
			// a bar off after it; on a drifting stem, off its drift's
			// line (a stem cut, then exported at a wrong rate).
			if edits, drifts, err = c.editsBesideDrifts(sum, fit.Gains, drifts); err != nil {
				return err
			}
		}
		var moved []*input
		found := len(drifts) > 0 || len(edits) > 0
		if len(drifts) > 0 {
			moved = c.driftFindings(sum, drifts, steady)
		}
		if len(edits) > 0 {
			for _, in := range c.editFindings(sum, edits, drifts, res, threshold) {
				if in.fitSign() < 0 {
					// its level means nothing, its polarity does
					c.polarityFinding(in)
				}
				if !slices.Contains(moved, in) {
					moved = append(moved, in)
				}
			}
		}
		if found {
			for _, in := range moved {
				use[indexOf(sum, in)] = false
			}
			c.gainTolDB = MissingGainToleranceDB
			c.gainFindings(sum, use, c.gram.Solve(use), nil, true)
			return nil
		}
		if complete {
			lags, err := c.channelLags(sum)
			if err != nil {
				return err
			}
			if len(lags) > 0 {
				c.channelLagFindings(sum, use, lags, delivered, res, threshold)
				return nil
			}
		}
	}
	facts := residualFacts{diag: analysis.ResidualDiagnosis{PeakFollowingDB: math.NaN()}}
	if res > threshold && complete {
		f, err := c.diagnoseResidual(sum, use, fit)
		if err != nil {
			return err
		}
		facts = f
	}
	diag, busGains := facts.diag, facts.busGains
	if facts.monoStem != nil && diag.Cause != analysis.CauseBusProcessing {
		// Its fitted gain is the fold-down's and the pan law's, not a
		// fader error: the one finding says what to do. The fit with a
		// gain per channel leans on the other stems to explain some of the
		// side it lost, so only their gains over both channels count.
		use[indexOf(sum, facts.monoStem)] = false
		chFit = nil
	}
	// Through a limiter or compressor the plain fit's gains follow how
	// hard each stem drove it, or all carry the makeup gain; they are not
	// fader levels, so only polarity comes from it then, the stems' levels
	// from the bilinear fit (which fits the moving gain with them), and the
	// one sum_mismatch on the mix says what happened.
	if complete && c.unrelatedMix(sum, res, fit.Gains) {
		return nil
	}
	if diag.Cause == analysis.CauseStemDynamics {
		// A stem compressed or limited against its part of the mix has
		// no one level: its fitted gain is no fader error.
		for _, k := range facts.stems {
			use[k] = false
		}
		c.dropFlatPeaks(sum, facts.stems, facts.tracks)
	}
	for _, in := range facts.clipped {
		// What the clip took off lowers the stem against its part of the
		// mix, so it reads quiet (a vocal clipped 10 dB under its peak
		// reads 2 dB quiet): that is no fader error; the clipping finding
		// and the sum_mismatch say what to do. A clip cannot make a stem
		// read hot, nor quieter than ClipQuietMaxDB: a stem turned up and
		// then clipped keeps its gain finding beside the clipping.
		k := indexOf(sum, in)
		if g := fit.Gains[k]; g >= 1 && 20*math.Log10(g) <= ClipQuietMaxDB {
			use[k] = false
		}
	}
	if diag.Cause == analysis.CauseStemFiltered {
		// A stem with a reverb, a delay or an EQ the mix lacks has its
		// level fitted through that filter: no fader error.
		use[facts.smear.stem] = false
	}
	if diag.Cause == analysis.CauseOwnContent && facts.monoStem == nil && facts.span == nil {
		// Beside a missing stem, a stem whose own level moves against
		// its part of the mix (analysis.StemMovingMinSpreadDB) has no one
		// level either; sumMismatch names it beside the missing stem.
		moving := facts.tracks.MovingStems()
		for _, k := range moving {
			use[k] = false
		}
		c.dropFlatPeaks(sum, moving, facts.tracks)
	}
	if facts.span != nil {
		// A stem that differs from the mix in one passage has its gain
		// fitted against that passage too; the other stems lean on it.
		if facts.span.stem >= 0 {
			use[facts.span.stem] = false
		}
		c.gainTolDB = MissingGainToleranceDB
	}
	bus := diag.Cause == analysis.CauseBusProcessing || diag.Cause == analysis.CauseBusEQ
	switch diag.Cause {
	case analysis.CauseOwnContent, analysis.CauseStemDynamics, analysis.CauseStemExtra, analysis.CauseStemFiltered:
		// The fit leans on the stems that share a little with what no
		// one gain per stem explains: their gains move.
		if facts.monoStem == nil {
			c.gainTolDB = MissingGainToleranceDB
		}
	}
	spread := c.gainFindings(sum, use, fit, chFit, !bus)
	if diag.Cause == analysis.CauseBusProcessing && busGains != nil {
		c.busGainFindings(sum, use, busGains)
		spread = 0
	}
	switch {
	case !complete || !(delivered > threshold || res > threshold):
	case res <= threshold && uncovered != nil && !shifted && !corrected && !c.dcHP && c.uncoveredShare(sum) >= UncoveredShareMin:
		// The stems match the mix wherever they play; what they leave is
		// the mix past their ends: say where, not "a stem is missing" or
		// "master-bus processing" read off a fit that took it in.
		why, fix := uncoveredWhy(uncovered, c.uncoveredShare(sum))
		c.add(stemmaster.CodeSumMismatch, c.mix.Name, delivered,
			fmt.Sprintf("the stems as delivered differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB); %s; over the %s every file covers they null to %s", c.mix.Name, delivered, threshold, why, secondsText(uncovered.from), residualWords(res)),
			fix)
		c.lengthFixAgrees(uncovered, fix)
	case res <= threshold:
		// The stems as delivered do not sum to the mix, but the faults
		// found above explain all of it: say so, and nothing else.
		c.add(stemmaster.CodeSumMismatch, c.mix.Name, delivered,
			fmt.Sprintf("the stems as delivered differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB); corrected for the findings above they null to %s: those findings explain the difference, and no stem is missing", c.mix.Name, delivered, threshold, residualWords(res)),
			fixText("explained"))
	default:
		c.sumMismatch(sum, delivered, res, threshold, facts, spread)
	}
	return nil
}

// silentAtUnity puts the silent stems, which the fit leaves out (their
// gains would mean nothing), back into it at unity — as delivered — so
// the fitted residual is the delivery's with the findings corrected, never
// worse than as delivered for what a silent stem carries.
func silentAtUnity(g *analysis.Gram, f *analysis.Fit, sum []*input) {
	changed := false
	for k, in := range sum {
		if in.silent && in.duplicateOf < 0 && g.Energy(k) > 0 && f.Gains[k] == 0 {
			f.Gains[k], changed = 1, true
		}
	}
	if changed {
		f.ResidualEnergy = g.ResidualEnergy(f.Gains)
	}
}

// floorResidual raises a residual in dB to ResidualFloorDB (a perfect
// null, −∞, included); NaN stays NaN.
func floorResidual(db float64) float64 {
	switch {
	case db < ResidualFloorDB:
		return ResidualFloorDB
	case db < 0 && db > -0.005:
		// A residual as large as the mix, to the report's two decimals:
		// 0, never "-0" or "-0.0".
		return 0
	}
	return db
}

// residualWords formats a floored residual in dB, the floor as such.
func residualWords(db float64) string {
	if db <= ResidualFloorDB {
		return fmt.Sprintf("%.0f dB (the floor: nothing left)", ResidualFloorDB)
	}
	return fmt.Sprintf("%.1f dB", db)
}

// channelFindings reports the channel faults the joint fit found.
func (c *checker) channelFindings(in *input) {
	if in.swapped {
		c.add(stemmaster.CodeChannelsSwapped, in.Name, math.NaN(),
			fmt.Sprintf("%s has its left and right channels exchanged against the mix", in.Name),
			fixText(stemmaster.CodeChannelsSwapped, in.Name))
	}
	for ch, name := range channelNames {
		if in.sign[ch] < 0 && in.sign[1-ch] > 0 {
			c.addFinding(stemmaster.Finding{Code: stemmaster.CodePolarityInverted, File: in.Name, Channel: name,
				Message: fmt.Sprintf("%s has its %s channel inverted against the mix (the other channel is not): in mono that part of it cancels", in.Name, name),
				Fix:     fixText("polarity_channel", in.Name, name+" channel")}, float64(ch+1))
		}
	}
}

// commonMixOffset reports, as one finding on the mix, an offset that every
// aligned stem shares: then the stems are aligned with each other and it
// is the mix that is shifted (typically a look-ahead limiter or plug-in
// latency on the mix bus without delay compensation). It returns whether
// it did. Blaming each stem instead asked the client to re-export a
// correct delivery, and the offset_samples fixes would misalign the master.
func (c *checker) commonMixOffset(sum []*input) bool {
	n, lag := 0, 0
	for _, in := range sum {
		if !in.aligned {
			continue
		}
		if n > 0 && in.lag != lag {
			return false
		}
		n, lag = n+1, in.lag
	}
	if n < 2 || lag == 0 {
		return false
	}
	when := "early"
	if lag < 0 {
		when = "late"
	}
	c.add(stemmaster.CodeOffset, c.mix.Name, float64(-lag),
		fmt.Sprintf("the mix %s starts %s %s against every stem: the stems are aligned with each other, the mix is shifted", c.mix.Name, samplesText(int64(lag), c.rate), when),
		"export the mix again from the session start, with plug-in delay compensation on (or without master-bus processing); the stems need no change")
	return true
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
