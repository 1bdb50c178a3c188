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
	rms    bool
	gc     envelope.GainComputer // static curve, attack/release smoothing, makeup
	beta   float64               // RMS mean-square coefficient
	kneeLo float64               // detector level (linear amplitude or mean square) where the knee starts
	hpf    *biquad.Filter

	det   [][]float64 // [channel][chunk] detector input
	gain  []float64   // [chunk]
	level []float64   // [chunk] the detector level (GainComputer.Run overwrites it)
	// direct: the level detector reads the key's chunk, key[ch], itself
	direct bool
	key    [][]float32
	state  []channelState

	noRest     bool  // tests: never take the rest path of detect
	restChunks int64 // chunks that took it (tests)

	grNow, grMax atomic.Uint64 // float64 bits, dB
}

var _ dsp.Sidechained = (*Compressor)(nil)

// NewCompressor returns a compressor with the given settings. Call
// p.Validate with the sample rate before Prepare.
func NewCompressor(p CompressorParams) *Compressor { return &Compressor{p: p} }

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
	win := p.RMSWindowMS
	if win == 0 {
		win = DefaultRMSWindowMS
	}
	c.beta = math.Exp(-1 / (win / 1000 * fs))
	c.gc = envelope.GainComputer{
		Curve: envelope.Curve{Scale: envelope.DBPerLog2, Thr: p.ThresholdDB,
			HalfKnee: p.KneeDB / 2, Knee: p.KneeDB, Slope: 1 - 1/p.Ratio},
		Smooth:   envelope.NewSmoother(p.AttackMS, p.ReleaseMS, fs),
		MakeupDB: p.MakeupDB, MakeupLin: audio.Amplitude(p.MakeupDB),
	}
	if p.KneeDB > 0 {
		c.gc.Curve.Inv2W = 1 / (2 * p.KneeDB)
	}
	knee := p.ThresholdDB - p.KneeDB/2
	if c.rms {
		c.gc.Curve.Scale = envelope.DBPerLog2 / 2 // 10·log10 of a mean square
		c.kneeLo = math.Pow(10, knee/10)
	} else {
		c.kneeLo = math.Pow(10, knee/20)
	}
	// gc.QuietBelow, the curve's envelope.QuietLevel, is a hair under
	// kneeLo: the target is exactly 0 below it whatever the rounding of the
	// fast log2 (detect's rest path and the kernel's skip).
	c.gc.QuietBelow = envelope.QuietLevel(c.gc.Curve.Thr, c.gc.Curve.HalfKnee, c.gc.Curve.Scale)
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
	c.key = make([][]float32, spec.Channels)
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
		m := end - start
		c.loadKey(key, start, end)
		if c.p.Unlinked && buf.Channels() > 1 {
			for ch := range buf.Data {
				kch := ch
				if kc == 1 {
					kch = 0
				}
				peak, rest := c.detect(kch, kch+1, &c.state[ch], c.gain[:m])
				blockMax = max(blockMax, peak)
				if !rest || c.gc.MakeupLin != 1 {
					envelope.ApplyGain(buf.Data[ch][start:end], c.gain[:m])
				}
			}
			continue
		}
		peak, rest := c.detect(0, kc, &c.state[0], c.gain[:m])
		blockMax = max(blockMax, peak)
		if rest && c.gc.MakeupLin == 1 {
			continue // a gain of exactly 1 leaves every sample as it is
		}
		for ch := range buf.Data {
			envelope.ApplyGain(buf.Data[ch][start:end], c.gain[:m])
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
		biquad.Widen(c.det[ch][:m], src[start:end])
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
// of the key channels [k0, k1) (linked) with state st, writes the linear
// gain to gain and returns the largest gain reduction.
//
// The work is two block passes over the chunk, each branch-free on the
// signal (noise would make branches unpredictable): the detector level,
// then envelope.GainComputer (its log2, the static curve, the smoothing —
// the one serial recursion — and the gain with makeup, four frames at a
// time).
//
// A chunk that starts with no reduction and stays under the knee keeps it
// at exactly 0 (every step is 0 + c·(0 − 0)), so its gain is the makeup on
// every frame, as GainComputer would give it; detect then reports rest
// and skips the computation.
func (c *Compressor) detect(k0, k1 int, st *channelState, gain []float64) (peak float64, rest bool) {
	lv := c.level[:len(gain)]
	c.detectorLevel(k0, k1, lv, st)
	if !c.noRest && st.gr == 0 && allBelow(lv, c.gc.QuietBelow) {
		c.restChunks++
		for i := range gain {
			gain[i] = c.gc.MakeupLin
		}
		return 0, true
	}
	gr, peak := c.gc.Run(st.gr, lv, gain)
	if gr < 1e-9 { // below 1e-9 dB the release tail is inaudible: stop the exp work
		gr = 0
	}
	st.gr = gr
	return peak, false
}

// allBelow reports whether every value of x is below limit (a NaN is
// not: its chunk takes the full path, as it always did).
func allBelow(x []float64, limit float64) bool {
	for _, v := range x {
		if !(v < limit) {
			return false
		}
	}
	return true
}

// detectorLevel writes the linear level of key channels [k0, k1) (linked)
// for the current chunk to lv: from the float64 detector buffers, or
// straight from the key's samples when loadKey left them (peak detection
// without a sidechain filter needs no copy).
func (c *Compressor) detectorLevel(k0, k1 int, lv []float64, st *channelState) {
	floor := c.kneeLo * 1e-3
	switch {
	case c.rms:
		st.ms = c.rmsLevel(c.det[k0:k1], lv, st.ms, floor)
	case c.direct:
		key := c.key[k0:k1]
		peakLevel(key, lv, floor, peakFast(lv, key, floor))
	default:
		det := c.det[k0:k1]
		peakLevel(det, lv, floor, peakFast(lv, det, floor))
	}
}

// rmsLevel updates the mean square (the channels' power average) per frame
// from ms and writes it, floored at floor, to lv; it returns the final
// mean square.
func (c *Compressor) rmsLevel(det [][]float64, lv []float64, ms, floor float64) float64 {
	beta := c.beta
	w := (1 - beta) / float64(len(det))
	for i := range lv {
		var sq float64
		for _, d := range det {
			v := d[i]
			sq += v * v
		}
		ms = beta*ms + w*sq
		lv[i] = envelope.MaxPos(ms, floor)
	}
	if ms < 1e-30 {
		ms = 0
	}
	return ms
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
