package check

import (
	"errors"
	"fmt"
	"math"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/loudness"
)

// levelStats are the running figures of one input in the main pass.
type levelStats struct {
	frames      int64
	peak        float64
	dcSum       []float64 // Σ x per channel
	clipLevel   float32   // integer full scale (positive side); 0 for float
	isFloat     bool
	run         []int // current full-scale run per channel
	clipRuns    int
	floatOver   int
	energy      float64   // Σ L² + R² (stereo only)
	sideEnergy  float64   // Σ (L − R)² (stereo only)
	blockEnergy []float64 // Σ x² over channels, per block (for alignment)
}

func newLevelStats(f audio.Format) *levelStats {
	s := &levelStats{dcSum: make([]float64, f.Channels), run: make([]int, f.Channels)}
	if f.SampleFormat == audio.Float {
		s.isFloat = true
	} else {
		// The largest positive integer code, (2^(b−1) − 1)/2^(b−1); the
		// negative full scale is −1.
		bits := max(f.BitDepth, 2)
		s.clipLevel = float32((math.Ldexp(1, bits-1) - 1) / math.Ldexp(1, bits-1))
	}
	return s
}

// add takes the first n frames of b. It allocates only when the per-block
// energy list grows (one float64 per block).
//
// Each channel is summed in one pass (channelSums); full-scale runs are counted in a second
// pass only for a channel that reaches full scale in this block; a channel
// holding NaN (a float stem) gets its peak the builtin way, which reads NaN.
func (s *levelStats) add(b *audio.Buffer, n int) {
	if n == 0 {
		return
	}
	s.frames += int64(n)
	var blockE float64
	for c, ch := range b.Data {
		ch = ch[:n]
		sum, e, hi, lo := channelSums(ch)
		peak := max(hi, -lo)
		if sum != sum { // NaN: the builtin max carries it into the peak
			peak = 0
			for _, v := range ch {
				peak = max(peak, v, -v)
			}
		}
		switch {
		case s.isFloat:
			if hi > 1 || lo < -1 {
				for _, v := range ch {
					if v > 1 || v < -1 {
						s.floatOver++
					}
				}
			}
			// A float file can still hold a waveform flattened at
			// exactly ±1.0 (clipped in fixed point before, or by the
			// bounce): those runs are clips as in an integer file.
			if hi >= 1 || lo <= -1 {
				s.countRuns(c, ch)
			} else {
				s.run[c] = 0
			}
		case hi >= s.clipLevel || lo <= -1:
			s.countRuns(c, ch)
		default:
			// No sample reaches full scale: every run ends here.
			s.run[c] = 0
		}
		s.dcSum[c] += sum
		s.peak = max(s.peak, float64(peak))
		blockE += e
	}
	if len(b.Data) == 2 {
		l, r := b.Data[0][:n], b.Data[1][:n]
		r = r[:len(l)]
		var s0, s1 float64
		i := 0
		for ; i+2 <= len(l); i += 2 {
			d0 := float64(l[i]) - float64(r[i])
			d1 := float64(l[i+1]) - float64(r[i+1])
			s0 += d0 * d0
			s1 += d1 * d1
		}
		for ; i < len(l); i++ {
			d := float64(l[i]) - float64(r[i])
			s0 += d * d
		}
		s.sideEnergy += s0 + s1
		s.energy += blockE
	}
	s.blockEnergy = append(s.blockEnergy, blockE)
}

// channelSums returns Σx, Σx², the largest and the smallest sample of a
// channel (both 0 at the least). Two partial sums of each, over even and
// odd frames, let the processor overlap the additions (a single sum waits
// on the one before it at every sample); NaN still reaches sum.
func channelSums(ch []float32) (sum, e float64, hi, lo float32) {
	var s0, s1, e0, e1 float64
	i := 0
	for ; i+2 <= len(ch); i += 2 {
		v0, v1 := ch[i], ch[i+1]
		f0, f1 := float64(v0), float64(v1)
		s0 += f0
		s1 += f1
		e0 += f0 * f0
		e1 += f1 * f1
		if v0 > hi {
			hi = v0
		}
		if v0 < lo {
			lo = v0
		}
		if v1 > hi {
			hi = v1
		}
		if v1 < lo {
			lo = v1
		}
	}
	if i < len(ch) {
		v := ch[i]
		f := float64(v)
		s0 += f
		e0 += f * f
		if v > hi {
			hi = v
		}
		if v < lo {
			lo = v
		}
	}
	return s0 + s1, e0 + e1, hi, lo
}

// countRuns counts the runs of full-scale samples of a channel: at or
// beyond the largest code of an integer file, exactly ±1.0 in a float one
// (a float waveform above 1.0 is not flattened; floatOver reports it).
func (s *levelStats) countRuns(c int, ch []float32) {
	run := s.run[c]
	for _, v := range ch {
		if !s.isFloat && (v >= s.clipLevel || v <= -1) || s.isFloat && (v == 1 || v == -1) {
			run++
			if run == ClipRunSamples {
				s.clipRuns++
			}
		} else {
			run = 0
		}
	}
	s.run[c] = run
}

// MonoCentreGain is the gain of a mono stem in each channel of a stereo
// sum: the constant-power pan law's −3 dB centre (√½), taken from the law
// the engine places stems with (dsp.PanGains(0), whose left gain is √½
// exactly; the right one, sin π/4, is one float64 ulp under it and the same
// float32 the engine sums in). The check sums as master renders, so its
// null, its fitted gains and the gain_db fixes it suggests hold for the
// master. The check keeps its own float64 summer beside the engine's:
// it weighs each stem with fitted gains and the engine imports the check.
var MonoCentreGain, _ = dsp.PanGains(0)

