package check

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// The stems' sum against the delivered mix: the mismatch and the streamed sum it is read from.

// StemsLimitedCorr is the correlation of the residual with the stems'
// sum on its peaks (the samples within 6 dB of the mix's peak) from which
// a residual on the peaks is read as limiting printed on the stems rather
// than left on the mix: a limiter on francium's mix gives −0.61, a clipper
// −0.09; each stem through a limiter +0.30 to +0.34; both the mix and one
// stem clipped +0.06, read as the mix's.
const StemsLimitedCorr = 0.15

// sumMismatch reports a sum that does not null against the mix, with the
// diagnosis of the residual.
func (c *checker) sumMismatch(sum []*input, deliveredDB, residualDB, threshold float64, facts residualFacts, gainSpreadDB float64) {
	d := facts.diag
	var unaligned []string
	for _, in := range sum {
		if !in.silent && !in.copyOf() && !in.aligned {
			unaligned = append(unaligned, in.Name)
		}
	}
	msg := fmt.Sprintf("the stems, even at their fitted gains, offsets and polarities, differ from the mix %s by a residual of %.1f dB (relative to the mix, threshold %.0f dB; as delivered %s)", c.mix.Name, residualDB, threshold, residualWords(deliveredDB))
	var why, fix string
	pf, bus := d.PeakFollowingDB, d.Bus
	explained := fmt.Sprintf("one gain per %.0f ms explains %.0f %% of the residual", analysis.BusGainBlockSeconds*1000, 100*bus.Explained)
	notBus := "" // what the bus-gain track says when it is not the diagnosis
	if !math.IsNaN(bus.Explained) {
		notBus = "; only " + explained
	}
	switch d.Kind {
	case analysis.BusPeaks:
		why = fmt.Sprintf("the residual follows the mix's peaks (peak-following index %+.1f dB): master-bus processing — a limiter or clipper — was left on the mix", pf)
		if facts.peakSign >= StemsLimitedCorr {
			why = fmt.Sprintf("the residual follows the peaks (peak-following index %+.1f dB) but adds to them (it correlates %+.2f with the stems' sum on its peaks): the mix is louder there than the stems' sum, so the peaks were taken off the stems, not the mix — a limiter, clipper or compressor printed on the stems (each stem through the master bus, or one on each track) that the mix does not have", pf, facts.peakSign)
		}
	case analysis.BusCompression:
		what := "a compressor"
		if pf >= analysis.BusProcessingMinDB {
			what = "a limiter or compressor" // the residual also sits on the peaks
		}
		why = fmt.Sprintf("the mix is the stems' sum through a gain that moves with time and is lower where the sum is louder (%s; the gain runs from %s to %s dB, 10th to 90th percentile): master-bus processing — %s — was left on the mix",
			explained, signedDB(bus.LowDB), signedDB(bus.HighDB), what)
		if bus.HighDB > GainToleranceDB {
			why += fmt.Sprintf(", with about %s dB of makeup gain", signedDB(bus.HighDB))
		}
	case analysis.BusVarying:
		moves := fmt.Sprintf("from %s to %s dB, 10th to 90th percentile", signedDB(bus.LowDB), signedDB(bus.HighDB))
		if bus.HighDB-bus.LowDB < analysis.MovingGainMinSpreadDB {
			moves = "on a few passages only"
		}
		why = fmt.Sprintf("the mix is the stems' sum through a gain that moves with time but not clearly with the sum's level (%s; the gain moves %s): master-bus processing — gain automation on the master, or dynamics keyed from another signal — was left on the mix",
			explained, moves)
	}
	quant, depths := c.quantNoise(sum)
	switch {
	case depths != "" && quant >= QuantNoiseShareMin*math.Pow(10, residualDB/10):
		// Rounding to a shallow depth leaves noise in every stem that no
		// gain, offset or processing explains; read as anything else, it
		// would send the client after a compressor that is not there.
		why = fmt.Sprintf("the residual is the rounding noise of the %s files: at that depth their quantisation alone leaves %.1f dB of the mix, which no gain or offset removes", depths, audio.DB(math.Sqrt(quant)))
		fix = "export the stems (and the mix) again at 24-bit or 32-bit float; nothing else needs changing"
	case facts.clipped != nil:
		why, fix = clippedWhy(facts.clipped, facts.clipShare)
	case d.Cause == analysis.CauseBusProcessing:
		if gainSpreadDB > GainToleranceDB {
			why += fmt.Sprintf(" (through it the stems' fitted gains differ by up to %.1f dB, so they are not reported as fader errors)", gainSpreadDB)
		}
		fix = fixText("bus")
		if d.Kind == analysis.BusPeaks && facts.peakSign >= StemsLimitedCorr {
			fix = "export the stems again with the master bus bypassed and no limiter, clipper or compressor added on their export, as the mix was bounced (or bounce the mix through the same chain), so that the stems add up to the mix"
		}
	case facts.monoStem != nil:
		m, mono := facts.monoStem.Name, "mono"
		if facts.monoStem.channels() == 2 {
			mono = "mono (its two channels hold one signal)"
		}
		why = fmt.Sprintf("the residual is almost all the difference between the mix's left and right channels, and it lies where %s plays: %s is %s, but in the mix it plays in stereo (folded down to mono, it lost what differs between its channels)", m, m, mono)
		fix = fmt.Sprintf("export %s again in stereo, as it plays in the mix (not folded down to mono)", m)
		c.monoIsNoFault(facts.monoStem, fix)
	case d.Cause == analysis.CauseBusEQ:
		why = eqWhy(facts.eq)
		if gainSpreadDB > GainToleranceDB {
			why += fmt.Sprintf(" (through it the stems' fitted gains differ by up to %.1f dB, so they are not reported as fader errors)", gainSpreadDB)
		}
		fix = fixText("bus")
	case c.copiedStem(sum) != nil:
		why, fix = c.copyWhy(c.copiedStem(sum))
	case facts.span != nil:
		why, fix = c.spanWhy(sum, *facts.span)
	case d.Cause == analysis.CauseStemFiltered:
		why, fix = smearWhy(sum, *facts.smear)
	case d.Cause == analysis.CauseLossy:
		why = fmt.Sprintf("the stems carry the mix's energy in every octave but not its waveform, and the difference grows with frequency (%.1f dB of the mix in the top two octaves, %.1f dB under 500 Hz): a stem or the mix was decoded from a lossy file (MP3, AAC, Ogg), whose coder replaces detail with noise it hides under the music", facts.eq.HighDB, facts.eq.LowDB)
		fix = "export every stem and the mix again from the session as WAV, AIFF or FLAC (24-bit or 32-bit float), never from an MP3 or AAC copy"
	case d.Cause == analysis.CauseStemDynamics || d.Cause == analysis.CauseStemExtra:
		why, fix = stemsWhy(sum, facts, d.Bus.Explained)
	case c.deadChannel != "" && (d.Cause == analysis.CauseOwnContent || d.Cause == analysis.CauseUnclear):
		why = c.deadChannel
		fix = fixText("explained")
	case d.Cause == analysis.CauseOwnContent:
		why = fmt.Sprintf("the residual has content of its own that does not follow the mix's level (peak-following index %+.1f dB%s): a stem is probably missing", pf, notBus)
		fix = "check that every track of the session (including effect returns and busses) is in exactly one stem"
		if facts.span == nil && facts.monoStem == nil {
			w, f := movingWhy(sum, facts.tracks)
			why += w
			fix += f
		}
	default:
		why = fmt.Sprintf("the residual shows no clear pattern (peak-following index %+.1f dB%s): master-bus processing and missing content are both possible", pf, notBus)
		fix = "export the mix without master-bus processing and check that every track is in a stem"
	}
	msg += "; " + why
	if len(unaligned) > 0 {
		msg += fmt.Sprintf(" (%s could not be aligned with the mix)", strings.Join(unaligned, ", "))
	}
	c.add(stemmaster.CodeSumMismatch, c.mix.Name, residualDB, msg, fix)
}

