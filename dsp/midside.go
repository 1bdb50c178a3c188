package dsp

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/internal/vec"
)

// Channel selections of a processor on a stereo pair, as written in
// session files (`channel: mid|side`; empty or "stereo" is both channels).
const (
	ChannelStereo = "stereo"
	ChannelMid    = "mid"
	ChannelSide   = "side"
)

// MidSide runs a one-channel processor on the mid (M = (L + R)/2) or the
// side (S = (L − R)/2) of a stereo buffer and decodes back (L = M + S,
// R = M − S). The encode and decode are exact: the part of M and S that
// float32 cannot hold is kept in float64 beside the processed channel and
// added back, so with an identity processor the output equals the input
// bit for bit (the null test), and otherwise the processor sees M or S
// rounded once to float32. The other of the two passes untouched.
type MidSide struct {
	inner   Processor
	side    bool
	view    audio.Buffer // one-channel view of the processed part
	rest    []float64    // the untouched part, float64, per frame of a block
	resid   []float64    // float64 − float32 of the processed part
	scratch []float32
	keyPart []float32    // ProcessSidechain: the key's mid or side
	keyView audio.Buffer // one-channel view of keyPart
}

var _ Processor = (*MidSide)(nil)

// NewMidSide wraps inner (prepared for one channel) to work on the mid or
// side of a stereo buffer; channel must be ChannelMid or ChannelSide.
func NewMidSide(inner Processor, channel string) *MidSide {
	if channel != ChannelMid && channel != ChannelSide {
		panic(fmt.Sprintf("dsp: NewMidSide with channel %q", channel))
	}
	return &MidSide{inner: inner, side: channel == ChannelSide, view: audio.Buffer{Data: make([][]float32, 1)}, keyView: audio.Buffer{Data: make([][]float32, 1)}}
}

// Inner returns the wrapped processor.
func (m *MidSide) Inner() Processor { return m.inner }

// Prepare prepares the inner processor for one channel; spec must be stereo.
func (m *MidSide) Prepare(spec Spec) {
	if spec.Channels != 2 {
		panic(fmt.Sprintf("dsp: MidSide needs 2 channels, prepared with %d", spec.Channels))
	}
	m.rest = make([]float64, spec.MaxBlockSize)
	m.resid = make([]float64, spec.MaxBlockSize)
	m.scratch = make([]float32, spec.MaxBlockSize)
	m.keyPart = make([]float32, spec.MaxBlockSize)
	m.inner.Prepare(Spec{SampleRate: spec.SampleRate, MaxBlockSize: spec.MaxBlockSize, Channels: 1})
}

// Reset resets the inner processor.
func (m *MidSide) Reset() { m.inner.Reset() }

// Latency is the inner processor's. The untouched part is not delayed, so
// a processor with latency must not be wrapped (the engine wraps only
// zero-latency EQs and compressors).
func (m *MidSide) Latency() int { return m.inner.Latency() }

// MidSideFuser is a one-channel processor that can run on the mid or the
// side of a stereo pair itself, with MidSide's encode and decode fused
// into its own loop and the same bits as MidSide's passes around its
// Process: ProcessMidSide processes l, r in place and reports whether it
// did (false leaves them untouched, and MidSide runs the passes).
type MidSideFuser interface {
	ProcessMidSide(l, r []float32, side bool) bool
}

// Process encodes, runs the inner processor on mid or side, and decodes
// (in one pass where the inner processor is a MidSideFuser that can).
func (m *MidSide) Process(buf *audio.Buffer) {
	if f, ok := m.inner.(MidSideFuser); ok && buf.Channels() == 2 && buf.Frames() <= len(m.rest) {
		n := buf.Frames()
		if f.ProcessMidSide(buf.Data[0][:n], buf.Data[1][:n], m.side) {
			return
		}
	}
	m.run(buf, m.inner.Process)
}

