package lineq

import (
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/fir"
)

// HighPass is the master's rumble filter: the linear-phase high-pass of
// dsp/fir (−6 dB at the corner, its transition from half the corner to 1.5
// times it) computed as the input delayed less the matching low-pass run
// at a decimated rate. The low-pass passes nothing above 1.5 times the
// corner, so it needs a rate of only a few hundred hertz: there its
// 86 dB, one-corner-wide transition takes about a hundred taps where the
// full-rate high-pass takes 13049 (20 Hz at 48 kHz), and the FFT
// convolution's blocks and their latency go with them.
//
// The low path: an anti-alias low-pass (Kaiser, 100 dB; passband to 1.5
// times the corner, stopband from the low rate less that, so nothing
// folds onto the band the low-pass passes), decimation by D (a power of
// two, the low rate at least 16 times the corner), the low-pass at the
// low rate, and interpolation back by D through the same anti-alias
// filter, polyphase. Each of the interpolator's D phases is scaled to sum
// to exactly 1, like the decimator and the low-pass, so a constant comes
// back through the low path unchanged and the difference removes DC
// entirely, not to within a ripple. The stages' delays add to a whole
// number of frames, the delay of the direct path and the latency.
type HighPass struct {
	corner float64
	d      int       // decimation factor
	dec    []float64 // anti-alias low-pass
	low    []float64 // the low-pass at the low rate
	interp []float64 // interpolator: D rows of k taps, phase r's at r·k, oldest sample first
	k      int
	delay  int

	phase int // frames since the last low-rate sample
	// Per pair of channels (one channel's data twice for an odd last one):
	// the histories the dot products read, each the last values kept
	// before the block's new ones — the input (len(dec)−1) for the
	// decimator, the decimated input (len(low)−1) for the low-pass, and
	// the low-pass's output (k) for the interpolator.
	x, u, v [][]float64
	offs    []int     // Dot2Rows' rows and windows for a block
	lp      []float64 // the low path's output for a block, two channels interleaved
	direct  [][]float32
	dpos    int
}

// NewHighPass returns the rumble filter with its −6 dB point at corner Hz;
// Prepare designs it for the rate.
func NewHighPass(corner float64) *HighPass { return &HighPass{corner: corner} }

// rumbleAttenuationDB is what the low-pass's design asks of Kaiser's
// formulas, which fall up to 5 dB short next to the band edge: 80 dB or
// more below half the corner. The anti-alias filter asks more, so that its
// ripple and what it lets fold stay under the low-pass's.
const (
	rumbleAttenuationDB    = 86
	antiAliasAttenuationDB = 100
)

// Prepare designs the filters for the rate and allocates the state.
func (h *HighPass) Prepare(spec dsp.Spec) {
	rate := spec.SampleRate
	h.d = 1
	for rate/float64(2*h.d) >= 16*h.corner {
		h.d *= 2
	}
	low := rate / float64(h.d)
	h.low = fir.LowPass(h.corner/low, h.corner/low, rumbleAttenuationDB)
	h.dec = []float64{1}
	if h.d > 1 {
		edge := 1.5 * h.corner // the low-pass's passband ends here
		h.dec = fir.LowPass(low/2/rate, (low-2*edge)/rate, antiAliasAttenuationDB)
	}
	h.k = (len(h.dec) + h.d - 1) / h.d
	h.interp = make([]float64, h.d*h.k)
	for r := range h.d {
		// Output frame qD+r is Σ_j dec[r+jD]·v[q−j] (times D for the
		// zeros the upsampling puts between low-rate samples).
		p := h.interp[r*h.k : (r+1)*h.k]
		var sum float64
		for j := range h.k {
			if i := r + j*h.d; i < len(h.dec) {
				p[h.k-1-j] = h.dec[i]
				sum += h.dec[i]
			}
		}
		for j := range p {
			p[j] /= sum
		}
	}
	// The decimator's and the interpolator's delays, (len(dec)−1)/2 each,
	// and the low-pass's at the low rate.
	h.delay = len(h.dec) - 1 + h.d*(len(h.low)-1)/2
	n := spec.MaxBlockSize
	lows := n/h.d + 1 // low-rate samples a block can start
	ch := spec.Channels
	h.x, h.u, h.v = planes[float64](ch, len(h.dec)-1+n), planes[float64](ch, len(h.low)-1+lows), planes[float64](ch, h.k+lows)
	h.direct = planes[float32](ch, h.delay)
	h.offs = make([]int, 2*n)
	h.lp = make([]float64, 2*n)
	h.Reset()
}

// Reset clears the state.
func (h *HighPass) Reset() {
	clearPlanes(h.x, h.u, h.v)
	clearPlanes(h.direct)
	h.phase, h.dpos = 0, 0
}

// Latency is the low path's delay, which the direct path matches.
func (h *HighPass) Latency() int { return h.delay }

// Process filters buf in place, delayed by Latency frames.
func (h *HighPass) Process(buf *audio.Buffer) {
	n := buf.Frames()
	if n == 0 {
		return
	}
	for c := 0; c < len(buf.Data); c += 2 {
		c1 := min(c+1, len(buf.Data)-1)
		h.lowPath(buf.Data[c], buf.Data[c1], c, c1, n)
		h.subtract(buf.Data[c], c, 0, n)
		if c1 != c {
			h.subtract(buf.Data[c1], c1, 1, n)
		}
	}
	h.phase = (h.phase + n) % h.d
	if h.delay > 0 {
		h.dpos = (h.dpos + n) % h.delay
	}
}

// lowPath fills h.lp with the low path's output for the block of channels
// c0 and c1 (the same channel for an odd last one).
func (h *HighPass) lowPath(in0, in1 []float32, c0, c1, n int) {
	x0, x1 := h.x[c0], h.x[c1]
	u0, u1 := h.u[c0], h.u[c1]
	v0, v1 := h.v[c0], h.v[c1]
	nx, nu := len(h.dec)-1, len(h.low)-1
	for i := range n {
		x0[nx+i] = float64(in0[i])
		x1[nx+i] = float64(in1[i])
	}
	// The block's low-rate samples: at the frames whose phase is 0.
	m, r := 0, h.phase
	for i := range n {
		if r == h.d {
			r = 0
		}
		if r == 0 {
			u0[nu+m], u1[nu+m] = fir.Dot2(h.dec, x0[i:], x1[i:])
			v0[h.k+m], v1[h.k+m] = fir.Dot2(h.low, u0[m:], u1[m:])
			m++
		}
		// Frame i's window ends at the newest low-rate sample.
		h.offs[2*i], h.offs[2*i+1] = r*h.k, m
		r++
	}
	fir.Dot2Rows(h.interp, h.k, v0, v1, h.offs[:2*n], h.lp)
	copy(x0, x0[n:n+nx])
	copy(u0, u0[m:m+nu])
	copy(v0, v0[m:m+h.k])
	if c1 != c0 {
		copy(x1, x1[n:n+nx])
		copy(u1, u1[m:m+nu])
		copy(v1, v1[m:m+h.k])
	}
}

// subtract writes channel c's block, the input delayed less the low path
// (lane j of h.lp), and puts the block into the delay line.
func (h *HighPass) subtract(ch []float32, c, j, n int) {
	if h.delay == 0 {
		for i, x := range ch[:n] {
			ch[i] = float32(float64(x) - h.lp[2*i+j])
		}
		return
	}
	d, p := h.direct[c], h.dpos
	for i, x := range ch[:n] {
		ch[i] = float32(float64(d[p]) - h.lp[2*i+j])
		d[p] = x
		if p++; p == len(d) {
			p = 0
		}
	}
}
