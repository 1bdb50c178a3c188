package dynamics

import (
	"fmt"
	"math"
	"sync/atomic"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/envelope"
)

// chunk is the number of frames the detector works on at a time.
const chunk = 256

// channelState is one detector's memory.
type channelState struct {
	ms float64 // RMS mean square
	gr float64 // smoothed gain reduction, dB ≥ 0
}

// Compressor is a feed-forward compressor; see the package documentation.
// It implements dsp.Processor with Latency 0.
type Compressor struct {
	p        CompressorParams
	channels int

	// derived at Prepare
	rms              bool
	smooth           envelope.Smoother // attack/release smoothing of the gain reduction
	beta             float64           // RMS mean-square coefficient
	kneeLo           float64           // detector level (linear amplitude or mean square) where the knee starts
	levelScale       float64           // dB per log2 of the detector quantity
	invRatio, makeup float64
	makeupLin        float64
	hpf              *biquad.Filter

	det   [][]float64 // [channel][chunk] detector input
	gain  []float64   // [chunk]
	level []float64   // [chunk] log2 of the detector level
	// the second channel's, when two unlinked channels run together
	gain2, level2 []float64
	// direct: the level detector reads the key's chunk, key[ch], itself
	direct bool
	key    [][]float32
	state  []channelState

	grNow, grMax atomic.Uint64 // float64 bits, dB
}

var _ dsp.Sidechained = (*Compressor)(nil)

// NewCompressor returns a compressor with the given settings. Call
// p.Validate with the sample rate before Prepare.
func NewCompressor(p CompressorParams) *Compressor { return &Compressor{p: p} }

// Params returns the compressor's settings.
func (c *Compressor) Params() CompressorParams { return c.p }

// Prepare derives the coefficients for spec.SampleRate and allocates the
// detector for spec.Channels. It panics when the parameters are invalid.
func (c *Compressor) Prepare(spec dsp.Spec) {
	p := c.p
	if err := p.Validate(spec.SampleRate); err != nil {
		panic("dynamics: Compressor.Prepare: " + err.Error())
	}
	if spec.Channels < 1 || !(spec.SampleRate > 0) {
		panic(fmt.Sprintf("dynamics: Compressor.Prepare with %d channels at %g Hz", spec.Channels, spec.SampleRate))
	}
	fs := spec.SampleRate
	c.channels = spec.Channels
	c.rms = p.Detector == DetectorRMS
	c.smooth = envelope.NewSmoother(p.AttackMS, p.ReleaseMS, fs)
	win := p.RMSWindowMS
	if win == 0 {
		win = DefaultRMSWindowMS
	}
	c.beta = math.Exp(-1 / (win / 1000 * fs))
	c.invRatio = 1 / p.Ratio
	c.makeup = p.MakeupDB
	c.makeupLin = audio.Amplitude(p.MakeupDB)
	knee := p.ThresholdDB - p.KneeDB/2
	if c.rms {
		c.levelScale = envelope.DBPerLog2 / 2 // 10·log10 of a mean square
		c.kneeLo = math.Pow(10, knee/10)
	} else {
		c.levelScale = envelope.DBPerLog2
		c.kneeLo = math.Pow(10, knee/20)
	}
	c.hpf = nil
	if p.SidechainHPFHz > 0 {
		c.hpf = biquad.NewFilter(spec.Channels, biquad.Cascade{biquad.HighPass(fs, p.SidechainHPFHz, math.Sqrt2/2)})
	}
	c.det = make([][]float64, spec.Channels)
	for ch := range c.det {
		c.det[ch] = make([]float64, chunk)
	}
	c.gain = make([]float64, chunk)
	c.level = make([]float64, chunk)
	c.gain2 = make([]float64, chunk)
	c.key = make([][]float32, spec.Channels)
	c.level2 = make([]float64, chunk)
	c.state = make([]channelState, spec.Channels)
	c.Reset()
}

// Reset clears the detector, the sidechain filter and the meters.
func (c *Compressor) Reset() {
	clear(c.state)
	if c.hpf != nil {
		c.hpf.Reset()
	}
	c.ResetMeter()
}

