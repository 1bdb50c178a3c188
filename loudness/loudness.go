package loudness

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"stemmaster/audio"
)

// Options choose what the meter computes beyond the basics.
type Options struct {
	TruePeak bool // compute true peak (oversampled); sample peak is always computed
	Series   bool // keep momentary and short-term loudness every 10 ms
	// IntegratedOnly computes the integrated loudness and the momentary
	// maximum only: no sample peak, no short-term windows (so no loudness
	// range and no short-term maximum: NaN in the Result), which saves their
	// work and the 8 bytes per 10 ms the loudness range keeps. It excludes
	// TruePeak and Series.
	IntegratedOnly bool
	// TruePeakOversampling is the true-peak oversampling factor, 2 … 16;
	// 0 takes OversamplingFactor(sampleRate), BS.1770's.
	TruePeakOversampling int
}

// Result of a measurement. A value that is minus infinity (silence) is
// math.Inf(-1); a value that is undefined (too short, all blocks gated) is NaN.
// The package documentation lists exactly when each happens.
type Result struct {
	IntegratedLUFS   float64
	LoudnessRangeLU  float64
	TruePeakDBTP     float64 // NaN when Options.TruePeak was false
	SamplePeakDBFS   float64 // NaN with Options.IntegratedOnly
	MomentaryMaxLUFS float64
	ShortTermMaxLUFS float64
	// Per channel.
	ChannelTruePeakDBTP   []float64 // nil when Options.TruePeak was false
	ChannelSamplePeakDBFS []float64
	// Series, when Options.Series: window ends at k·SeriesStep seconds, k = 1, 2, …
	// A window that would start before the first frame is NaN (the first 39
	// momentary and the first 299 short-term values).
	SeriesStep    float64 // 0.01
	MomentaryLUFS []float64
	ShortTermLUFS []float64
}

// SeriesStep is the spacing of the momentary and short-term values, in
// seconds: the meter's 10 ms sub-block grid.
const SeriesStep = 0.01

// The BS.1770-4 / EBU R128 constants, in 10 ms sub-blocks and LU.
const (
	subBlocksPerSecond  = 100
	momentarySubBlocks  = 40  // 400 ms
	shortTermSubBlocks  = 300 // 3 s
	gatingStepSubBlocks = 10  // gating blocks every 100 ms (75 % overlap)
	absoluteGateLUFS    = -70.0
	relativeGateLU      = -10.0 // integrated loudness, BS.1770-4
	lraRelativeGateLU   = -20.0 // loudness range, EBU Tech 3342
	lraLowPercentile    = 0.10
	lraHighPercentile   = 0.95
)

// Supported sample rates.
const (
	MinSampleRate = 8000
	MaxSampleRate = 384000
)

// FormatError says why a stream cannot be metered.
type FormatError struct {
	SampleRate float64
	Channels   int
}

func (e *FormatError) Error() string {
	if e.Channels < 1 {
		return fmt.Sprintf("loudness: cannot meter %d channels", e.Channels)
	}
	return fmt.Sprintf("loudness: cannot meter a sample rate of %s Hz (supported: %d to %d Hz)",
		rateText(e.SampleRate), MinSampleRate, MaxSampleRate)
}

// rateText writes a rate as people do: 1048575, not 1.048575e+06 (the
// exponent only for a magnitude no rate has).
func rateText(hz float64) string {
	if math.Abs(hz) < 1e15 {
		return strconv.FormatFloat(hz, 'f', -1, 64)
	}
	return strconv.FormatFloat(hz, 'g', -1, 64)
}

// CheckFormat returns a *FormatError when NewMeter would refuse the rate or
// channel count. Callers metering files call it first.
func CheckFormat(sampleRate float64, channels int) error {
	if channels < 1 || !(sampleRate >= MinSampleRate && sampleRate <= MaxSampleRate) {
		return &FormatError{SampleRate: sampleRate, Channels: channels}
	}
	return nil
}