// run encodes buf, calls process on the one-channel view of the processed
// part, and decodes.
func (m *MidSide) run(buf *audio.Buffer, process func(*audio.Buffer)) {
	if buf.Channels() != 2 {
		panic(fmt.Sprintf("dsp: MidSide.Process on %d channels", buf.Channels()))
	}
	n := buf.Frames()
	if n > len(m.rest) {
		panic(fmt.Sprintf("dsp: MidSide.Process of %d frames, prepared for %d", n, len(m.rest)))
	}
	l, r := buf.Data[0][:n], buf.Data[1][:n]
	x := m.scratch[:n]
	vec.MSEncode(l, r, x, m.resid, m.rest, m.side)
	m.view.Data[0] = x
	process(&m.view)
	m.view.Data[0] = nil
	vec.MSDecode(l, r, x, m.resid, m.rest, m.side)
}

// Correlation is a stereo phase-correlation meter (the mono-compatibility
// meter of a mastering suite): Σ L·R / √(Σ L² · Σ R²) over everything
// accumulated since Reset, +1 for mono, 0 for unrelated channels, −1 for
// one channel the inverse of the other. It also keeps the lowest
// correlation of any 100 ms window. Not safe for concurrent use.
type Correlation struct {
	lr, ll, rr    float64 // totals
	wlr, wll, wrr float64 // current window
	win, n        int
	minWin        float64
}

// NewCorrelation returns a meter with 100 ms windows at sampleRate.
func NewCorrelation(sampleRate float64) *Correlation {
	c := &Correlation{win: max(1, int(sampleRate/10))}
	c.Reset()
	return c
}

// Reset clears the meter.
func (c *Correlation) Reset() {
	c.lr, c.ll, c.rr, c.wlr, c.wll, c.wrr, c.n = 0, 0, 0, 0, 0, 0, 0
	c.minWin = 1
}

// Add accumulates a block of a stereo pair.
func (c *Correlation) Add(l, r []float32) {
	r = r[:len(l)]
	for len(l) > 0 {
		// Up to the end of the window, with the sums in locals: the loop
		// is then the three chains of additions alone.
		k := min(len(l), c.win-c.n)
		wlr, wll, wrr := c.wlr, c.wll, c.wrr
		for i, a := range l[:k] {
			x, y := float64(a), float64(r[i])
			wlr += x * y
			wll += x * x
			wrr += y * y
		}
		c.wlr, c.wll, c.wrr = wlr, wll, wrr
		l, r = l[k:], r[k:]
		if c.n += k; c.n == c.win {
			c.flush()
		}
	}
}

func (c *Correlation) flush() {
	if v, ok := corr(c.wlr, c.wll, c.wrr); ok {
		c.minWin = min(c.minWin, v)
	}
	c.lr += c.wlr
	c.ll += c.wll
	c.rr += c.wrr
	c.wlr, c.wll, c.wrr, c.n = 0, 0, 0, 0
}

// corr returns the correlation of the sums, ok false for silence (below
// −140 dBFS RMS in either channel over the window, where it means nothing).
func corr(lr, ll, rr float64) (float64, bool) {
	if ll < 1e-14 || rr < 1e-14 {
		return 0, false
	}
	return max(-1, min(1, lr/math.Sqrt(ll*rr))), true
}

// HasSignal says whether both channels of what was added rise above the
// silence floor corr uses: without it, Value's figures are no measurement.
func (c *Correlation) HasSignal() bool {
	_, ok := corr(c.lr+c.wlr, c.ll+c.wll, c.rr+c.wrr)
	return ok
}

// Value returns the correlation over everything added (1 for silence:
// nothing to cancel in the mono sum) and the lowest over any whole 100 ms
// window.
func (c *Correlation) Value() (overall, minWindow float64) {
	v, ok := corr(c.lr+c.wlr, c.ll+c.wll, c.rr+c.wrr)
	if !ok {
		v = 1
	}
	return v, c.minWin
}
