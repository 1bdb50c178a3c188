package loudness

import (
	"math"

	"stemmaster/dsp/fir"
)

// tpTaps is the length of each polyphase branch of the true-peak
// interpolator; tpHalf taps lie on each side of the interpolated point.
const (
	tpTaps = 32
	tpHalf = tpTaps / 2
	// tpKaiserBeta sets the Kaiser window's trade between pass-band width and
	// image rejection; 5 keeps the pass band within 0.05 dB up to 0.45·fs
	// (TestTruePeakFrequencyResponse) with about 55 dB of stop band.
	tpKaiserBeta = 5.0
	// tpRun is how many output positions share one skip decision.
	tpRun = 16
	// tpChunk is how many input frames a channel's workspace takes at a time.
	tpChunk = 4096
)

// OversamplingFactor returns the true-peak oversampling factor the meter uses
// at sampleRate: 4 below 88.2 kHz, 2 from 88.2 kHz up. BS.1770-4 Annex 2 asks
// for an effective rate of at least 176.4/192 kHz up to 96 kHz; above that
// the meter keeps 2× rather than fall back to the sample peak.
func OversamplingFactor(sampleRate float64) int {
	if sampleRate < 88200 {
		return 4
	}
	return 2
}

// FileOversampling is the true-peak oversampling stemmaster reads a
// delivered file at (a master's outputs, the meter command): twice
// OversamplingFactor, 8× at 44.1 and 48 kHz. The ceiling is a promise
// about the file as outside meters read it (ffmpeg's ebur128 at 192 kHz
// whatever the rate), and a master converted to 44.1 kHz can peak between
// the 4× points: francium's at −14 LUFS read −1.01 dBTP at 4×, −0.964 by
// ffmpeg and −0.961 by a 16× reference.
func FileOversampling(sampleRate float64) int {
	return 2 * OversamplingFactor(sampleRate)
}

// interpolator is the polyphase FIR that computes the signal between samples:
// phase p (1 ≤ p < factor) gives the value at n + p/factor from
// x[n-tpHalf+1 … n+tpHalf].
type interpolator struct {
	factor int
	phase  [][tpTaps]float64 // phases 1 … factor-1; phase 0 is the identity
	// gain bounds every phase: |y| ≤ gain · max|x| over the taps.
	gain float64
	// A tighter bound for smooth signals: every phase is linear
	// interpolation between x[n] and x[n+1] plus a filter on the second
	// difference D2[m] = x[m-1] - 2x[m] + x[m+1] inside the window, plus a
	// remainder on the last two taps (from rounding and the window's small
	// error in reproducing straight lines), so
	// |y| ≤ max(|x[n]|, |x[n+1]|) + curve·max|D2| + rest·max|x|.
	curve, rest float64
}

func newInterpolator(factor int) *interpolator {
	ip := &interpolator{factor: factor, phase: make([][tpTaps]float64, factor-1)}
	win := fir.NewKaiser(tpKaiserBeta)
	for p := 1; p < factor; p++ {
		d := float64(p) / float64(factor)
		c := &ip.phase[p-1]
		var sum float64
		for j := range tpTaps {
			t := float64(j-tpHalf+1) - d // distance from the interpolated point
			c[j] = fir.Sinc(t) * win.At(t/tpHalf)
			sum += c[j]
		}
		// Unity gain at DC, so low-frequency peaks read exactly.
		var g float64
		for j := range c {
			c[j] /= sum
			g += math.Abs(c[j])
		}
		ip.gain = max(ip.gain, g)
		e, r := secondDifferenceSplit(c, d)
		ip.curve = max(ip.curve, e)
		ip.rest = max(ip.rest, r)
	}
	// Rounding in the filter sums must never make a skipped run exceed the
	// bound; the margin is far above float64 rounding and far below 0.001 dB.
	ip.gain *= 1 + 1e-9
	ip.curve *= 1 + 1e-9
	ip.rest = ip.rest*(1+1e-9) + 1e-12
	return ip
}