// ChannelWeights returns the BS.1770-4 weight of each channel for a channel
// count, assuming the WAVE/SMPTE channel order: 1 mono; 2 L R; 3 L R C;
// 4 L R Ls Rs; 5 L R C Ls Rs; 6 L R C LFE Ls Rs. L, R and C weigh 1.0, the
// surrounds 1.41 and the LFE 0 (not counted). For any other count every
// channel weighs 1.0, since the layout is unknown.
func ChannelWeights(channels int) []float64 {
	switch channels {
	case 4:
		return []float64{1, 1, 1.41, 1.41}
	case 5:
		return []float64{1, 1, 1, 1.41, 1.41}
	case 6:
		return []float64{1, 1, 1, 0, 1.41, 1.41}
	}
	w := make([]float64, max(channels, 0))
	for i := range w {
		w[i] = 1
	}
	return w
}

// Meter is a streaming BS.1770-4 / EBU R128 meter. Feed it blocks with
// Process; ask Result at any time. It does not allocate per sample or per
// block; it keeps 8 bytes per 100 ms for gating and 8 bytes per 10 ms for the
// loudness range (and 8 more per 10 ms with Options.Series), which grow by
// amortised doubling. A Meter is not safe for concurrent use; meter stems in
// parallel with one Meter each.
type Meter struct {
	rate     float64
	channels int
	opt      Options
	weights  []float64

	kw      kCoefs
	kwide   *wideK // kw for the two-channel kernel; nil without it
	filters []kFilter
	acc     []float64 // per channel: Σ squared K-weighted output in the current sub-block
	peaks   []float64 // per channel sample peak, linear
	tps     []*truePeak

	frames int64 // frames fed so far
	sub    int64 // whole sub-blocks completed
	subEnd int64 // frame at which the current sub-block ends
	// hist holds the energies of sub-blocks histBase… (the last
	// shortTermSubBlocks at least); the windows ending after sub-block
	// done are computed in batches (flushWindows).
	hist     []float64
	histBase int64
	done     int64

	blocks    []float64 // mean square of each 400 ms gating block
	shortTerm []float64 // mean square of each 3 s window on the 10 ms grid
	momentary []float64 // with Series: mean square of each 400 ms window, NaN before 400 ms
	momMax    float64   // largest momentary mean square; -1 while there is none
	stMax     float64
}

// NewMeter prepares a meter for the given rate and channel count
// (1 mono, 2 L R, 3 L R C, 5 L R C Ls Rs, 6 L R C LFE Ls Rs; see
// ChannelWeights). It panics when CheckFormat refuses them.
func NewMeter(sampleRate float64, channels int, opt Options) *Meter {
	if err := CheckFormat(sampleRate, channels); err != nil {
		panic(err.Error())
	}
	if f := opt.TruePeakOversampling; f != 0 && (f < 2 || f > 16) {
		panic(fmt.Sprintf("loudness: true-peak oversampling %d, not 2 … 16", f))
	}
	if opt.IntegratedOnly && (opt.TruePeak || opt.Series) {
		panic("loudness: Options.IntegratedOnly with TruePeak or Series")
	}
	m := &Meter{
		rate:     sampleRate,
		channels: channels,
		opt:      opt,
		weights:  ChannelWeights(channels),
		filters:  make([]kFilter, channels),
		acc:      make([]float64, channels),
		peaks:    make([]float64, channels),
	}
	m.kw = newKCoefs(sampleRate)
	m.kwide = widenK(m.kw)
	if opt.TruePeak {
		f := opt.TruePeakOversampling
		if f == 0 {
			f = OversamplingFactor(sampleRate)
		}
		ip := newInterpolator(f)
		m.tps = make([]*truePeak, channels)
		for c := range m.tps {
			m.tps[c] = newTruePeak(ip)
		}
	}
	m.Reset()
	return m
}

// Reset clears the meter for a new programme, keeping its allocations.
func (m *Meter) Reset() {
	clear(m.filters)
	clear(m.acc)
	clear(m.peaks)
	for _, t := range m.tps {
		t.reset()
	}
	m.frames, m.sub = 0, 0
	m.subEnd = m.frameAt(1)
	if m.hist == nil {
		m.hist = make([]float64, 0, histCap)
	}
	m.hist, m.histBase, m.done = m.hist[:0], 0, 0
	m.blocks = m.blocks[:0]
	m.shortTerm = m.shortTerm[:0]
	m.momentary = m.momentary[:0]
	m.momMax, m.stMax = -1, -1
}