// ResetMeter clears the current and maximum gain reduction.
func (c *Compressor) ResetMeter() {
	c.grNow.Store(0)
	c.grMax.Store(0)
}

// GainReductionDB is the gain reduction (dB, ≥ 0) at the end of the last
// processed block; unlinked, the largest of the channels'.
func (c *Compressor) GainReductionDB() float64 { return math.Float64frombits(c.grNow.Load()) }

// MaxGainReductionDB is the largest gain reduction (dB, ≥ 0) of any frame
// since Reset or ResetMeter.
func (c *Compressor) MaxGainReductionDB() float64 { return math.Float64frombits(c.grMax.Load()) }

// Latency is 0: the compressor has no look-ahead.
func (c *Compressor) Latency() int { return 0 }

// Process compresses buf in place, detecting on buf itself.
func (c *Compressor) Process(buf *audio.Buffer) { c.ProcessSidechain(buf, buf) }

// ProcessSidechain compresses buf in place with the detector reading key
// instead of buf (external sidechain). key must have as many frames as buf
// and either buf's channel count or one channel (a mono key drives every
// channel). key is not modified; it may be buf itself.
func (c *Compressor) ProcessSidechain(buf, key *audio.Buffer) {
	if c.det == nil {
		panic("dynamics: Compressor.Process before Prepare")
	}
	n, kc := buf.Frames(), key.Channels()
	if buf.Channels() > c.channels {
		panic(fmt.Sprintf("dynamics: compressor prepared for %d channels got %d", c.channels, buf.Channels()))
	}
	if key.Frames() != n || (kc != buf.Channels() && kc != 1) {
		panic(fmt.Sprintf("dynamics: sidechain key of %d×%d for a %d×%d buffer", kc, key.Frames(), buf.Channels(), n))
	}
	blockMax := 0.0
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		c.loadKey(key, start, end)
		if c.p.Unlinked && buf.Channels() == 2 {
			k1 := 1
			if kc == 1 {
				k1 = 0
			}
			blockMax = max(blockMax, c.detect2(0, k1, &c.state[0], &c.state[1], end-start))
			applyGain(buf.Data[0][start:end], c.gain[:end-start])
			applyGain(buf.Data[1][start:end], c.gain2[:end-start])
			continue
		}
		if c.p.Unlinked && buf.Channels() > 1 {
			for ch := range buf.Data {
				kch := ch
				if kc == 1 {
					kch = 0
				}
				blockMax = max(blockMax, c.detect(kch, kch+1, &c.state[ch], end-start))
				applyGain(buf.Data[ch][start:end], c.gain[:end-start])
			}
			continue
		}
		blockMax = max(blockMax, c.detect(0, kc, &c.state[0], end-start))
		for ch := range buf.Data {
			applyGain(buf.Data[ch][start:end], c.gain[:end-start])
		}
	}
	clear(c.key) // hold no reference to the caller's buffer
	c.publishMeter(blockMax, buf.Channels())
}

// loadKey copies key frames [start, end) to the float64 detector buffers
// and runs the sidechain filter over them; for peak detection without the
// filter it only takes the key's chunk for levelLog2 (direct).
func (c *Compressor) loadKey(key *audio.Buffer, start, end int) {
	m := end - start
	if c.direct = !c.rms && c.hpf == nil; c.direct {
		for ch, src := range key.Data {
			c.key[ch] = src[start:end]
		}
		return
	}
	for ch, src := range key.Data {
		d := c.det[ch][:m]
		for i, v := range src[start:end] {
			d[i] = float64(v)
		}
	}
	if c.hpf == nil {
		return
	}
	ch := 0
	for ; ch+1 < len(key.Data); ch += 2 {
		c.hpf.Process2(ch, c.det[ch][:m], ch+1, c.det[ch+1][:m])
	}
	if ch < len(key.Data) {
		c.hpf.Process(ch, c.det[ch][:m])
	}
}

