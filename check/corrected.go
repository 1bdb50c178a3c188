package check

import (
	"errors"
	"fmt"
	"io"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/dsp/stemsum"
	"stemmaster/loudness"
)

// The second measuring pass: when a finding names a correction the session
// can make (analysis.CorrectionFor: a gain, a polarity, an offset, a
// channel swap, a resampling), the balance the check measured on the
// stems as delivered is not the balance of the stems the engine renders
// once the session makes it. A stem 12 dB hot against the mix reads as a
// family out of range, though the mix, which the corrected stems sum to,
// is balanced. This pass reads the stems again with every such correction
// made as the engine makes it at render (the one summer, dsp/stemsum: the
// same placement, channel swap and signs; the offset as frames dropped or
// silence ahead; a stem at another rate already converted, as in every
// pass) and measures the families and the sum again, for the advice the
// corrected delivery gets (report.AdviceCorrected). It runs only when a
// finding names a correction.

// stemFix is the corrections one stem gets in the second pass.
type stemFix struct {
	gainDB float64
	sign   [2]float64
	swap   bool
	offset int64 // frames: positive delays the stem
}

// adviseCorrected measures the stems again with the corrections the
// findings name and advises on them.
func (c *checker) adviseCorrected() error {
	byName := map[string]*input{}
	for _, in := range c.stems {
		byName[in.Name] = in
	}
	fixes := map[*input]*stemFix{}
	var made []*analysis.Correction
	var left []stemmaster.Finding
	for _, f := range c.findings {
		in := byName[f.File]
		var k *analysis.Correction
		if in != nil {
			k = analysis.CorrectionFor(f)
		}
		if k == nil {
			left = append(left, f)
			continue
		}
		made = append(made, k)
		fx := fixes[in]
		if fx == nil {
			fx = &stemFix{sign: [2]float64{1, 1}}
			fixes[in] = fx
		}
		fx.apply(k)
	}
	// An advice chosen by the stem count (one file, a multitrack) rests on
	// no balance: nothing to measure again.
	if len(made) == 0 || len(c.stems) == 1 || len(c.stems) > analysis.MaxStems {
		return nil
	}
	var bal []analysis.FamilyBalance
	copies := c.mixCopyNames()
	if len(copies) == 0 {
		var err error
		if bal, err = c.correctedBalance(fixes); err != nil {
			return err
		}
	}
	a := analysis.CorrectedAdvice(analysis.AdviceInput{Stems: len(c.stems), Findings: left, Balance: bal, MixMatched: c.mixMatched(), MixCopies: copies, Mix: c.mixName()}, made)
	c.report.AdviceCorrected = &a
	return nil
}

// apply adds one correction, as the session's field sets it.
func (fx *stemFix) apply(k *analysis.Correction) {
	st := stemmaster.StemSpec{GainDB: fx.gainDB, OffsetSamples: fx.offset, SwapChannels: fx.swap}
	k.Set(&st)
	fx.gainDB, fx.offset, fx.swap = st.GainDB, st.OffsetSamples, st.SwapChannels
	if k.Field == "polarity" {
		fx.sign[0], fx.sign[1] = st.Polarity.Signs()
	}
}

// correctedBalance is the families' balance over the summable stems read
// with their corrections: one pass, every family's sum and the whole sum
// metered together (integrated loudness only).
func (c *checker) correctedBalance(fixes map[*input]*stemFix) ([]analysis.FamilyBalance, error) {
	sum := c.summable()
	if len(sum) == 0 {
		return nil, nil
	}
	var streams []*stream
	defer func() {
		for _, s := range streams {
			s.close()
		}
	}()
	st := make([]stemsum.Stem, len(sum))
	gains := make([]float64, len(sum))
	members := map[stemmaster.Role][]int{}
	for k, in := range sum {
		fx := fixes[in]
		if fx == nil {
			fx = &stemFix{sign: [2]float64{1, 1}}
		}
		r, err := c.reader(in)
		if err != nil {
			return nil, err
		}
		// stream's shift moves a stem earlier; offset_samples delays it.
		streams = append(streams, newStream(r, BlockFrames, -fx.offset))
		st[k] = stemsum.Stem{Channels: in.channels(), Swap: fx.swap, Sign: fx.sign}
		gains[k] = math.Pow(10, fx.gainDB/20)
		members[in.Role] = append(members[in.Role], k)
	}
	// A family of every stem is the sum, measured once (as in the main
	// pass).
	whole := stemmaster.Role("")
	for role, ks := range members {
		if len(ks) == len(sum) {
			whole = role
			delete(members, role)
		}
	}
	roles := sortedRoles(members)
	sm := stemsum.NewSummer(st, c.sumCh, BlockFrames)
	meters := []*loudness.Meter{loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{IntegratedOnly: true})}
	bufs := []*audio.Buffer{audio.NewBuffer(c.sumCh, BlockFrames)}
	for range roles {
		meters = append(meters, loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{IntegratedOnly: true}))
		bufs = append(bufs, audio.NewBuffer(c.sumCh, BlockFrames))
	}
	blocks := make([][][]float32, len(sum))
	err := lockstep(c.ctx, streams, nil, func(slot, n int) {
		for k, s := range streams {
			blocks[k] = s.bufs[slot].Data
		}
		sm.Load(blocks, n, gains)
		for _, b := range bufs {
			b.SetFrames(n)
		}
		for ch, dst := range bufs[0].Data {
			for i, v := range sm.Sum[ch][:n] {
				dst[i] = float32(v)
			}
		}
		for f, role := range roles {
			for ch, dst := range bufs[1+f].Data {
				clear(dst)
				for _, k := range members[role] {
					g := gains[k]
					for i, v := range sm.Conv[k][ch][:n] {
						dst[i] += float32(g * v)
					}
				}
			}
		}
		loudness.ProcessGroup(meters, bufs)
	})
	if err != nil {
		return nil, err
	}
	for i, s := range streams {
		if s.err != nil && !knownEnd(sum[i], s.err) && !errors.Is(s.err, io.EOF) {
			return nil, fmt.Errorf("check: reread %s: %w", sum[i].Name, s.err)
		}
	}
	all := meters[0].Blocks()
	if l := loudness.GatedLoudness(all); math.IsInf(l, 0) || math.IsNaN(l) {
		return nil, nil // a silent sum has no balance
	}
	family := map[stemmaster.Role]analysis.FamilyLevel{}
	for f, role := range roles {
		family[role] = analysis.FamilyLevelOf(meters[1+f].Blocks(), all)
	}
	if whole != "" {
		family[whole] = analysis.FamilyLevelOf(all, all)
	}
	return analysis.BalanceOf(family), nil
}
