package limiter

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/oversample"
)

// Defaults for the zero values of Params.LookaheadMS and Params.ReleaseMS.
const (
	DefaultCeilingDBTP = -1.0
	DefaultLookaheadMS = 5.0
	DefaultReleaseMS   = 80.0
	// DefaultSafetyMarginDB lowers the internal ceiling to cover the
	// detector's under-read and the inter-sample effect of a changing gain.
	DefaultSafetyMarginDB = 0.05
	// ActiveThresholdDB is the gain reduction above which a frame counts as
	// active in Stats.
	ActiveThresholdDB = 0.01
)

// Limits of the parameters Validate accepts.
const (
	MinLookaheadMS = 0.5
	MaxLookaheadMS = 50.0
	MinReleaseMS   = 1.0
	MaxReleaseMS   = 5000.0
)

// detector design: 8 zero crossings each side (16 taps per branch), Kaiser
// window for 60 dB. Chosen by measuring the refined peak error for tones up
// to 0.4535·fs: −0.055 … +0.017 dB (12 zero crossings would give −0.03 dB at
// 1.5× the cost).
const (
	detectorZeroCrossings = 8
	detectorAttenuationDB = 60.0
	guardFrames           = 4 // P: hold guard on each side of a peak
)

// Params set a limiter. The zero value of LookaheadMS and ReleaseMS means
// their defaults; CeilingDBTP is used as given (0 means 0 dBTP). Use
// DefaultParams for the documented defaults.
type Params struct {
	CeilingDBTP    float64 // highest output true peak, dBTP
	LookaheadMS    float64 // look-ahead and attack ramp, ms (default 5)
	ReleaseMS      float64 // release time constant, ms (default 80)
	SafetyMarginDB float64 // internal ceiling lowered by this much (≥ 0); 0 means the default 0.05 dB, negative means none
}

// DefaultParams returns a −1 dBTP ceiling, 5 ms look-ahead, 80 ms release.
func DefaultParams() Params {
	return Params{CeilingDBTP: DefaultCeilingDBTP, LookaheadMS: DefaultLookaheadMS, ReleaseMS: DefaultReleaseMS}
}

// ParamError reports a parameter out of range.
type ParamError struct {
	Param string
	Value float64
	Want  string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("limiter: %s = %g: want %s", e.Param, e.Value, e.Want)
}

func (p Params) withDefaults() Params {
	if p.LookaheadMS == 0 {
		p.LookaheadMS = DefaultLookaheadMS
	}
	if p.ReleaseMS == 0 {
		p.ReleaseMS = DefaultReleaseMS
	}
	switch {
	case p.SafetyMarginDB == 0:
		p.SafetyMarginDB = DefaultSafetyMarginDB
	case p.SafetyMarginDB < 0:
		p.SafetyMarginDB = 0
	}
	return p
}

// Validate reports the first parameter out of range as a *ParamError.
func (p Params) Validate() error {
	p = p.withDefaults()
	switch {
	case math.IsNaN(p.CeilingDBTP) || p.CeilingDBTP > 0 || p.CeilingDBTP < -60:
		return &ParamError{"ceiling_dbtp", p.CeilingDBTP, "-60 … 0 dBTP"}
	case !(p.LookaheadMS >= MinLookaheadMS && p.LookaheadMS <= MaxLookaheadMS):
		return &ParamError{"lookahead_ms", p.LookaheadMS, fmt.Sprintf("%g … %g ms", MinLookaheadMS, MaxLookaheadMS)}
	case !(p.ReleaseMS >= MinReleaseMS && p.ReleaseMS <= MaxReleaseMS):
		return &ParamError{"release_ms", p.ReleaseMS, fmt.Sprintf("%g … %g ms", MinReleaseMS, MaxReleaseMS)}
	case !(p.SafetyMarginDB <= 1):
		return &ParamError{"safety_margin_db", p.SafetyMarginDB, "≤ 1 dB"}
	}
	return nil
}

// Stats summarise the gain reduction (GR, a positive number of dB) since
// Reset.
type Stats struct {
	Frames         int64   // frames processed
	MaxGRDB        float64 // largest reduction
	MeanGRDB       float64 // mean over all frames (0 dB where inactive)
	MeanActiveGRDB float64 // mean over active frames only (0 when none)
	ActiveShare    float64 // share of frames with GR > ActiveThresholdDB, 0 … 1
}

// TruePeakLimiter is a look-ahead true-peak limiter; see the package doc.
type TruePeakLimiter struct {
	p       Params
	spec    dsp.Spec
	ceiling float64 // internal linear ceiling
	factor  int
	up      *oversample.Upsampler // nil at 1×

	// detector: linked |x| at the high rate, the last two values, and the
	// peak of the frame being collected.
	z1, z2    float64
	framePeak float64
	emitAt    int // the phase whose candidate starts a new frame
	zz        [4]float64
	ub        [4]float64

	// gain computer
	hold     minHold
	relCoef  float64   // 1 − exp(−1/(τ·fs))
	e        float64   // released held gain
	box1     boxFilter // on 1 − e (the reduction), exact zero when idle
	box2     boxFilter
	lookhead int // L, frames

	delay   [][]float32 // per channel, latency frames
	dpos    int
	latency int

	activeBelow float64 // gain under which a frame is active
	blockMin    float64
	frames      int64
	active      int64
	sumGR       float64
	sumActiveGR float64
	minGain     float64
}