// secondDifferenceSplit writes c - lin, lin being linear interpolation at
// offset d between taps tpHalf-1 and tpHalf, as e * [1, -2, 1] + r, with r
// nonzero on the last two taps only, and returns Σ|e| and Σ|r|.
func secondDifferenceSplit(c *[tpTaps]float64, d float64) (curve, rest float64) {
	var dev [tpTaps]float64
	copy(dev[:], c[:])
	dev[tpHalf-1] -= 1 - d
	dev[tpHalf] -= d
	// e is the double running sum of dev; take it up to tap tpTaps-3 and
	// leave what it does not explain as the remainder.
	var e [tpTaps - 2]float64
	var s1, s2 float64
	for j := range e {
		s1 += dev[j]
		s2 += s1
		e[j] = s2
	}
	r := dev
	for j, v := range e {
		r[j] -= v
		r[j+1] += 2 * v
		r[j+2] -= v
	}
	for _, v := range e {
		curve += math.Abs(v)
	}
	for _, v := range r {
		rest += math.Abs(v)
	}
	return curve, rest
}

// tpHist is how many past frames a channel keeps: the interpolated points
// between them and the next chunk still need them.
const tpHist = tpTaps - 1

// process relies on a chunk starting on a bookkeeping block of scan, which
// holds when tpHalf == tpRun; this fails to compile otherwise.
const _ = uint(tpHalf-tpRun) + uint(tpRun-tpHalf)

// truePeak is one channel's oversampling peak detector.
type truePeak struct {
	ip   *interpolator
	ws   []float64 // tpHist past frames, then the current chunk
	bmax []float64 // max |x| per block of ws (see scan)
	dmax []float64 // max |second difference| per block of ws
	peak float64   // largest |value| so far, linear
}

func newTruePeak(ip *interpolator) *truePeak {
	n := tpHist + tpChunk
	return &truePeak{
		ip:   ip,
		ws:   make([]float64, n, n+tpHalf),
		bmax: make([]float64, n/tpRun+3),
		dmax: make([]float64, n/tpRun+3),
	}
}

func (t *truePeak) reset() {
	clear(t.ws[:tpHist])
	t.peak = 0
}

// process takes up to tpChunk frames and returns their sample peak, which
// is also a true-peak value (phase 0 is the identity). It converts the frames
// to float64 and takes the largest |x| of each bookkeeping block of scan in
// the same pass: the chunk starts at block 1 (tpHist = tpHalf-1 + tpRun).
func (t *truePeak) process(x []float32) float64 {
	ws := t.ws[:tpHist+len(x)]
	var chunkPeak float64
	j, b := 0, 2
	if peakAccelerated {
		// Whole runs through the kernel, which does what the loop below does.
		runs := len(x) / tpRun
		tpLoad(x[:runs*tpRun], ws[tpHist:tpHist+runs*tpRun], t.bmax[b:b+runs])
		for _, m := range t.bmax[b : b+runs] {
			chunkPeak = max2(chunkPeak, m)
		}
		j, b = runs*tpRun, b+runs
	}
	for ; j < len(x); j, b = j+tpRun, b+1 {
		var m float64
		for i, v := range x[j:min(j+tpRun, len(x))] {
			f := float64(v)
			ws[tpHist+j+i] = f
			m = max2(m, math.Abs(f))
		}
		t.bmax[b] = m
		chunkPeak = max2(chunkPeak, m)
	}
	t.peak = max(t.peak, chunkPeak)
	t.scan(ws, 2)
	copy(ws, ws[len(ws)-tpHist:])
	return chunkPeak
}

// scan interpolates around every centre i of ws whose window
// ws[i-tpHalf+1 … i+tpHalf] lies inside ws, skipping runs of tpRun centres
// whose interpolated values provably cannot exceed the peak found so far.
//
// Block b ≥ 0 of the bookkeeping holds ws[tpHalf-1+b·tpRun …] (the centres
// of run b); block -1 holds the tpHalf-1 frames before. The windows of run r
// lie in blocks r-1 … r+1; bmax and dmax hold, shifted by one, the largest
// |x| and |second difference| of each block.
//
// Blocks from ready on have their bmax filled in already.
//
// Both bounds are taken for every run, without a branch on either: the
// skip is the common case, and which of the two bounds decides it varies
// from run to run, too irregularly for the processor to predict. Every
// block's second differences are taken in one pass for the same reason.
func (t *truePeak) scan(ws []float64, ready int) {
	const a = tpHalf - 1
	last := len(ws) - 1 - tpHalf // last centre
	if last < a {
		return
	}
	runs := (last-a)/tpRun + 1
	nb := runs + 2
	bmax, dmax := t.bmax[:nb], t.dmax[:nb]
	for b := range min(ready, nb) {
		lo, hi := blockSpan(b, len(ws))
		var m float64
		for _, v := range ws[lo:hi] {
			m = max2(m, math.Abs(v))
		}
		bmax[b] = m
	}
	secondDifferences(ws, dmax)
	ip := t.ip
	gain, curve, rest := ip.gain, ip.curve, ip.rest
	peak := t.peak
	for r := range runs {
		c0 := a + r*tpRun
		c1 := min(c0+tpRun-1, last)
		m := maxBits(bmax[r], maxBits(bmax[r+1], bmax[r+2]))
		// |y| ≤ gain·max|x|, and
		// |y| ≤ max(|x[n]|, |x[n+1]|) + curve·max|D2| + rest·max|x|.
		near := max(bmax[r+1], math.Abs(ws[c1+1]))
		d := maxBits(dmax[r], maxBits(dmax[r+1], dmax[r+2]))
		if b2u(m*gain <= peak)|b2u(near+curve*d+rest*m <= peak) != 0 {
			continue
		}
		t.peak = peak
		t.interpolate(ws, c0, c1)
		peak = t.peak
	}
	t.peak = peak
}

