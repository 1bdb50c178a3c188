package engine

import (
	"context"
	"math"
	"runtime/debug"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// The gain model predicts the plain limiter's loudness (gainModel), and
// the stem-aware limiter keeps more of it: it takes a peak's reduction
// mostly from the stems that cause it (the drums, whose peaks carry
// little of the loudness) rather than from the whole sum, so at the same
// gain it reads louder, by a few tenths of a LU when limiting hard. The
// difference changes slowly with the gain (as the model's own error does,
// which the targeting's corrections rely on), so before its first
// stem-aware pass targeting measures it on excerpts of the song: the
// stem-aware limiter runs over probeExcerpts stretches spread evenly over
// the classes, each after a run-in, and their K-weighted energy out of it
// is set against the model's prediction for the same segments, over the
// 400 ms blocks the predicted relative gate keeps. The prediction is then
// aimed off the target by that difference, so that the first full pass
// lands where the plain limiter's first pass does.

const (
	probeExcerpts = 24
	probeExcerpt  = 1.6 // seconds measured per excerpt
	probeRunIn    = 0.5 // seconds limited before each, unmeasured
	// The excerpts take at most 1/probeShare of the song; a shorter song
	// is probed on fewer, at least probeMinExcerpts, or not at all.
	probeShare       = 3
	probeMinExcerpts = 3
)

// probeAware returns how much louder (LU, energy over the excerpts) the
// stem-aware limiter lim reads at gainDB than the model predicts for the
// plain limiter; ok is false when the song is too short to probe or the
// excerpts are silent. lim is left to be Reset by the next pass.
func (tr *targeting) probeAware(ctx context.Context, lim *stemAwareLimiter, m *gainModel, gainDB, rate float64, step int) (float64, bool) {
	frames := int(lim.in.stems[0].frames)
	seg := int(math.Round(rate / 1000))
	exLen := int(probeExcerpt*1000) * seg // whole segments
	runIn := int(probeRunIn * rate)
	n := min(probeExcerpts, frames/probeShare/(exLen+runIn))
	if n < probeMinExcerpts || len(m.energy) == 0 {
		return 0, false
	}
	g := audio.Amplitude(gainDB)
	gains := m.limiterGains(g, tr.params)
	lat := lim.Latency()
	lim.gain = float32(g)
	lim.sl.SkipStemStats(true)
	buf := audio.NewBuffer(busChannels, step)
	gate := m.loudness(gainDB, &tr.params) - 10 // BS.1770's relative gate, as predicted
	meas := make([]float64, exLen/seg)
	var measured, predicted float64
	for k := range n {
		if ctx.Err() != nil {
			return 0, false // the pass that follows returns the error
		}
		// The excerpt's first segment, at the middle of its nth of the song.
		j0 := int(float64(len(m.energy)) * (float64(k) + 0.5) / float64(n))
		j0 = max(0, min(j0-len(meas)/2, len(m.energy)-len(meas)))
		j1 := min(len(m.energy), j0+len(meas))
		from, to := m.segFrame(j0), m.segFrame(j1)
		clear(meas)
		lim.sl.Reset()
		kw := loudness.NewStereoKWeighting(rate)
		start := max(0, from-runIn)
		j := j0 // the segment being measured
		// Input frame p comes out at p+lat: feed [start, to+lat) to get
		// [start, to) out.
		for pos := start; pos < to+lat; pos += step {
			c := min(step, to+lat-pos)
			buf.SetFrames(c)
			lim.share(lim.in, shareJob{pos, c, 0})
			lim.sl.Finish(0, buf)
			// buf holds output frames [pos-lat, pos-lat+c).
			o0 := pos - lat
			a := max(0, start-o0)
			if a < c && o0+a < from { // the run-in: weight, do not count
				b := min(c, from-o0)
				kw.EnergyPeak(buf.Data[0][a:b], buf.Data[1][a:b])
				a = b
			}
			for a < c && j < j1 {
				b := min(c, m.segFrame(j+1)-o0)
				el, er, _, _ := kw.EnergyPeak(buf.Data[0][a:b], buf.Data[1][a:b])
				meas[j-j0] += el + er
				a = b
				if o0+a == m.segFrame(j+1) {
					j++
				}
			}
		}
		// 400 ms blocks of the excerpt above the gate count.
		for b0 := j0; b0+400 <= j1; b0 += 400 {
			var pe, me float64
			for j := b0; j < b0+400; j++ {
				pe += gains[j] * gains[j] * m.energy[j]
				me += meas[j-j0]
			}
			pe *= g * g
			if loudness.LUFS(pe/float64(m.segFrame(b0+400)-m.segFrame(b0))) >= gate {
				measured += me
				predicted += pe
			}
		}
	}
	if !(measured > 0) || !(predicted > 0) || lim.err != nil {
		return 0, false
	}
	return 10 * math.Log10(measured/predicted), true
}

// aimAware returns the gain of the first stem-aware pass: the model's
// prediction for the target T aimed off it by the stem-aware limiter's
// difference at gainDB, the model's prediction (probeAware); ok is false
// when the song cannot be probed. The difference shrinks a little with
// the gain (on the bench's song at −9 LUFS, 0.34 LU at the predicted gain
// and 0.32 at the 1.8 dB lower one that lands), less than the probe's own
// sampling error, so it is not probed again at the aimed gain.
//
// That sampling error is the probe's limit: the stem-aware limiter's gain
// over the model varies from one 400 ms block to the next (francium's full
// chain at −9 LUFS: 0.9 LU on average, 0.33 LU standard deviation), and
// the model's own figures for a block explain little of it (a regression
// on its predicted loudness leaves 0.29 LU). A 45 s song is probed on 7
// excerpts, 28 blocks, which lands its first pass 0.044 LU off there;
// probing three quarters of it (21 excerpts) still lands 0.018 off, and
// 10 excerpts missed by more than AimLU (a second pass). Only a whole
// pass does better.
func (tr *targeting) aimAware(ctx context.Context, lim *stemAwareLimiter, m *gainModel, gainDB, T, rate float64, step int, predict func(float64) float64, clk *clock) (float64, bool) {
	defer clk.begin("stem-aware probe")()
	d, ok := tr.probeAware(ctx, lim, m, gainDB, rate, step)
	// The chains' windows are garbage by now, and the pass that follows
	// (with the deliverables behind it) allocates anew: one collection
	// returning their pages keeps the peak memory at what the render
	// holds, as after the master phase (Render).
	debug.FreeOSMemory()
	if !ok {
		return 0, false
	}
	return predict(T - d), true
}