// detect runs the level detector, gain computer and smoothing over m frames
// of det (linked over its channels) with state st, writes the linear gain
// to c.gain and returns the largest gain reduction.
//
// The work is split into loops that are branch-free on the signal (noise
// would make branches unpredictable): detector level to log2, then gain
// computer, smoothing and dB to linear gain in one loop (the smoothing is a
// chain of dependent operations, and the independent exp2 of the previous
// frames fills the cycles the CPU would otherwise wait in it).
func (c *Compressor) detect(k0, k1 int, st *channelState, m int) float64 {
	lg := c.level[:m]
	c.levelLog2(k0, k1, lg, st)
	gc := c.gainComputer()
	return gc.run(lg, c.gain[:m], st)
}

// detect2 is detect for two unlinked detectors at once (det0 and det1, one
// channel each), writing c.gain and c.gain2: their smoothing chains are
// independent, so one loop overlaps them. Each gets exactly the arithmetic
// of detect.
func (c *Compressor) detect2(k0, k1 int, st0, st1 *channelState, m int) float64 {
	lg0, lg1 := c.level[:m], c.level2[:m]
	c.levelLog2(k0, k0+1, lg0, st0)
	c.levelLog2(k1, k1+1, lg1, st1)
	gc := c.gainComputer()
	return gc.run2(lg0, lg1, c.gain[:m], c.gain2[:m], st0, st1)
}

// levelLog2 writes the log2 level of key channels [k0, k1) (linked) for
// the current chunk to lg: from the float64 detector buffers, or straight
// from the key's samples when loadKey left them (peak detection without a
// sidechain filter needs no copy).
func (c *Compressor) levelLog2(k0, k1 int, lg []float64, st *channelState) {
	switch {
	case c.rms:
		st.ms = c.rmsLog2(c.det[k0:k1], lg, st.ms)
	case c.direct:
		peakLog2(c, c.key[k0:k1], lg)
	default:
		peakLog2(c, c.det[k0:k1], lg)
	}
}

// gainComputer holds the constants of the per-frame loop.
//
// Gain computer: GR = (1 − 1/R)·(k²/(2W) + max(d − W/2, 0)) with
// k = clamp(d + W/2, 0, W), d = level − threshold, which equals
// x − StaticCurve(x) in all three regions of eq. (4) and is 0 below the
// knee. Smoothing: eq. (16), the attack coefficient when the target rises
// above the smoothed value, chosen by a bit mask.
type gainComputer struct {
	smooth                  envelope.Smoother
	scale, thr              float64
	halfKnee, knee, inv2W   float64
	slope, makeup, makeupLn float64
}

func (c *Compressor) gainComputer() gainComputer {
	g := gainComputer{
		smooth: c.smooth,
		scale:  c.levelScale, thr: c.p.ThresholdDB,
		halfKnee: c.p.KneeDB / 2, knee: c.p.KneeDB,
		slope: 1 - c.invRatio, makeup: c.makeup, makeupLn: c.makeupLin,
	}
	if g.knee > 0 {
		g.inv2W = 1 / (2 * g.knee)
	}
	return g
}

// run smooths one detector over the levels lg, writes the linear gains and
// returns the largest gain reduction. (The per-frame arithmetic is written
// out here and in run2, identically, so the constants stay in registers.)
func (g *gainComputer) run(lg, gain []float64, st *channelState) float64 {
	gain = gain[:len(lg)]
	sm := g.smooth
	scale, thr, halfKnee, knee, inv2W, slope := g.scale, g.thr, g.halfKnee, g.knee, g.inv2W, g.slope
	makeup, makeupLn := g.makeup, g.makeupLn
	gr := st.gr
	peakGR := 0.0
	for i, l := range lg {
		d := scale*l - thr
		k := envelope.MinPos(envelope.Relu(d+halfKnee), knee)
		target := slope * (k*k*inv2W + envelope.Relu(d-halfKnee))
		gr = sm.Step(gr, target)
		peakGR = envelope.MaxPos(peakGR, gr)
		v := makeupLn
		if gr != 0 {
			v = envelope.Exp2((makeup - gr) * envelope.Log2PerDB)
		}
		gain[i] = v
	}
	if gr < 1e-9 { // below 1e-9 dB the release tail is inaudible: stop the exp work
		gr = 0
	}
	st.gr = gr
	return peakGR
}

