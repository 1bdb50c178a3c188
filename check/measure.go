package check

import (
	"errors"
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/stemsum"
	"stemmaster/loudness"
)

// MonoCentreGain is the gain of a mono stem in each channel of a stereo
// sum, the one summer's (stemsum.MonoGain): the check sums as master
// renders, so its null, its fitted gains and the gain_db fixes it suggests
// hold for the master.
var MonoCentreGain = stemsum.MonoGain

// summer is the stem summer (dsp/stemsum) over the summable stems' streams,
// with the mix converted beside it for the comparisons.
type summer struct {
	*stemsum.Summer
	ch     int
	mix    [][]float64   // [channel]
	col    [][]float64   // scratch: one channel of every stem, for Gram.AddBlock
	blocks [][][]float32 // scratch: each stem's block
	// dcBlock, when not nil, high-passes every loaded block alike (each
	// stem, the sum and the mix: dcHighPassHz) before it is used
	dcBlock []*biquad.Filter
	// at is the mix frame of the loaded block's first frame (streamSum)
	at int64
}

func newSummer(stems []*input, sumCh int, withMix bool) *summer {
	st := make([]stemsum.Stem, len(stems))
	for k, in := range stems {
		st[k] = stemsum.Stem{Channels: in.channels(), Swap: in.swapped, Sign: in.sign}
	}
	s := &summer{Summer: stemsum.NewSummer(st, sumCh, BlockFrames), ch: sumCh,
		col: make([][]float64, len(stems)), blocks: make([][][]float32, len(stems))}
	if withMix {
		s.mix = make([][]float64, sumCh)
		for c := range s.mix {
			s.mix[c] = make([]float64, BlockFrames)
		}
	}
	return s
}

// load converts block slot of the stem streams (and the mix stream, when
// not nil) and sums the stems with the given gains (nil: unity).
func (s *summer) load(stems []*stream, mix *stream, slot, n int, gains []float64) {
	for k, st := range stems {
		s.blocks[k] = st.bufs[slot].Data
	}
	s.Load(s.blocks, n, gains)
	if mix != nil {
		for c := range s.ch {
			dst := s.mix[c][:n]
			for i, v := range mix.bufs[slot].Data[c][:n] {
				dst[i] = float64(v)
			}
		}
	}
	if s.dcBlock != nil {
		for k, f := range s.dcBlock[:len(s.Conv)] {
			// A mono stem's channels share one slice: filtered once.
			f.ProcessChannels(s.Conv[k][:len(s.blocks[k])], n)
		}
		s.dcBlock[len(s.Conv)].ProcessChannels(s.Sum, n)
		if mix != nil {
			s.dcBlock[len(s.Conv)+1].ProcessChannels(s.mix, n)
		}
	}
}

// withDCBlock sets the summer to high-pass every block it loads (see
// dcwindows.go).
func (s *summer) withDCBlock(stems []*input, rate int) *summer {
	for _, in := range stems {
		s.dcBlock = append(s.dcBlock, newDCBlock(rate, min(in.channels(), s.ch)))
	}
	s.dcBlock = append(s.dcBlock, newDCBlock(rate, s.ch), newDCBlock(rate, s.ch))
	return s
}

// addGrams adds frames i0…i1−1 of the loaded block's channel c to
// grams[c].
func (s *summer) addGrams(grams []*analysis.Gram, i0, i1 int) {
	for c, g := range grams {
		for k := range s.Conv {
			s.col[k] = s.Conv[k][c][i0:i1]
		}
		var m []float64
		if s.mix != nil {
			m = s.mix[c][i0:i1]
		}
		g.AddBlock(s.col, m)
	}
}

// measureState is what the main pass adds to the checker.
type measureState struct {
	gram         *analysis.Gram   // over summable stems, in order, every channel; nil when none
	chGrams      []*analysis.Gram // the same, one per channel of the sum
	sumMeter     *loudness.Meter
	sumResult    loudness.Result
	familyMeters map[stemmaster.Role]*loudness.Meter
	familySolo   map[stemmaster.Role]*input
	familyWhole  stemmaster.Role // a family of every summable stem (several), or ""
	balance      []analysis.FamilyBalance
	nullEnergy   float64 // Σ (mix − unity sum)², as delivered
	// dcHP: an input's DC moves along its file (dcMoves), so every pass
	// after the first compares the inputs high-passed alike instead of
	// with one mean per file removed
	dcHP      bool
	mixEnergy float64
	sumStats  *sumStats // without a mix: for sumCopies
}