// summer converts the summable stems of a block to float64, channel by
// channel in the sum's layout (a mono stem feeds every channel at
// MonoCentreGain), and builds their sum.
type summer struct {
	ch   int
	conv [][][]float64 // [stem][channel] → samples; mono stems share one slice
	mix  [][]float64   // [channel]
	sum  [][]float64
	col  [][]float64 // scratch: one channel of every stem, for Gram.AddBlock
	// the channel corrections of each stem: exchanged, per-channel sign
	swap []bool
	sign [][2]float64
}

func newSummer(stems []*input, sumCh int, withMix bool) *summer {
	s := &summer{ch: sumCh, conv: make([][][]float64, len(stems)), col: make([][]float64, len(stems)),
		swap: make([]bool, len(stems)), sign: make([][2]float64, len(stems))}
	for k, in := range stems {
		s.swap[k], s.sign[k] = in.swapped && in.channels() == 2, in.sign
		s.conv[k] = make([][]float64, sumCh)
		for c := range sumCh {
			if c > 0 && in.channels() == 1 {
				s.conv[k][c] = s.conv[k][0]
				continue
			}
			s.conv[k][c] = make([]float64, BlockFrames)
		}
	}
	s.sum = make([][]float64, sumCh)
	for c := range s.sum {
		s.sum[c] = make([]float64, BlockFrames)
	}
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
	for c := range s.sum {
		clear(s.sum[c][:n])
	}
	for k, st := range stems {
		src := st.bufs[slot].Data
		scale := 1.0
		if len(src) == 1 && s.ch == 2 {
			scale = MonoCentreGain
		}
		for c := range s.ch {
			dst := s.conv[k][c][:n]
			if c < len(src) {
				sc := c
				if s.swap[k] {
					sc = 1 - c
				}
				g := scale * s.sign[k][sc]
				for i, v := range src[sc][:n] {
					dst[i] = float64(v) * g
				}
			}
			g := 1.0
			if gains != nil {
				g = gains[k]
			}
			if g == 0 {
				continue
			}
			acc := s.sum[c][:n]
			for i, v := range dst {
				acc[i] += g * v
			}
		}
	}
	if mix != nil {
		for c := range s.ch {
			dst := s.mix[c][:n]
			for i, v := range mix.bufs[slot].Data[c][:n] {
				dst[i] = float64(v)
			}
		}
	}
}

// addGrams adds frames i0…i1−1 of the loaded block's channel c to
// grams[c].
func (s *summer) addGrams(grams []*analysis.Gram, i0, i1 int) {
	for c, g := range grams {
		for k := range s.conv {
			s.col[k] = s.conv[k][c][i0:i1]
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
	mixEnergy    float64
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
			meters[i] = loudness.NewMeter(float64(in.srate), in.channels(), loudness.Options{TruePeak: !c.opt.NoStemTruePeak})
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
	var sumBuf, famBuf *audio.Buffer
	famMembers := map[stemmaster.Role][]int{}
	if len(sum) > 0 {
		c.chGrams = newGrams(len(sum), c.sumCh)
		c.sumMeter = loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{TruePeak: true})
		sm = newSummer(sum, c.sumCh, c.mix != nil)
		sumBuf = audio.NewBuffer(c.sumCh, BlockFrames)
		famBuf = audio.NewBuffer(c.sumCh, BlockFrames)
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
				c.familyMeters[role] = loudness.NewMeter(float64(c.rate), c.sumCh, loudness.Options{})
			}
		}
	}
	famRoles := sortedRoles(c.familyMeters)

	perStream := func(i int, b *audio.Buffer, n int) {
		ins[i].st.add(b, n)
		if meters[i] != nil && n > 0 {
			v := &views[i]
			for ch := range v.Data {
				v.Data[ch] = b.Data[ch][:n]
			}
			meters[i].Process(v)
		}
	}
	consume := func(slot, n int) {
		if sm == nil {
			return
		}
		sm.load(sumStreams, mixStream, slot, n, nil)
		sumBuf.SetFrames(n)
		for ch := range sumBuf.Data {
			for i, v := range sm.sum[ch][:n] {
				sumBuf.Data[ch][i] = float32(v)
			}
		}
		c.sumMeter.Process(sumBuf)
		famBuf.SetFrames(n)
		for _, role := range famRoles {
			for ch := range famBuf.Data {
				dst := famBuf.Data[ch]
				clear(dst)
				for _, k := range famMembers[role] {
					for i, v := range sm.conv[k][ch][:n] {
						dst[i] += float32(v)
					}
				}
			}
			c.familyMeters[role].Process(famBuf)
		}
		sm.addGrams(c.chGrams, 0, n)
		if sm.mix != nil {
			var e float64
			for ch := range sm.mix {
				for i, v := range sm.mix[ch][:n] {
					d := v - sm.sum[ch][i]
					e += d * d
				}
			}
			c.nullEnergy += e
		}
	}
	err := lockstep(c.ctx, streams, perStream, consume)
	for i, in := range ins {
		streams[i].close()
		in.r = nil
		if meters[i] != nil {
			in.res = meters[i].Result()
		}
		if streams[i].err != nil {
			c.readFailed(in, streams[i].err)
		}
	}
	if c.chGrams != nil {
		c.gram = sumGrams(c.chGrams)
		c.mixEnergy = c.gram.MM
	}
	return err
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
