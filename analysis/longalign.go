package analysis

import (
	"math"
	"sort"

	"stemmaster/dsp/fir"
)

// Long offsets.
//
// Align searches ±2 s at the full rate's resolution. An export from the
// wrong start marker is off by seconds (a bar, a count-in, a pre-roll), so
// a stem that Align cannot place is searched again over ±MaxLongSeconds
// against the whole mix decimated by LongDecimation: the mix is decimated
// once, while it streams (Decimator), and each such stem's loudest excerpt
// is correlated with it by the same weighted phase transform. The lag
// found is good to a few decimated samples; JointWindow makes it exact.

// Long-offset search parameters.
const (
	// LongDecimation is the decimation factor of the long search: 3 kHz
	// at 48 kHz keeps a bass line's and a kick's fundamentals and the
	// envelope of everything above.
	LongDecimation = 16
	// LongRadius is the radius, in full-rate samples, that the joint
	// refinement needs around a lag from the long search.
	LongRadius = 3 * LongDecimation
)

// Decimator decimates a stream of mono samples by LongDecimation, block
// by block, into two views: the waveform (low-passed) and the envelope of
// its top octaves (see highEnvelope). Sample j of a view is centred on
// input sample j·LongDecimation.
type Decimator struct {
	h         []float64
	hist      []float32 // the last len(h)−1 inputs of each view, then the new block
	envHist   []float32
	prev      [2]float32 // the last two raw inputs, for the second difference
	n         int64      // inputs taken
	hb        int64      // the input index of hist[0]
	Low, Env  []float32  // the decimated views so far
	envOffset float64    // running mean of the envelope, removed at the end
}

// NewDecimator returns an empty Decimator.
func NewDecimator() *Decimator {
	half := 2 * LongDecimation
	h, sum := fir.BlackmanSinc(half, 0.45/LongDecimation)
	for i := range h {
		h[i] /= sum
	}
	return &Decimator{h: h, hist: make([]float32, half), envHist: make([]float32, half), hb: -int64(half)}
}

// Add takes the next samples.
func (d *Decimator) Add(x []float32) {
	half := int64(len(d.h) / 2)
	p0, p1 := d.prev[0], d.prev[1]
	for _, v := range x {
		e := v - 2*p1 + p0
		if e < 0 {
			e = -e
		}
		d.envHist = append(d.envHist, e)
		d.envOffset += float64(e)
		p0, p1 = p1, v
	}
	d.prev = [2]float32{p0, p1}
	d.hist = append(d.hist, x...)
	d.n += int64(len(x))
	// hist[0] is input hb; output j is centred on input j·D and needs
	// inputs up to j·D + half.
	for {
		c := int64(len(d.Low)) * LongDecimation
		if c+half >= d.n {
			break
		}
		k0 := c - half - d.hb
		var s, se float64
		for i, hv := range d.h {
			k := k0 + int64(i)
			s += hv * float64(d.hist[k])
			se += hv * float64(d.envHist[k])
		}
		d.Low = append(d.Low, float32(s))
		d.Env = append(d.Env, float32(se))
	}
	// Keep only what the next output needs.
	first := int64(len(d.Low))*LongDecimation - half
	if drop := first - d.hb; drop > 0 {
		d.hist = append(d.hist[:0], d.hist[drop:]...)
		d.envHist = append(d.envHist[:0], d.envHist[drop:]...)
		d.hb = first
	}
}

// Finish removes the envelope's mean (so that a correlation sees its
// movement, not its level) and returns the two views.
func (d *Decimator) Finish() (low, env []float32) {
	if d.n > 0 {
		m := float32(d.envOffset / float64(d.n))
		for i := range d.Env {
			d.Env[i] -= m
		}
	}
	return d.Low, d.Env
}

// LongCandidate is a lag the long search offers and its weighted
// phase-transform peak.
type LongCandidate struct {
	Lag  int
	Peak float64
}

// LongAlign finds candidate lags of a stem excerpt x (mono, full rate;
// x[i] is the stem's frame start+i) against the mix's decimated views
// (low and env from a Decimator over the whole mix), over lags
// −maxLag…maxLag: the n highest peaks of each view, strongest first. Each
// lag is good to a few decimated samples: refine it with JointWindow.
// Music that repeats peaks at every bar, so the joint fit, not the peak's
// height, chooses among them.
func LongAlign(x []float32, start int64, low, env []float32, maxLag, n int) []LongCandidate {
	const D = LongDecimation
	mlD := (maxLag + D - 1) / D
	span := 2 * mlD
	// One transform holds the whole decimated excerpt against the stretch
	// of the mix it can meet (a phat chunk is (size−span)/2 long): the
	// transform grows with the range searched and the excerpt, no further.
	xdLen := (len(x) + D - 1) / D
	size := 1 << 10
	for (size-span)/2 < xdLen {
		size <<= 1
	}
	j0 := start/D - int64(mlD)
	var out []LongCandidate
	for v, view := range [][]float32{low, env} {
		xs := x
		if v == 1 {
			xs = highEnvelope(x)
		}
		xd := decimate(xs, D)
		ref := make([]float32, len(xd)+span)
		for i := range ref {
			if j := j0 + int64(i); j >= 0 && j < int64(len(view)) {
				ref[i] = view[j]
			}
		}
		p := newPHATSize(xd, span, size)
		c, ok := p.correlate(ref)
		if !ok {
			continue
		}
	next:
		for _, m := range topPeaks(c, n, LongRadius/D) {
			// xd[i] is the stem's frame start + i·D; ref[i+m] the mix's
			// frame (j0+i+m)·D.
			lag := int(start - (j0+int64(m))*D)
			for _, o := range out {
				if absInt(o.Lag-lag) <= LongRadius {
					continue next
				}
			}
			out = append(out, LongCandidate{Lag: lag, Peak: c[m]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return math.Abs(out[i].Peak) > math.Abs(out[j].Peak) })
	return out
}