// measure is the main streaming pass over every readable input.
func (c *checker) measure() error {
	var ins []*input
	for _, in := range c.stems {
		if !in.failed {
			ins = append(ins, in)
		}
	}
	if c.mix != nil {
		ins = append(ins, c.mix)
	}
	streams := make([]*stream, len(ins))
	meters := make([]*loudness.Meter, len(ins))
	views := make([]audio.Buffer, len(ins))
	for i, in := range ins {
		streams[i] = newStream(in.r, BlockFrames, 0)
		in.st = newLevelStats(in.info.Format)
		if in.index >= 0 {
			// Without true peak the meter needs only the integrated
			// loudness: the sample peak is levelStats' (the same maximum
			// of the same samples).
			opt := loudness.Options{TruePeak: true}
			if c.opt.NoStemTruePeak {
				opt = loudness.Options{IntegratedOnly: true}
			}
			meters[i] = loudness.NewMeter(float64(in.srate), in.channels(), opt)
		}
		views[i].Data = make([][]float32, in.channels())
	}

	sum := c.summable()
	var sumStreams []*stream
	for i, in := range ins {
		if in.summable {
			sumStreams = append(sumStreams, streams[i])
		}
	}
	var mixStream *stream
	if c.mix != nil {
		mixStream = streams[len(streams)-1]
	}
	var sm *summer
	var sumBuf *audio.Buffer
	famMembers := map[stemmaster.Role][]int{}
	if len(sum) > 0 {
		c.chGrams = newGrams(len(sum), c.sumCh)
		c.sumMeter = loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{TruePeak: true})
		sm = newSummer(sum, c.sumCh, c.mix != nil)
		sumBuf = audio.NewBuffer(c.sumCh, BlockFrames)
		for k, in := range sum {
			famMembers[in.Role] = append(famMembers[in.Role], k)
		}
		c.familyMeters = map[stemmaster.Role]*loudness.Meter{}
		c.familySolo = map[stemmaster.Role]*input{}
		for role, ks := range famMembers {
			switch {
			case len(ks) == 1:
				c.familySolo[role] = sum[ks[0]]
			case len(ks) == len(sum):
				// Every stem is of this family: its loudness is the
				// sum's, measured once.
				c.familyWhole = role
			default:
				// Only the integrated loudness is read (advise).
				c.familyMeters[role] = loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{IntegratedOnly: true})
			}
		}
	}
	famRoles := sortedRoles(c.familyMeters)
	// The sum's meter and the families' run together (loudness.ProcessGroup,
	// the same bits as each alone): their blocks are all there at once.
	var sumMeters []*loudness.Meter
	var sumBufs []*audio.Buffer
	if sm != nil {
		sumMeters, sumBufs = []*loudness.Meter{c.sumMeter}, []*audio.Buffer{sumBuf}
		for _, role := range famRoles {
			sumMeters = append(sumMeters, c.familyMeters[role])
			sumBufs = append(sumBufs, audio.NewBuffer(c.sumCh, BlockFrames))
		}
	}
	// Without a mix the Gram serves the duplicates only: screened (see
	// dupScreen), summed whole only when the screen cannot rule a pair out.
	var screen *dupScreen
	if sm != nil && c.mix == nil {
		screen = newDupScreen(len(sum), c.sumCh)
		c.sumStats = newSumStats(len(sum))
	}

	groups := groupMeters(meters, func(i int) int { return ins[i].channels() })
	stats := func(i int) *levelStats { return ins[i].st }
	perStream := func(i int, b *audio.Buffer, n int) {
		g := groups.of[i]
		if g == nil {
			ins[i].st.add(b, n)
		}
		if meters[i] == nil {
			return
		}
		v := &views[i]
		for ch := range v.Data {
			v.Data[ch] = b.Data[ch][:n]
		}
		if g != nil {
			g.ready(meters, views, stats)
		} else if n > 0 {
			meters[i].Process(v)
		}
	}
	consume := func(slot, n int) {
		if sm == nil {
			return
		}
		sm.load(sumStreams, mixStream, slot, n, nil)
		sumBuf.SetFrames(n)
		for ch, dst := range sumBuf.Data {
			biquad.Narrow(dst, sm.Sum[ch][:n])
		}
		for f, role := range famRoles {
			famBuf := sumBufs[1+f]
			famBuf.SetFrames(n)
			for ch, dst := range famBuf.Data {
				clear(dst)
				for _, k := range famMembers[role] {
					for i, v := range sm.Conv[k][ch][:n] {
						dst[i] += float32(v)
					}
				}
			}
		}
		loudness.ProcessGroup(sumMeters, sumBufs)
		if screen != nil {
			screen.add(sm, n)
			c.sumStats.add(sm, n)
		} else {
			sm.addGrams(c.chGrams, 0, n)
		}
		if sm.mix != nil {
			var e float64
			for ch := range sm.mix {
				for i, v := range sm.mix[ch][:n] {
					d := v - sm.Sum[ch][i]
					e += d * d
				}
			}
			c.nullEnergy += e
		}
	}
	err := lockstep(c.ctx, streams, perStream, consume)
	for i, in := range ins {
		streams[i].close()
		if in.r != nil {
			c.pastHeader(in, in.r.Info()) // read to its end: a FLAC decoder has counted them now
		}
		in.r = nil
		if meters[i] != nil {
			in.res = meters[i].Result()
			in.blocks = meters[i].Blocks()
			if c.opt.NoStemTruePeak {
				in.res.SamplePeakDBFS = audio.DB(in.st.peak)
			}
		}
		if streams[i].err != nil {
			c.readFailed(in, streams[i].err)
		}
	}
	if err == nil && screen != nil {
		err = c.screenDuplicates(screen, sum, ins)
	}
	if c.chGrams != nil {
		c.gram = sumGrams(c.chGrams)
		c.mixEnergy = c.gram.MM
	}
	return err
}

