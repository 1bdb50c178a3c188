package check

import (
	"math"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// levelStats are the running figures of one input in the main pass.
type levelStats struct {
	frames    int64
	peak      float64
	dcSum     []float64 // Σ x per channel
	clipLevel float32   // integer full scale (positive side); 0 for float
	isFloat   bool
	run       []int // current full-scale run per channel
	clipRuns  int
	fullScale int64 // samples at full scale, in runs or not
	// ext holds each channel's positive and negative extremes (flatPeaks)
	ext         []struct{ hi, lo extreme }
	floatOver   int
	energy      float64     // Σ L² + R² (stereo only)
	sideEnergy  float64     // Σ (L − R)² (stereo only)
	blockEnergy []float64   // Σ x² over channels, per block (for alignment)
	blockSums   []float64   // Σ x per block and channel, channels interleaved (dcProfile)
	trunc       *truncation // a low-bit integer stem's evidence of truncation; nil otherwise
}

func newLevelStats(f audio.Format) *levelStats {
	s := &levelStats{dcSum: make([]float64, f.Channels), run: make([]int, f.Channels), ext: make([]struct{ hi, lo extreme }, f.Channels), trunc: newTruncation(f)}
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
// The sums of a stereo block (each channel's Σx and Σx², and Σ(L − R)²)
// are taken in one pass (stereoSums), a mono one's by channelSums; the
// peak comes from the meters' kernel (loudness.PeakAbs). Full-scale runs
// are counted in a second pass only for a channel whose peak reaches full
// scale in this block. A block whose sum is NaN (a float stem holding NaN
// or both infinities) takes its extremes the plain way.
func (s *levelStats) add(b *audio.Buffer, n int) {
	if n == 0 {
		return
	}
	if len(b.Data) == 2 {
		st := stereoSums(b.Data[0][:n], b.Data[1][:n])
		s.addSums(b, n, &st)
		return
	}
	s.addSums(b, n, nil)
}

// addPair is add for two stereo blocks of one length, their sums taken in
// one pass (stereoSums2): the same figures as adding each.
func addPair(s0, s1 *levelStats, b0, b1 *audio.Buffer, n int) {
	if n == 0 {
		return
	}
	st0, st1 := stereoSums2(b0.Data[0][:n], b0.Data[1][:n], b1.Data[0][:n], b1.Data[1][:n])
	s0.addSums(b0, n, &st0)
	s1.addSums(b1, n, &st1)
}

// addSums is add with a stereo block's sums (st: Σ L, Σ L², Σ R, Σ R²,
// Σ (L − R)²) taken; nil for a mono block (n > 0).
func (s *levelStats) addSums(b *audio.Buffer, n int, st *[5]float64) {
	s.frames += int64(n)
	stereo := st != nil
	var blockE float64
	for c, ch := range b.Data {
		ch = ch[:n]
		var sum, e float64
		if stereo {
			sum, e = st[2*c], st[2*c+1]
		} else {
			sum, e = channelSums(ch)
		}
		// Beyond full scale on either side is beyond it in magnitude, so
		// the peak stands for both extremes; for an integer stem it may
		// send a channel whose lowest sample is −clipLevel to countRuns,
		// which then counts no run, as below.
		peak := loudness.PeakAbs(ch)
		hi, lo := peak, -peak
		if sum != sum { // NaN: the peak is NaN, the extremes skip it
			hi, lo = extremes(ch)
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
		// Only a block that reaches the lower of the channel's two
		// extremes so far can move or repeat either.
		if e := &s.ext[c]; peak >= min(e.hi.v, e.lo.v) {
			e.hi.scan(ch, 1)
			e.lo.scan(ch, -1)
		} else {
			e.hi.run, e.lo.run = 0, 0
			e.hi.prev, e.lo.prev = ch[n-1], -ch[n-1]
		}
		s.dcSum[c] += sum
		s.blockSums = append(s.blockSums, sum)
		s.peak = max(s.peak, float64(peak))
		blockE += e
	}
	if stereo {
		s.sideEnergy += st[4]
		s.energy += blockE
	}
	s.blockEnergy = append(s.blockEnergy, blockE)
	if s.trunc != nil {
		s.trunc.add(b, n, blockE)
	}
}

// channelSums returns Σx and Σx² of a channel. Two partial sums of each,
// over even and odd frames, let the processor overlap the additions (a
// single sum waits on the one before it at every sample); NaN still
// reaches sum. The conversions of the products keep the compiler from
// fusing them into the additions, so every machine sums the same bits.
func channelSums(ch []float32) (sum, e float64) {
	var s0, s1, e0, e1 float64
	i := 0
	for ; i+2 <= len(ch); i += 2 {
		f0, f1 := float64(ch[i]), float64(ch[i+1])
		s0 += f0
		s1 += f1
		e0 += float64(f0 * f0)
		e1 += float64(f1 * f1)
	}
	if i < len(ch) {
		f := float64(ch[i])
		s0 += f
		e0 += float64(f * f)
	}
	return s0 + s1, e0 + e1
}

// stereoSums returns Σ L, Σ L², Σ R, Σ R² and Σ (L − R)² of a stereo block
// (len(r) ≥ len(l)), each as channelSums sums: even and odd frames apart,
// the last odd frame with the even ones, then the two added.
func stereoSums(l, r []float32) [5]float64 {
	r = r[:len(l)]
	k := len(l) &^ 1
	var lanes [5][2]float64 // even, odd
	if k > 0 {
		stereoLanes(l[:k], r[:k], &lanes)
	}
	return finishStereo(l, r, k, &lanes)
}

// stereoSums2 is stereoSums of two stereo blocks of one length, both in
// one pass (stereoLanes2): the same bits as each alone.
func stereoSums2(l0, r0, l1, r1 []float32) (st0, st1 [5]float64) {
	n := len(l0)
	r0, l1, r1 = r0[:n], l1[:n], r1[:n]
	k := n &^ 1
	var lanes [2][5][2]float64
	if k > 0 {
		stereoLanes2(l0[:k], r0[:k], l1[:k], r1[:k], &lanes)
	}
	return finishStereo(l0, r0, k, &lanes[0]), finishStereo(l1, r1, k, &lanes[1])
}

// finishStereo adds the last frame of an odd block (from k) to the even
// lanes and returns each sum, its even and odd lanes added.
func finishStereo(l, r []float32, k int, lanes *[5][2]float64) [5]float64 {
	if k < len(l) {
		a, b := float64(l[k]), float64(r[k])
		d := a - b
		lanes[0][0] += a
		lanes[1][0] += float64(a * a)
		lanes[2][0] += b
		lanes[3][0] += float64(b * b)
		lanes[4][0] += float64(d * d)
	}
	var out [5]float64
	for j, v := range lanes {
		out[j] = v[0] + v[1]
	}
	return out
}

// stereoLanesGo is stereoLanes in plain Go: len(l) == len(r), even.
func stereoLanesGo(l, r []float32, lanes *[5][2]float64) {
	r = r[:len(l)]
	for i := 0; i+2 <= len(l); i += 2 {
		for j := range 2 {
			a, b := float64(l[i+j]), float64(r[i+j])
			d := a - b
			lanes[0][j] += a
			lanes[1][j] += float64(a * a)
			lanes[2][j] += b
			lanes[3][j] += float64(b * b)
			lanes[4][j] += float64(d * d)
		}
	}
}

// extremes returns the largest and the smallest sample of a channel (both
// 0 at the least), passing over NaN.
func extremes(ch []float32) (hi, lo float32) {
	for _, v := range ch {
		if v > hi {
			hi = v
		}
		if v < lo {
			lo = v
		}
	}
	return hi, lo
}

// countRuns counts the runs of full-scale samples of a channel: at or
// beyond the largest code of an integer file, exactly ±1.0 in a float one
// (a float waveform above 1.0 is not flattened; floatOver reports it), and
// every sample at full scale.
func (s *levelStats) countRuns(c int, ch []float32) {
	run := s.run[c]
	for _, v := range ch {
		if !s.isFloat && (v >= s.clipLevel || v <= -1) || s.isFloat && (v == 1 || v == -1) {
			run++
			s.fullScale++
			if run == ClipRunSamples {
				s.clipRuns++
			}
		} else {
			run = 0
		}
	}
	s.run[c] = run
}

// extreme is one side of a channel's range: its largest value so far
// (the negative side's negated), how many samples sit exactly there, how
// many of those lie in runs of two or more, and how many such runs there
// are and how many of them the waveform entered sharply (sharpEntry).
type extreme struct {
	v           float32
	n, inRuns   int64
	runs, sharp int64
	run         int
	prev, entry float32 // the sample before this one; the one before the run
}

func (x *extreme) add(v float32) {
	switch {
	case v > x.v:
		x.v, x.n, x.inRuns, x.run = v, 1, 0, 1
		x.runs, x.sharp, x.entry = 0, 0, x.prev
	case v == x.v:
		if x.run == 0 {
			x.entry = x.prev
		}
		x.n++
		x.run++
		if x.run == 2 {
			x.inRuns += 2
			x.runs++
			if sharpEntry(x.entry, v) {
				x.sharp++
			}
		} else if x.run > 2 {
			x.inRuns++
		}
	default:
		x.run = 0
	}
	x.prev = v
}

// scan adds every sample of ch times sign (1, or −1 for the negative
// side) in order, the same as add of each. A sample under x.v only ends
// the run and becomes prev, so the loop looks for those at or over it (a
// NaN among them, which add takes as under) and gives add the one before
// when it was skipped.
func (x *extreme) scan(ch []float32, sign float32) {
	last := -1 // the last sample add took
	for i, v := range ch {
		if v *= sign; v < x.v {
			continue
		}
		if last != i-1 { // i > 0: the sample before was under x.v
			x.run, x.prev = 0, sign*ch[i-1]
		}
		x.add(v)
		last = i
	}
	if n := len(ch); last != n-1 {
		x.run, x.prev = 0, sign*ch[n-1]
	}
}

// sharpEntry tells a flat run at level v entered from e the way a clip
// enters it: from the same side, at half the level or more (a square
// wave's or a gated DC's run starts with a jump from the other side or
// from silence), and more than FlatEntryShare of the level under it (a
// smooth crest, or a filtered square settling on its top code, comes to
// its level by a step far smaller: the waveform's slope dies there, while
// a clip cuts it off at full speed).
func sharpEntry(e, v float32) bool {
	return e >= v/2 && v-e > v*FlatEntryShare
}

// FlatEntryShare is the smallest step, as a share of the level, by which
// a waveform enters a flat run for the run to be a clip's: a crest of a
// 100 Hz tone at 48 kHz comes within 2⁻¹² of its top over the samples
// either side of it, while a vocal clipped 1 dB under its peak enters the
// clip by about 1 % of the level per sample, 10 dB under its peak by 4 %.
const FlatEntryShare = 1.0 / 1024

// flatPeaks returns the samples that sit exactly at their channel's
// positive or negative extreme, where that lies under full scale, and how
// many of them lie in runs of two or more (and how many runs, how many of
// them entered sharply: extreme): a waveform clipped and then
// turned down keeps its flattened peaks, all at one level, some of them
// wider than a sample, while a clean peak is reached once and a hard
// limiter's ceiling is met by single samples (its gain moves smoothly).
func (s *levelStats) flatPeaks() (at, inRuns int64, level float64, runs, sharp int64) {
	full := float32(1)
	if !s.isFloat {
		full = s.clipLevel
	}
	for _, e := range s.ext {
		for _, x := range []extreme{e.hi, e.lo} {
			if x.v > 0 && x.v < full {
				at += x.n
				inRuns += x.inRuns
				runs += x.runs
				sharp += x.sharp
				level = max(level, float64(x.v))
			}
		}
	}
	return at, inRuns, level, runs, sharp
}