// secondDifferences sets dmax[b] to secondDifferenceMax(ws, b) for every
// block b < len(dmax), the whole blocks with both neighbours in ws in one
// kernel call where there is one.
func secondDifferences(ws, dmax []float64) {
	const a = tpHalf - 1
	b := 0
	if peakAccelerated {
		// Blocks 1 … whole-1 are whole (block b spans frames
		// a+(b-1)·tpRun … a+b·tpRun-1) and have the frame after them.
		whole := min(len(dmax), (len(ws)-1-a)/tpRun+1)
		if whole > 1 {
			dmax[0] = secondDifferenceMax(ws, 0)
			d2Blocks(ws[a-1:], dmax[1:whole])
			b = whole
		}
	}
	for ; b < len(dmax); b++ {
		dmax[b] = secondDifferenceMax(ws, b)
	}
}

// maxBits is the larger of two values known to be neither negative nor
// NaN, by their bits (which order such values as their values), so that
// it compiles to a conditional move rather than a branch.
func maxBits(x, y float64) float64 {
	return math.Float64frombits(max(math.Float64bits(x), math.Float64bits(y)))
}

// b2u is 1 for true and 0 for false, without a branch.
func b2u(b bool) uint {
	if b {
		return 1
	}
	return 0
}

// blockSpan returns the frames lo…hi-1 of ws in bookkeeping block b of scan
// (b is shifted by one: b = 0 is block -1).
func blockSpan(b, n int) (lo, hi int) {
	const a = tpHalf - 1
	if b == 0 {
		return 0, min(a, n)
	}
	lo = a + (b-1)*tpRun
	return min(lo, n), min(lo+tpRun, n)
}

// secondDifferenceMax returns the largest |x[k-1] - 2x[k] + x[k+1]| over
// the frames k of block b that have both neighbours in ws.
func secondDifferenceMax(ws []float64, b int) float64 {
	lo, hi := blockSpan(b, len(ws))
	if peakAccelerated && lo >= 1 && hi-lo == tpRun && hi < len(ws) {
		// A whole block with both neighbours: the kernel does the loop below.
		return d2Max((*[tpRun + 2]float64)(ws[lo-1 : hi+1]))
	}
	var d float64
	for k := max(lo, 1); k < min(hi, len(ws)-1); k++ {
		d = max2(d, math.Abs(ws[k-1]-2*ws[k]+ws[k+1]))
	}
	return d
}

// max2 is max for values known not to be NaN, without the builtin's
// NaN and signed-zero handling.
func max2(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// interpolate computes every phase around centres c0…c1 of ws.
func (t *truePeak) interpolate(ws []float64, c0, c1 int) {
	peak := t.peak
	for p := range t.ip.phase {
		c := &t.ip.phase[p]
		for i := c0; i <= c1; i++ {
			w := (*[tpTaps]float64)(ws[i-tpHalf+1 : i+tpHalf+1])
			var a0, a1, a2, a3 float64
			for j := 0; j < tpTaps; j += 4 {
				a0 += c[j] * w[j]
				a1 += c[j+1] * w[j+1]
				a2 += c[j+2] * w[j+2]
				a3 += c[j+3] * w[j+3]
			}
			peak = max(peak, math.Abs((a0+a1)+(a2+a3)))
		}
	}
	t.peak = peak
}

// pending returns the peak including the points that still wait for future
// frames, computed as if the programme ended here (silence follows), without
// changing the state.
func (t *truePeak) pending() float64 {
	ws := t.ws[:tpHist+tpHalf]
	clear(ws[tpHist:])
	saved := t.peak
	t.scan(ws, len(ws))
	p := t.peak
	t.peak = saved
	return p
}