// frameAt returns the first frame of sub-block k: round(k·fs/100).
func (m *Meter) frameAt(k int64) int64 {
	return int64(math.Round(float64(k) * m.rate / subBlocksPerSecond))
}

// Process feeds a block (buf.Channels() == channels). It panics on a
// channel count other than the meter's.
func (m *Meter) Process(buf *audio.Buffer) {
	if buf.Channels() != m.channels {
		panic(fmt.Sprintf("loudness: Process with %d channels on a %d-channel meter", buf.Channels(), m.channels))
	}
	n := buf.Frames()
	if !m.opt.IntegratedOnly {
		m.measurePeaks(buf.Data, n)
	}
	for off := 0; off < n; {
		seg := int(min(int64(n-off), m.subEnd-m.frames))
		m.weigh(buf.Data, off, off+seg)
		off += seg
		m.frames += int64(seg)
		if m.frames == m.subEnd {
			m.endSubBlock()
		}
	}
}

func (m *Meter) measurePeaks(data [][]float32, n int) {
	for c, x := range data {
		x = x[:n]
		for len(x) > 0 {
			k := min(len(x), tpChunk)
			var p float64
			if m.tps != nil {
				p = m.tps[c].process(x[:k])
			} else {
				p = float64(PeakAbs(x[:k]))
			}
			m.peaks[c] = max(m.peaks[c], p)
			x = x[k:]
		}
	}
}

// PeakAbs returns the largest |v| of x (0 for none; NaN when x holds a NaN).
func PeakAbs(x []float32) float32 {
	var p uint32
	if peakAccelerated && len(x) >= 32 {
		n := len(x) &^ 31
		p = peakBits(x[:n])
		x = x[n:]
	}
	// Clearing the sign bit is branch-free; the rare new maximum is the
	// only branch taken. A NaN's bits clear of the sign exceed +Inf's, so
	// a NaN wins, as it does in max. The kernel takes the same unsigned
	// maximum of the same bits, eight lanes at a time.
	for _, v := range x {
		if a := math.Float32bits(v) &^ (1 << 31); a > p {
			p = a
		}
	}
	return math.Float32frombits(p)
}

// Extremes returns the smallest and largest sample of x, as the builtin
// min and max take them (−0 below +0), for the waveform of a block; ok is
// false when x is empty or holds a NaN (lo and hi then mean nothing). It
// compares the samples as integers ordered as the floats are (orderKey),
// which the processor does without branches, in a kernel where there is
// one.
func Extremes(x []float32) (lo, hi float32, ok bool) {
	klo, khi := int32(math.MaxInt32), int32(math.MinInt32)
	if peakAccelerated && len(x) >= 16 {
		n := len(x) &^ 15
		klo, khi = extremeKeys(x[:n])
		x = x[n:]
	}
	for _, v := range x {
		k := orderKey(v)
		klo = min(klo, k)
		khi = max(khi, k)
	}
	if klo > khi || klo < orderKey(float32(math.Inf(-1))) || khi > orderKey(float32(math.Inf(1))) {
		return 0, 0, false
	}
	return fromOrderKey(klo), fromOrderKey(khi), true
}

// orderKey maps a float32 to an int32 in the same order (−0 just below
// +0): negative floats have every bit but the sign flipped.
func orderKey(v float32) int32 {
	k := int32(math.Float32bits(v))
	return k ^ int32(uint32(k>>31)>>1)
}

func fromOrderKey(k int32) float32 {
	return math.Float32frombits(uint32(k ^ int32(uint32(k>>31)>>1)))
}

// weigh K-weights frames lo…hi-1 of every channel into the sub-block sums.
func (m *Meter) weigh(data [][]float32, lo, hi int) {
	c := 0
	for ; c+1 < m.channels; c += 2 {
		a, b := run2(&m.filters[c], &m.filters[c+1], &m.kw, m.kwide, data[c][lo:hi], data[c+1][lo:hi])
		m.acc[c] += a
		m.acc[c+1] += b
	}
	if c < m.channels {
		m.acc[c] += m.filters[c].run(&m.kw, data[c][lo:hi])
	}
}