// screenDuplicates leaves the Gram of the main pass empty when the screen
// rules out every pair of stems, or sums it whole (exactGrams) when not.
func (c *checker) screenDuplicates(screen *dupScreen, sum, ins []*input) error {
	energy := func(k int) float64 {
		// A mono stem feeds each channel of a stereo sum at MonoCentreGain.
		if sum[k].channels() == 1 && c.sumCh == 2 {
			return 2 * MonoCentreGain * MonoCentreGain
		}
		return 1
	}
	if !screen.candidates(sum, energy) {
		return nil
	}
	var frames int64
	for _, in := range ins {
		frames = max(frames, in.st.frames)
	}
	gs, err := c.exactGrams(sum, frames)
	if err != nil {
		return err
	}
	c.chGrams = gs
	return nil
}

// newGrams returns one empty Gram per channel.
func newGrams(stems, channels int) []*analysis.Gram {
	out := make([]*analysis.Gram, channels)
	for c := range out {
		out[c] = analysis.NewGram(stems)
	}
	return out
}

// sumGrams returns the Gram of every channel together.
func sumGrams(grams []*analysis.Gram) *analysis.Gram {
	g := analysis.NewGram(grams[0].N)
	for _, cg := range grams {
		g.Add(cg)
	}
	return g
}

// pastHeader reports the frames a file holds past the length its header
// declares, which no reader reads (audio.Info.PastFrames).
func (c *checker) pastHeader(in *input, info audio.Info) {
	past := info.Past()
	if past == "" {
		return
	}
	what := in.Name
	if in == c.mix {
		what = "the mix " + in.Name
	}
	value := float64(info.PastFrames)
	if info.PastMore {
		value = math.NaN() // uncounted: the message says "more than"
	}
	c.add(stemmaster.CodeFramesPastHeader, in.Name, value,
		fmt.Sprintf("%s: %s, which nothing reads: the check and the master end where the header says", what, past),
		fixText(stemmaster.CodeFramesPastHeader))
}

// readFailed records how a file's stream ended when it did not end
// cleanly: a truncation or non-finite samples (the decoder's reports: the
// figures hold for what was read, with those samples silenced), or a
// failure part-way (the file stays in the report with what was read, but
// its figures are partial).
func (c *checker) readFailed(in *input, err error) {
	var tr *audio.TruncatedError
	var nf *audio.NonFiniteError
	known := false
	if errors.As(err, &nf) {
		known = true
		in.nonFinite = nf
		what := in.Name
		if in == c.mix {
			what = "the mix " + in.Name
		}
		c.add(stemmaster.CodeNonFinite, in.Name, float64(nf.Count),
			fmt.Sprintf("%s holds %d NaN or infinite samples (the first at %.3f s): they are not audio, and would break any processing; this check measured the file with them silenced", what, nf.Count, nf.FirstSeconds()),
			fixText(stemmaster.CodeNonFinite))
	}
	if errors.As(err, &tr) {
		known = true
		in.truncated = tr
		in.partial = true
		what := in.Name
		if in == c.mix {
			what = "the mix " + in.Name
		}
		declared := "an unknown length"
		value := math.NaN()
		if tr.DeclaredFrames >= 0 {
			declared = fmt.Sprintf("%d frames (%.2f s)", tr.DeclaredFrames, float64(tr.DeclaredFrames)/float64(in.rate()))
			value = float64(tr.DeclaredFrames - tr.Frames)
		}
		c.add(stemmaster.CodeTruncated, in.Name, value,
			fmt.Sprintf("%s is truncated: its header declares %s but the file holds %d frames (%.2f s); the rest of the check uses what it holds", what, declared, tr.Frames, float64(tr.Frames)/float64(in.rate())),
			fixText(stemmaster.CodeTruncated))
	}
	if known {
		return
	}
	c.unreadable(in, fmt.Errorf("after %d frames: %w", in.st.frames, err))
	in.partial = true
	if in == c.mix {
		c.mix = nil
	}
}
