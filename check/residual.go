package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// bilinearRounds is how many alternating steps the bilinear fit takes
// (analysis.BlockGrams.SolveBilinear): it settles to well under 0.01 dB
// in fewer on every test delivery, and each costs a pass over the block
// sums, not over the audio.
const bilinearRounds = 40

// BusGainToleranceDB replaces GainToleranceDB for the stems' levels fitted
// through master-bus processing (the bilinear fit): a limiter's or fast
// compressor's gain moves within its 20 ms blocks, most on the stems that
// drive it (the drums' hits), which leaves up to a few tenths of a dB
// between stems at the same fader; a fader moved after the export is
// rarely under a decibel.
const BusGainToleranceDB = 1.0

// MissingGainToleranceDB replaces GainToleranceDB when the residual is
// content of its own (a stem missing): the fit then leans on every stem
// that shares a little with what is missing (the same notes, noise in the
// same band), which moves their gains, the more the shorter the song (0.8
// and 1.1 dB measured on a generated 6 s and 4 s song without its drums,
// the effects' noise standing in for the drums' noise); a fader error
// beside a missing stem is still reported beyond it.
const MissingGainToleranceDB = 1.5

// gainTol is the tolerance of the gain findings of this check.
func (c *checker) gainTol() float64 {
	if c.gainTolDB > 0 {
		return c.gainTolDB
	}
	return GainToleranceDB
}

// diagnoseResidual re-reads the delivery at the fitted gains and measures
// the residual's peak-following index (against the fitted sum), and keeps
// the Gram sums of every 20 ms block, from which it fits the stems' levels
// and a gain moving with time together (the bilinear fit: a mix rebalanced
// after the export and then through master-bus processing) and reads the
// bus-gain track against the stems at those levels. It returns the
// diagnosis and the bilinear fit's stem gains (0 for stems left out: not
// in use, or not in the mix), placed so that the stems the engineer did
// not move read 0 dB. When the sum is stereo it also asks monoImage
// whether the residual is a mono stem's lost stereo image.
func (c *checker) diagnoseResidual(sum []*input, use []bool, fit analysis.Fit) (residualFacts, error) {
	var prof analysis.ResidualProfile
	y := make([]float32, BlockFrames)
	r := make([]float32, BlockFrames)
	unity := make([]float64, len(sum))
	for k := range sum {
		if use[k] && audio.DB(math.Abs(fit.Gains[k])) >= AbsentGainDB {
			unity[k] = math.Copysign(1, fit.Gains[k])
		}
	}
	blocks := analysis.NewBlockGrams(len(sum), c.rate)
	sv := make([][][]float64, len(sum)) // views of the stems' channels
	for k := range sv {
		if unity[k] != 0 {
			sv[k] = make([][]float64, c.sumCh)
		}
	}
	ms := make([][]float64, c.sumCh)
	var mi *monoImage
	var res [2][]float64
	if c.sumCh == 2 {
		var mono []int
		for k, in := range sum {
			if unity[k] != 0 && in.channels() == 1 {
				mono = append(mono, k)
			}
		}
		if len(mono) > 0 {
			mi = newMonoImage(c.rate, mono)
			res = [2][]float64{make([]float64, BlockFrames), make([]float64, BlockFrames)}
		}
	}
	// The residual leaves the DC out, as the fit did; so do the block
	// sums (the bilinear fit and the stems' tracks), or a stem with DC
	// would read as moving, or as holding what the mix lacks.
	dc := c.residualDC(sum, func(int) []float64 { return fit.Gains })
	var mu [][]float64
	var mixMu []float64
	if !c.dcHP {
		mu, mixMu = c.channelMeans(sum)
	}
	scratch := newDCScratch(len(sum), c.sumCh, mu, mixMu)
	err := c.streamSum(sum, fit.Gains, func(sm *summer, i0, i1 int) {
		for ch := range sm.Sum {
			for i, v := range sm.Sum[ch][i0:i1] {
				y[i] = float32(v)
				r[i] = float32(sm.mix[ch][i0+i] - v - dc[ch])
			}
			prof.Add(y[:i1-i0], r[:i1-i0])
			for k := range sv {
				if sv[k] != nil {
					sv[k][ch] = scratch.view(sm.Conv[k][ch][i0:i1], k, ch)
				}
			}
			ms[ch] = scratch.view(sm.mix[ch][i0:i1], -1, ch)
			if mi != nil {
				for i, v := range sm.Sum[ch][i0:i1] {
					res[ch][i] = sm.mix[ch][i0+i] - v - dc[ch]
				}
			}
		}
		blocks.Add(sv, ms)
		if mi != nil {
			mi.add(sm, res[0][:i1-i0], res[1][:i1-i0], i0)
		}
	})
	if err != nil {
		return residualFacts{}, err
	}
	fixed := make([]float64, len(sum))
	for k := range fixed {
		if unity[k] != 0 {
			fixed[k] = fit.Gains[k]
		}
	}
	tracks := blocks.StemTracks(fixed)
	gains, _ := blocks.SolveBilinear(unity, bilinearRounds)
	facts := residualFacts{diag: analysis.DiagnoseResidual(prof.PeakFollowingDB(), blocks.Track(gains)), busGains: gains}
	if cause, ks := analysis.DiagnoseStems(tracks, facts.diag.Bus); cause != analysis.CauseUnclear {
		// What the stems' own gains explain, and one gain on their sum
		// does not, is on the stems: no master-bus processing.
		facts.diag.Cause, facts.diag.Kind = cause, analysis.BusNone
		facts.stems, facts.tracks = ks, tracks
	}
	if mi != nil {
		if k := mi.found(); k >= 0 {
			facts.monoStem = sum[k]
		}
	}
	return facts, nil
}