// endSubBlock closes a 10 ms sub-block. The windows ending there are
// computed later, in batches (flushWindows).
func (m *Meter) endSubBlock() {
	var e float64
	for c, w := range m.weights {
		e += w * m.acc[c]
		m.acc[c] = 0
	}
	if len(m.hist) == cap(m.hist) {
		// Keep what the windows not yet computed need: at most
		// windowBatch − 1 of them, the oldest starting shortTermSubBlocks
		// before its end.
		drop := len(m.hist) - shortTermSubBlocks - windowBatch
		m.hist = m.hist[:copy(m.hist, m.hist[drop:])]
		m.histBase += int64(drop)
	}
	m.hist = append(m.hist, e)
	m.sub++
	m.subEnd = m.frameAt(m.sub + 1)
	if m.sub-m.done >= windowBatch {
		m.flushWindows()
	}
}

// LUFS converts a channel-weighted mean square to LUFS (BS.1770-4 eq. 2),
// for the meter and for models of a signal's blocks (the engine's targeting).
// Zero gives -Inf, NaN stays NaN.
func LUFS(meanSquare float64) float64 { return -0.691 + 10*math.Log10(meanSquare) }

// meanSquareAt is the inverse of lufs.
func meanSquareAt(l float64) float64 { return math.Pow(10, (l+0.691)/10) }

// Blocks returns the mean squares of the 400 ms gating blocks fed so far
// (every 100 ms, channel-weighted, K-weighted): what the integrated
// loudness gates, for GatedLoudnessWhere. The slice is the caller's.
func (m *Meter) Blocks() []float64 {
	m.flushWindows()
	return slices.Clone(m.blocks)
}

// Result returns the figures for everything fed so far. It may be called
// repeatedly and between Process calls; frames after the last whole 10 ms
// sub-block count for the peaks only.
func (m *Meter) Result() Result {
	m.flushWindows()
	r := Result{
		IntegratedLUFS:        GatedLoudness(m.blocks),
		LoudnessRangeLU:       loudnessRange(m.shortTerm),
		TruePeakDBTP:          math.NaN(),
		MomentaryMaxLUFS:      math.NaN(),
		ShortTermMaxLUFS:      math.NaN(),
		ChannelSamplePeakDBFS: make([]float64, m.channels),
	}
	if m.momMax >= 0 {
		r.MomentaryMaxLUFS = LUFS(m.momMax)
	}
	if m.stMax >= 0 {
		r.ShortTermMaxLUFS = LUFS(m.stMax)
	}
	var sp float64
	for c, p := range m.peaks {
		r.ChannelSamplePeakDBFS[c] = audio.DB(p)
		sp = max(sp, p)
	}
	r.SamplePeakDBFS = audio.DB(sp)
	if m.opt.IntegratedOnly {
		r.SamplePeakDBFS = math.NaN()
		for c := range r.ChannelSamplePeakDBFS {
			r.ChannelSamplePeakDBFS[c] = math.NaN()
		}
	}
	if m.tps != nil {
		r.ChannelTruePeakDBTP = make([]float64, m.channels)
		var tp float64
		for c, t := range m.tps {
			p := t.pending()
			r.ChannelTruePeakDBTP[c] = audio.DB(p)
			tp = max(tp, p)
		}
		r.TruePeakDBTP = audio.DB(tp)
	}
	if m.opt.Series {
		r.SeriesStep = SeriesStep
		r.MomentaryLUFS = make([]float64, len(m.momentary))
		for i, e := range m.momentary {
			r.MomentaryLUFS[i] = LUFS(e)
		}
		r.ShortTermLUFS = make([]float64, len(m.momentary))
		for i := range r.ShortTermLUFS {
			r.ShortTermLUFS[i] = math.NaN()
		}
		for i, e := range m.shortTerm {
			r.ShortTermLUFS[shortTermSubBlocks-1+i] = LUFS(e)
		}
	}
	return r
}

// Measure meters a whole buffer in one call.
func Measure(buf *audio.Buffer, sampleRate float64, opt Options) Result {
	m := NewMeter(sampleRate, buf.Channels(), opt)
	m.Process(buf)
	return m.Result()
}