// run2 is run for two detectors in one loop.
func (g *gainComputer) run2(lg0, lg1, gain0, gain1 []float64, st0, st1 *channelState) float64 {
	n := len(lg0)
	lg1, gain0, gain1 = lg1[:n], gain0[:n], gain1[:n]
	sm := g.smooth
	scale, thr, halfKnee, knee, inv2W, slope := g.scale, g.thr, g.halfKnee, g.knee, g.inv2W, g.slope
	makeup, makeupLn := g.makeup, g.makeupLn
	p, q := st0.gr, st1.gr
	peakGR := 0.0
	for i, l := range lg0 {
		d := scale*l - thr
		e := scale*lg1[i] - thr
		k := envelope.MinPos(envelope.Relu(d+halfKnee), knee)
		m := envelope.MinPos(envelope.Relu(e+halfKnee), knee)
		tp := slope * (k*k*inv2W + envelope.Relu(d-halfKnee))
		tq := slope * (m*m*inv2W + envelope.Relu(e-halfKnee))
		p, q = sm.Step(p, tp), sm.Step(q, tq)
		peakGR = envelope.MaxPos(peakGR, envelope.MaxPos(p, q))
		u, v := makeupLn, makeupLn
		if p != 0 {
			u = envelope.Exp2((makeup - p) * envelope.Log2PerDB)
		}
		if q != 0 {
			v = envelope.Exp2((makeup - q) * envelope.Log2PerDB)
		}
		gain0[i], gain1[i] = u, v
	}
	if p < 1e-9 {
		p = 0
	}
	if q < 1e-9 {
		q = 0
	}
	st0.gr, st1.gr = p, q
	return peakGR
}

// peakLog2 writes log2 of the largest |x| across det's channels per frame
// (the float64 detector buffers, or the key's float32 samples: the same
// values), floored just below the knee so silence stays finite.
func peakLog2[T float32 | float64](c *Compressor, det [][]T, lg []float64) {
	floor := c.kneeLo * 1e-3
	switch len(det) {
	case 1:
		x := det[0][:len(lg)]
		for i, v := range x {
			lg[i] = envelope.Log2(envelope.MaxPos(envelope.Abs(float64(v)), floor))
		}
	case 2:
		x, y := det[0][:len(lg)], det[1][:len(lg)]
		for i, v := range x {
			lg[i] = envelope.Log2(envelope.MaxPos(envelope.MaxPos(envelope.Abs(float64(v)), envelope.Abs(float64(y[i]))), floor))
		}
	default:
		for i := range lg {
			l := floor
			for _, d := range det {
				l = envelope.MaxPos(l, envelope.Abs(float64(d[i])))
			}
			lg[i] = envelope.Log2(l)
		}
	}
}

// rmsLog2 updates the mean square (the channels' power average) per frame
// from ms and writes its log2 to lg; it returns the final mean square.
func (c *Compressor) rmsLog2(det [][]float64, lg []float64, ms float64) float64 {
	floor := c.kneeLo * 1e-3
	beta := c.beta
	w := (1 - beta) / float64(len(det))
	for i := range lg {
		var sq float64
		for _, d := range det {
			v := d[i]
			sq += v * v
		}
		ms = beta*ms + w*sq
		lg[i] = envelope.Log2(envelope.MaxPos(ms, floor))
	}
	if ms < 1e-30 {
		ms = 0
	}
	return ms
}

func applyGain(x []float32, g []float64) {
	g = g[:len(x)]
	for i, v := range x {
		x[i] = float32(float64(v) * g[i])
	}
}

func (c *Compressor) publishMeter(blockMax float64, channels int) {
	now := c.state[0].gr
	if c.p.Unlinked {
		for _, st := range c.state[:channels] {
			now = max(now, st.gr)
		}
	}
	c.grNow.Store(math.Float64bits(now))
	if blockMax > math.Float64frombits(c.grMax.Load()) {
		c.grMax.Store(math.Float64bits(blockMax))
	}
}
