package check

import (
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/dsp"
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
			// A stereo file whose channels are one signal lost its image
			// as a mono export does.
			if unity[k] != 0 && (in.channels() == 1 || in.monoAsStereo()) {
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
	// The EQ's transfer function is read against the stems at unity (as
	// delivered, polarity corrected): the fitted gains have taken up part
	// of it (a bright stem reads hot through a treble boost).
	eq := analysis.NewSpectralFit(c.sumCh, float64(c.rate))
	mixLessDC := make([]float64, BlockFrames)
	unitySum := make([]float64, BlockFrames)
	udc := c.residualDC(sum, func(int) []float64 { return unity })
	var where spanClock
	clip := newClipReading(sum, c.mix, fit.Gains)
	// The residual's sign on the sum's peaks (the samples within 6 dB of
	// the mix's peak): a limiter on the mix leaves the mix under the sum
	// there, one printed on the stems leaves the sum under the mix.
	peakRef := math.Pow(10, (c.mix.res.SamplePeakDBFS-6)/20)
	var onPeaks struct{ ry, yy, rr float64 }
	err := c.streamSum(sum, fit.Gains, func(sm *summer, i0, i1 int) {
		where.add(sm.at+int64(i0), i1-i0)
		if clip != nil {
			clip.mark(sm, i0, i1)
		}
		for ch := range sm.Sum {
			m, u := mixLessDC[:i1-i0], unitySum[:i1-i0]
			for i, v := range sm.mix[ch][i0:i1] {
				m[i] = v - udc[ch]
			}
			clear(u)
			for k, g := range unity {
				if g != 0 {
					for i, v := range sm.Conv[k][ch][i0:i1] {
						u[i] += g * v
					}
				}
			}
			eq.Add(ch, u, m)
			for i, v := range sm.Sum[ch][i0:i1] {
				y[i] = float32(v)
				r[i] = float32(sm.mix[ch][i0+i] - v - dc[ch])
				if math.Abs(v) >= peakRef {
					rv := float64(r[i])
					onPeaks.ry += rv * v
					onPeaks.yy += v * v
					onPeaks.rr += rv * rv
				}
			}
			prof.Add(y[:i1-i0], r[:i1-i0])
			if clip != nil {
				clip.add(sm, ch, i0, r[:i1-i0])
			}
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
	facts := residualFacts{diag: analysis.DiagnoseResidual(prof.PeakFollowingDB(), blocks.Track(gains)), busGains: gains, tracks: tracks}
	if onPeaks.yy > 0 && onPeaks.rr > 0 {
		facts.peakSign = onPeaks.ry / math.Sqrt(onPeaks.yy*onPeaks.rr)
	}
	if ins, share := clip.clipped(sum); ins != nil {
		// The residual is what a stem's clip took off, which the mix
		// has: on the peaks, as master-bus processing leaves it, but of
		// the other sign; no other reading applies.
		facts.diag.Cause, facts.diag.Kind = analysis.CauseUnclear, analysis.BusNone
		facts.clipped, facts.clipShare = ins, share
		return facts, nil
	}
	if cause, ks := analysis.DiagnoseStems(tracks, facts.diag.Bus); cause != analysis.CauseUnclear {
		// What the stems' own gains explain, and one gain on their sum
		// does not, is on the stems: no master-bus processing.
		facts.diag.Cause, facts.diag.Kind = cause, analysis.BusNone
		facts.stems, facts.tracks = ks, tracks
	} else if facts.diag.Cause != analysis.CauseBusProcessing {
		// Not a gain that moves with time: a gain per frequency, an EQ
		// on the master bus?
		// It must also leave far less than the fit of one gain per stem
		// does: a gain per frequency also explains a stem at the wrong
		// level, in the bins where that stem dominates.
		r := eq.Result()
		switch {
		case r.Explained >= analysis.EQExplainedMin && r.LeftEnergy <= (1-analysis.EQExplainedMin)*fit.ResidualEnergy && len(r.Moved()) > 0:
			facts.diag.Cause, facts.eq = analysis.CauseBusEQ, r
		case r.Lossy:
			facts.diag.Cause, facts.eq = analysis.CauseLossy, r
		}
	}
	if mi != nil {
		if k := mi.found(); k >= 0 {
			facts.monoStem = sum[k]
		}
	}
	if facts.monoStem == nil && facts.diag.Cause != analysis.CauseBusProcessing && facts.diag.Cause != analysis.CauseBusEQ {
		facts.span = where.local(blocks.ResidualSpan(fixed, ResidualSpanShare), c.rate, facts.diag.Cause == analysis.CauseOwnContent)
	}
	switch facts.diag.Cause {
	case analysis.CauseBusProcessing, analysis.CauseBusEQ:
	default:
		if facts.monoStem != nil || facts.span != nil {
			break
		}
		// One stem through a reverb, a delay or an EQ may be all of
		// the residual: content of its own to the peak-following index,
		// a difference growing with frequency to the spectra (a treble
		// boost), or, for a reverb, a level that moves to the stems'
		// tracks (its tail fills the stem's quiet blocks, or the mix's).
		// A filter of that stem predicting it is the more particular
		// reading; but a compressor on a stem's alike notes is a filter
		// too, so an EQ does not overrule the stems' tracks.
		s, err := c.smearedStem(sum, fit, unity)
		if err != nil {
			return residualFacts{}, err
		}
		stemsRead := facts.diag.Cause == analysis.CauseStemDynamics || facts.diag.Cause == analysis.CauseStemExtra
		if s != nil && (s.res.Reverb() || !stemsRead) {
			facts.diag.Cause, facts.smear = analysis.CauseStemFiltered, s
			facts.stems, facts.tracks = nil, analysis.StemTracksResult{}
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
	// CauseStemExtra); tracks, what it read (whatever the diagnosis)
	stems  []int
	tracks analysis.StemTracksResult
	// eq is the mix's gain per frequency against the fitted sum
	// (CauseBusEQ)
	eq analysis.SpectralFitResult
	// span, when not nil, is the one passage that holds the residual
	// (residualSpan), which then says more than the diagnosis of its
	// kind: a dropout is not a lossy codec, a tail cut is not a missing
	// stem
	span *residualSpan
	// smear, when not nil, is the stem that through a filter (a reverb,
	// a delay, an EQ) is the residual, which is then no missing stem
	smear *stemSmear
	// clipped, when not nil, are the clipped stems whose clip the
	// residual is (clipReading), clipShare the share of it on their
	// held samples
	clipped   []*input
	clipShare float64
	// peakSign is the correlation of the residual r with the sum y over
	// the sum's peaks, Σ r·y / √(Σ y² · Σ r²): negative where the mix is
	// under the sum there (a limiter on the mix), positive where the
	// stems' peaks were taken off (StemsLimitedCorr)
	peakSign float64
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

// ResidualSpanShare is the share of the residual's energy a passage must
// hold for the residual to be that passage's.
const ResidualSpanShare = 0.9

// ResidualSpanMax is the longest such passage, as a share of the span
// compared: a dropout, a click, a region re-recorded or a tail cut short
// leave their residual in a few seconds of the song, while a missing
// stem, a codec or a processor on the mix leave theirs wherever the music
// plays. A fade the mix lacks, over the last fifth of a song, reads as a
// level moving instead (stemsWhy).
const ResidualSpanMax = 0.125

// ResidualGapSpanMax replaces ResidualSpanMax when a stem is silent in
// the passage while it plays around it (analysis.ResidualSpan's Gap): a
// part muted in one chorus of a stem from another mix version covers 8 s
// of a 45 s song, more than an eighth, and no missing stem falls silent
// exactly where the residual lies.
const ResidualGapSpanMax = 0.25

// ResidualSpanMinSeconds is the shortest comparison in which a passage
// means anything: under it, an eighth of the song is a note or two.
const ResidualSpanMinSeconds = 8.0

// residualSpan is the passage of the mix that holds the residual.
type residualSpan struct {
	from, to float64 // seconds into the mix
	total    float64 // seconds compared
	stem     int     // index into the sum of the stem named, or −1
	share    float64 // of the residual in the passage that stem's gain removes
	gap      int     // index into the sum of a stem silent there, or −1
	// part: content of its own over a passage longer than a click or a
	// dropout (ResidualSpanMax): music the mix has there and no stem has
	part bool
}

// spanClock maps the fit's frames, counted in the order streamSum passed
// them, to the mix's frames (streamSum may leave frames out).
type spanClock struct {
	segs []struct{ fed, at int64 }
	fed  int64
}

func (w *spanClock) add(at int64, n int) {
	if k := len(w.segs) - 1; k < 0 || w.segs[k].at+(w.fed-w.segs[k].fed) != at {
		w.segs = append(w.segs, struct{ fed, at int64 }{w.fed, at})
	}
	w.fed += int64(n)
}

// mixFrame returns the mix frame of the fit's frame f.
func (w *spanClock) mixFrame(f int64) int64 {
	at := f
	for _, s := range w.segs {
		if s.fed > f {
			break
		}
		at = s.at + f - s.fed
	}
	return at
}

// local returns the passage s holds, or nil when the residual is not one
// passage's. A stem silent from the song's start is no dropout: it enters
// after an intro. Content of its own (ownContent) in a passage longer than
// ResidualSpanMax, up to ResidualGapSpanMax (or over a second, when no
// stem's level explains it), is a part the mix has there and no stem has
// (part).
func (w *spanClock) local(s analysis.ResidualSpan, rate int, ownContent bool) *residualSpan {
	block := int64(analysis.BusGainBlockSeconds*float64(rate) + 0.5)
	total := float64(w.fed) / float64(rate)
	if s.First == 0 {
		s.Gap = -1
	}
	longest := ResidualSpanMax
	if s.Gap >= 0 || ownContent {
		longest = ResidualGapSpanMax
	}
	n := float64(s.Last - s.First + 1)
	if s.Last < s.First || total < ResidualSpanMinSeconds || n > longest*float64(s.Blocks) {
		return nil
	}
	from := w.mixFrame(int64(s.First) * block)
	to := w.mixFrame(min(int64(s.Last+1)*block, w.fed)-1) + 1
	return &residualSpan{from: float64(from) / float64(rate), to: float64(to) / float64(rate), total: total, stem: s.Stem, share: s.Explained, gap: s.Gap,
		part: s.Gap < 0 && (ownContent && n > ResidualSpanMax*float64(s.Blocks) || s.Stem < 0 && float64(to-from) >= ResidualPartMinSeconds*float64(rate))}
}

// ResidualPartMinSeconds is the shortest passage of content of its own
// that no stem's level explains read as a part the mix has there (a take,
// a track left out) rather than a click or a burst of noise.
const ResidualPartMinSeconds = 1.0

// spanWhy words a residual that lies in one passage, and its fix.
func (c *checker) spanWhy(sum []*input, s residualSpan) (why, fix string) {
	when := fmt.Sprintf("between %s and %s of the mix (%s of the %.0f s compared)", secondsText(s.from), secondsText(s.to), secondsText(s.to-s.from), s.total)
	if s.gap >= 0 && silentFrom(sum[s.gap], s.from, c.rate) {
		// It plays before the passage only: an export that stops there.
		n := sum[s.gap].Name
		why = fmt.Sprintf("%.0f %% of the residual lies %s, where %s falls silent to its end while the mix still has it: an export cut short — its region or the export range ends there, the rest padded with silence — the rest of the song matches", 100*ResidualSpanShare, when, n)
		fix = fmt.Sprintf("export %s again from the session over the whole song, to the end of the mix (its region or the export range ends at %s)", n, secondsText(s.from))
		return why, fix
	}
	if s.gap >= 0 {
		n := sum[s.gap].Name
		why = fmt.Sprintf("%.0f %% of the residual lies %s, where %s is silent while it plays around it and the mix has it: a dropout in %s, a part muted in the mix version it was exported from, or its tail cut short — the rest of the song matches", 100*ResidualSpanShare, when, n, n)
		fix = fmt.Sprintf("export %s again from the session over the whole song and listen to it around %s (a dropout in the export, a region cut or an export range that ends too early)", n, secondsText(s.from))
		return why, fix
	}
	if s.part {
		why = fmt.Sprintf("%.0f %% of the residual lies %s, with content of its own there: the mix holds a part in that passage that no stem has — a take, an overdub or a part in the mix's version that the stems' version lacks, or a track left out of the stems that plays only there — the rest of the song matches", 100*ResidualSpanShare, when)
		fix = fmt.Sprintf("listen to the mix against the stems around %s to %s: export the stems again from the same session and version as the mix, with every track that plays there in a stem", secondsText(s.from), secondsText(s.to))
		return why, fix
	}
	if s.stem < 0 {
		why = fmt.Sprintf("%.0f %% of the residual lies %s, and no one stem's level there explains it: a click, a burst of noise or an edit in one file that the others do not have — the rest of the song matches", 100*ResidualSpanShare, when)
		fix = fmt.Sprintf("listen to every stem and the mix around %s, find the file that differs there and export it again from the session", secondsText(s.from))
		return why, fix
	}
	n := sum[s.stem].Name
	why = fmt.Sprintf("%.0f %% of the residual lies %s, where %s departs from its part of the mix (its own level there explains %.0f %% of it): %s differs from the mix only in that passage — a click, a dropout, a region edited, re-recorded or faded after the mix was bounced, or a tail cut short — the rest of the song matches", 100*ResidualSpanShare, when, n, 100*s.share, n)
	fix = fmt.Sprintf("listen to %s against the mix around %s and export it again from the same session and version as the mix, over the whole song", n, secondsText(s.from))
	return why, fix
}

// silentFrom says whether a stem holds nothing from the mix's second from
// to its end: none of its blocks from there on reaches editSilentShare of
// its mean energy per block.
func silentFrom(in *input, from float64, rate int) bool {
	b := in.st.blockEnergy
	if len(b) == 0 {
		return false
	}
	quiet := editSilentShare * dsp.Sum(b) / float64(len(b))
	first := max(0, (int64(from*float64(rate))+int64(in.lag))/BlockFrames+1)
	if first >= int64(len(b)) {
		return false
	}
	for _, e := range b[first:] {
		if e > quiet {
			return false
		}
	}
	return true
}

// secondsText says a time in seconds to the 20 ms of a block.
func secondsText(s float64) string {
	return fmt.Sprintf("%.2f s", s)
}