var _ dsp.Processor = (*TruePeakLimiter)(nil)

// New returns a limiter with parameters p (after defaults). It panics when
// p is invalid; check Params.Validate first when p comes from a user.
// Call Prepare before Process.
func New(p Params) *TruePeakLimiter {
	if err := p.Validate(); err != nil {
		panic(err.Error())
	}
	return &TruePeakLimiter{p: p.withDefaults()}
}

// Params returns the parameters in use (defaults filled in).
func (l *TruePeakLimiter) Params() Params { return l.p }

// OversamplingFactor returns the detector's factor for the prepared rate
// (4 below 88.2 kHz, 2 below 176.4 kHz, else 1).
func (l *TruePeakLimiter) OversamplingFactor() int { return l.factor }

// DetectionFactor returns the oversampling factor the detector uses at a
// sample rate.
func DetectionFactor(sampleRate float64) int {
	switch {
	case sampleRate < 88200:
		return 4
	case sampleRate < 176400:
		return 2
	}
	return 1
}

// Prepare allocates for spec and resets.
func (l *TruePeakLimiter) Prepare(spec dsp.Spec) {
	if spec.Channels < 1 || !(spec.SampleRate > 0) {
		panic(fmt.Sprintf("limiter: Prepare with %d channels at %g Hz", spec.Channels, spec.SampleRate))
	}
	l.spec = spec
	l.factor = DetectionFactor(spec.SampleRate)
	detectLatency := 0
	l.up = nil
	if l.factor > 1 {
		h := oversample.DesignNyquist(l.factor, detectorZeroCrossings, oversample.KaiserBeta(detectorAttenuationDB))
		l.up = oversample.NewUpsamplerFilter(h, l.factor, spec.Channels)
		detectLatency = l.up.Latency()
	}
	// The candidate j = f·b + p − 1 (b the base time of the step) is the
	// first of its frame when (p − 1 + f/2) mod f == 0; see detect.
	switch l.factor {
	case 4:
		l.emitAt = 3 // emits frame b
	case 2:
		l.emitAt, detectLatency = 0, detectLatency+1 // emits frame b−1
	case 1:
		l.emitAt, detectLatency = 0, detectLatency+2 // emits frame b−2
	}
	l.lookhead = max(1, int(math.Round(l.p.LookaheadMS*spec.SampleRate/1000)))
	L := l.lookhead
	l.hold = newMinHold(L + 2*guardFrames)
	n1 := (L + 1) / 2
	l.box1 = newBoxFilter(n1)
	l.box2 = newBoxFilter(L + 1 - n1)
	l.relCoef = -math.Expm1(-1 / (l.p.ReleaseMS / 1000 * spec.SampleRate))
	l.ceiling = audio.Amplitude(l.p.CeilingDBTP - l.p.SafetyMarginDB)
	l.activeBelow = audio.Amplitude(-ActiveThresholdDB)
	l.latency = detectLatency + L + guardFrames - 1
	l.delay = make([][]float32, spec.Channels)
	for c := range l.delay {
		l.delay[c] = make([]float32, l.latency)
	}
	l.Reset()
}

// Reset clears all state and statistics.
func (l *TruePeakLimiter) Reset() {
	if l.up != nil {
		l.up.Reset()
	}
	l.z1, l.z2, l.framePeak = 0, 0, 0
	l.hold.reset()
	l.e = 1
	l.box1.reset()
	l.box2.reset()
	for c := range l.delay {
		clear(l.delay[c])
	}
	l.dpos = 0
	l.blockMin = 1
	l.frames, l.active, l.sumGR, l.sumActiveGR, l.minGain = 0, 0, 0, 0, 1
}

// Latency returns the delay in frames between input and output.
func (l *TruePeakLimiter) Latency() int { return l.latency }

// Process limits buf in place.
func (l *TruePeakLimiter) Process(buf *audio.Buffer) {
	if buf.Channels() != len(l.delay) {
		panic(fmt.Sprintf("limiter: Process of %d channels, prepared for %d", buf.Channels(), len(l.delay)))
	}
	l.blockMin = 1
	n := buf.Frames()
	for i := 0; i < n; i++ {
		g := l.gain(l.detect(buf.Data, i))
		l.account(g)
		for c, ch := range buf.Data {
			d := l.delay[c]
			x := ch[i]
			if len(d) > 0 {
				x, d[l.dpos] = d[l.dpos], x
			}
			if g != 1 {
				x = float32(float64(x) * g)
			}
			ch[i] = x
		}
		if l.dpos++; l.dpos == l.latency {
			l.dpos = 0
		}
	}
}