// residualFacts is what diagnoseResidual found.
type residualFacts struct {
	diag     analysis.ResidualDiagnosis
	busGains []float64 // the bilinear fit's stem gains
	// monoStem, when not nil, is a mono stem whose stereo image the
	// residual is (monoImage)
	monoStem *input
	// stems are the indices the stems' diagnosis names (CauseStemDynamics,
	// CauseStemExtra), with the tracks it read
	stems  []int
	tracks analysis.StemTracksResult
}

// busGainFindings reports, under master-bus processing, the stems whose
// level in the mix differs from the others' by more than
// BusGainToleranceDB, from the bilinear fit. It returns the spread of
// those levels in dB.
func (c *checker) busGainFindings(sum []*input, use []bool, gains []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, in := range sum {
		if !use[k] || gains[k] == 0 || c.gram.Energy(k) == 0 {
			continue
		}
		db := audio.DB(math.Abs(gains[k]))
		lo, hi = min(lo, db), max(hi, db)
		if math.Abs(db) <= BusGainToleranceDB {
			continue
		}
		c.add(stemmaster.CodeGainMismatch, in.Name, -db,
			fmt.Sprintf("%s is %.1f dB %s against the mix, beside the other stems (its fader moved after the export; measured through the master-bus processing below)", in.Name, math.Abs(db), hotOrQuiet(db)),
			fmt.Sprintf("export it again at the mix's fader level, or set gain_db: %.1f for %s in the session", db, in.Name))
	}
	return max(hi-lo, 0)
}

// bandResidualDB re-reads the delivery and measures the residual at the
// fitted gains (per channel of the sum) below c.bandEdgeHz, relative to
// the mix below it.
func (c *checker) bandResidualDB(sum []*input, gains func(ch int) []float64) (float64, error) {
	br := analysis.NewBandResidual(c.sumCh, float64(c.rate), c.bandEdgeHz)
	r := make([]float64, BlockFrames)
	dc := c.residualDC(sum, gains)
	err := c.streamSum(sum, nil, func(sm *summer, i0, i1 int) {
		for ch := range sm.mix {
			rr := r[:i1-i0]
			for i, v := range sm.mix[ch][i0:i1] {
				rr[i] = v - dc[ch]
			}
			for k, g := range gains(ch) {
				if g == 0 {
					continue
				}
				for i, v := range sm.Conv[k][ch][i0:i1] {
					rr[i] -= g * v
				}
			}
			br.Add(ch, rr, sm.mix[ch][i0:i1])
		}
	})
	return br.DB(), err
}
