package loudness

import "math"

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

// interpolator is the polyphase FIR that computes the signal between samples:
// phase p (1 ≤ p < factor) gives the value at n + p/factor from
// x[n-tpHalf+1 … n+tpHalf].
type interpolator struct {
	factor int
	phase  [][tpTaps]float64 // phases 1 … factor-1; phase 0 is the identity
	// gain bounds every phase: |y| ≤ gain · max|x| over the taps.
	gain float64
}

func newInterpolator(factor int) *interpolator {
	ip := &interpolator{factor: factor, phase: make([][tpTaps]float64, factor-1)}
	i0 := besselI0(tpKaiserBeta)
	for p := 1; p < factor; p++ {
		d := float64(p) / float64(factor)
		c := &ip.phase[p-1]
		var sum float64
		for j := range tpTaps {
			t := float64(j-tpHalf+1) - d // distance from the interpolated point
			r := t / tpHalf
			w := besselI0(tpKaiserBeta*math.Sqrt(max(0, 1-r*r))) / i0
			c[j] = sinc(t) * w
			sum += c[j]
		}
		// Unity gain at DC, so low-frequency peaks read exactly.
		var g float64
		for j := range c {
			c[j] /= sum
			g += math.Abs(c[j])
		}
		ip.gain = max(ip.gain, g)
	}
	// Rounding in the filter sums must never make a skipped run exceed the
	// bound; the margin is far above float64 rounding and far below 0.001 dB.
	ip.gain *= 1 + 1e-9
	return ip
}

func sinc(t float64) float64 {
	if t == 0 {
		return 1
	}
	return math.Sin(math.Pi*t) / (math.Pi * t)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by its
// power series (converges quickly for the small arguments of a Kaiser window).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 100; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// tpHist is how many past frames a channel keeps: the interpolated points
// between them and the next chunk still need them.
const tpHist = tpTaps - 1

// truePeak is one channel's oversampling peak detector.
type truePeak struct {
	ip   *interpolator
	ws   []float64 // tpHist past frames, then the current chunk
	bmax []float64 // max |x| per tpRun frames of ws
	peak float64   // largest |value| so far, linear
}

func newTruePeak(ip *interpolator) *truePeak {
	n := tpHist + tpChunk
	return &truePeak{
		ip:   ip,
		ws:   make([]float64, n, n+tpHalf),
		bmax: make([]float64, (n+tpHalf)/tpRun+3),
	}
}

func (t *truePeak) reset() {
	clear(t.ws[:tpHist])
	t.peak = 0
}

// process takes up to tpChunk frames; chunkPeak is their sample peak, which
// is also a true-peak value (phase 0 is the identity).
func (t *truePeak) process(x []float32, chunkPeak float64) {
	t.peak = max(t.peak, chunkPeak)
	ws := t.ws[:tpHist+len(x)]
	for i, v := range x {
		ws[tpHist+i] = float64(v)
	}
	t.scan(ws)
	copy(ws, ws[len(ws)-tpHist:])
}

// scan interpolates around every centre i of ws whose window
// ws[i-tpHalf+1 … i+tpHalf] lies inside ws, skipping runs of centres where
// gain·max|x| over their windows cannot exceed the peak found so far.
func (t *truePeak) scan(ws []float64) {
	nb := (len(ws) + tpRun - 1) / tpRun
	bmax := t.bmax[:nb]
	for b := range bmax {
		lo, hi := b*tpRun, min((b+1)*tpRun, len(ws))
		var m float64
		for _, v := range ws[lo:hi] {
			m = max(m, math.Abs(v))
		}
		bmax[b] = m
	}
	first, last := tpHalf-1, len(ws)-1-tpHalf // centres
	gain := t.ip.gain
	for r := 0; first+r*tpRun <= last; r++ {
		c0 := first + r*tpRun
		c1 := min(c0+tpRun-1, last)
		// The windows of centres c0…c1 span ws[c0-tpHalf+1 … c1+tpHalf],
		// that is ws[r·tpRun …], inside blocks r … r+(tpRun+tpTaps-2)/tpRun.
		var m float64
		for b := r; b <= min(r+(tpRun+tpTaps-2)/tpRun, nb-1); b++ {
			m = max(m, bmax[b])
		}
		if m*gain <= t.peak {
			continue
		}
		t.interpolate(ws, c0, c1)
	}
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
	t.scan(ws)
	p := t.peak
	t.peak = saved
	return p
}