// detect feeds frame i of every channel to the detector and returns the
// peak (linked over channels) of the frame it completes: one per call.
func (l *TruePeakLimiter) detect(data [][]float32, i int) float64 {
	f := l.factor
	zz := l.zz[:f]
	clear(zz)
	if l.up == nil {
		for _, ch := range data {
			zz[0] = math.Max(zz[0], math.Abs(float64(ch[i])))
		}
	} else {
		ub := l.ub[:f]
		for c, ch := range data {
			l.up.Next(c, float64(ch[i]), ub)
			for p, v := range ub {
				zz[p] = math.Max(zz[p], math.Abs(v))
			}
		}
	}
	var emitted float64
	for p, v := range zz {
		// candidate: the previous high-rate value, refined when it is a
		// local maximum by the vertex of the parabola through its
		// neighbours (always ≥ the candidate, at most ½ sample away).
		a, b := l.z2, l.z1
		peak := b
		if b >= a && b >= v {
			if d := 2*b - a - v; d > 0 {
				peak = b + (v-a)*(v-a)/(8*d)
			}
		}
		if p == l.emitAt {
			emitted = l.framePeak
			l.framePeak = 0
		}
		l.framePeak = math.Max(l.framePeak, peak)
		l.z2, l.z1 = b, v
	}
	return emitted
}

// gain advances the gain computer by one frame given the detected peak of
// the newest complete frame and returns the gain for the output frame.
func (l *TruePeakLimiter) gain(peak float64) float64 {
	r := 1.0
	if peak > l.ceiling {
		r = l.ceiling / peak
	}
	h := l.hold.push(r)
	e := l.e
	if e < 1 {
		e += (1 - e) * l.relCoef
	}
	e = math.Min(e, h)
	l.e = e
	// Smooth the reduction 1 − e rather than e: idle sums are exact zeros,
	// so an untouched signal is multiplied by exactly 1.
	red := l.box2.push(l.box1.push(1 - e))
	if red <= 1e-12 {
		return 1
	}
	return 1 - red
}

func (l *TruePeakLimiter) account(g float64) {
	l.frames++
	if g >= 1 {
		return
	}
	l.blockMin = math.Min(l.blockMin, g)
	l.minGain = math.Min(l.minGain, g)
	gr := -20 * math.Log10(g)
	l.sumGR += gr
	if g < l.activeBelow {
		l.active++
		l.sumActiveGR += gr
	}
}

// BlockMaxGRDB returns the largest gain reduction (dB, ≥ 0) applied during
// the last Process call.
func (l *TruePeakLimiter) BlockMaxGRDB() float64 { return -audio.DB(l.blockMin) + 0 }

// Stats returns the gain-reduction statistics since Reset.
func (l *TruePeakLimiter) Stats() Stats {
	s := Stats{Frames: l.frames, MaxGRDB: -audio.DB(l.minGain) + 0}
	if l.frames > 0 {
		s.MeanGRDB = l.sumGR / float64(l.frames)
		s.ActiveShare = float64(l.active) / float64(l.frames)
	}
	if l.active > 0 {
		s.MeanActiveGRDB = l.sumActiveGR / float64(l.active)
	}
	return s
}

// minHold is a sliding-window minimum over the last n values (monotonic
// deque in a ring; amortised O(1) per push).
type minHold struct {
	idx  []int64
	val  []float64
	head int // position of the front in the ring
	size int
	n    int64
	t    int64 // index of the next value
}

func newMinHold(n int) minHold {
	return minHold{idx: make([]int64, n+1), val: make([]float64, n+1), n: int64(n)}
}

func (m *minHold) reset() { m.head, m.size, m.t = 0, 0, 0 }

// push adds v and returns the minimum of the last n values (of all values
// pushed, while fewer than n).
func (m *minHold) push(v float64) float64 {
	capa := len(m.val)
	// drop values from the back that v makes irrelevant
	for m.size > 0 {
		back := m.head + m.size - 1
		if back >= capa {
			back -= capa
		}
		if m.val[back] < v {
			break
		}
		m.size--
	}
	back := m.head + m.size
	if back >= capa {
		back -= capa
	}
	m.idx[back], m.val[back] = m.t, v
	m.size++
	if m.idx[m.head] <= m.t-m.n {
		m.head++
		if m.head == capa {
			m.head = 0
		}
		m.size--
	}
	m.t++
	return m.val[m.head]
}

// boxFilter is a running mean over n values, its sum recomputed exactly once
// per n pushes so rounding cannot drift.
type boxFilter struct {
	ring []float64
	pos  int
	sum  float64
	inv  float64
}

func newBoxFilter(n int) boxFilter {
	return boxFilter{ring: make([]float64, n), inv: 1 / float64(n)}
}

func (b *boxFilter) reset() {
	clear(b.ring)
	b.pos, b.sum = 0, 0
}

func (b *boxFilter) push(v float64) float64 {
	b.sum += v - b.ring[b.pos]
	b.ring[b.pos] = v
	if b.pos++; b.pos == len(b.ring) {
		b.pos = 0
		var s float64
		for _, x := range b.ring {
			s += x
		}
		b.sum = s
	}
	return b.sum * b.inv
}