// streamSum re-reads the summable stems (offsets compensated) and the mix
// in lockstep, loads each block into a summer with the given gains (nil:
// unity) and calls each with the block's frames i0…i1−1 that lie in the
// span every compensated stem covers: where moving a stem into place left
// it without material (its start cut, its end moved in), the fit would
// see a difference that re-exporting fixes anyway, so those frames are
// left out.
func (c *checker) streamSum(sum []*input, gains []float64, each func(sm *summer, i0, i1 int)) error {
	var streams []*stream
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	for _, in := range append(slices.Clip(sum), c.mix) {
		r, err := c.reader(in)
		if err != nil {
			return err
		}
		shift := 0
		if in.aligned {
			shift = in.lag
		}
		streams = append(streams, newStream(r, BlockFrames, int64(shift)))
	}
	lo, hi := c.commonSpan(sum)
	sm := newSummer(sum, c.sumCh, true)
	if c.dcHP {
		sm.withDCBlock(sum, c.rate)
	}
	stems, mix := streams[:len(sum)], streams[len(sum)]
	skips := c.dcSkips(sum)
	var pos int64
	err := lockstep(c.ctx, streams, nil, func(slot, n int) {
		i0, i1 := max(lo-pos, 0), min(hi-pos, int64(n))
		at := pos
		pos += int64(n)
		if i0 >= i1 {
			return
		}
		sm.load(stems, mix, slot, n, gains)
		sm.at = at
		if skips == nil {
			each(sm, int(i0), int(i1))
			return
		}
		eachKept(skips, at, int(i0), int(i1), func(a, b int) { each(sm, a, b) })
	})
	if err != nil {
		return err
	}
	for i, s := range streams {
		in := c.mix
		if i < len(sum) {
			in = sum[i]
		}
		if s.err != nil && !knownEnd(in, s.err) {
			return fmt.Errorf("check: reread %s: %w", in.Name, s.err)
		}
	}
	return nil
}
