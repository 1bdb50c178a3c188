package multiband

import (
	"cmp"
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/internal/vec"
)

// The stage works keyed by another signal, and as a group of stems keyed
// by their sum (stem-aware limiting).
var (
	_ dsp.Sidechained = (*Processor)(nil)
	_ dsp.KeyGroup    = (*Processor)(nil)
)

// Limits of the parameters Validate accepts.
const (
	MinBands         = 2
	MaxBands         = 4
	MinCrossoverHz   = 20.0
	MinCrossoverStep = 1.25 // each crossover at least this factor above the previous
	MaxRatio         = 100.0
	MaxTimeMS        = 5000.0
	MaxKneeDB        = 24.0
	MaxMakeupDB      = 24.0
	MaxRangeDB       = 60.0
	MaxWidth         = dsp.MaxWidth
	processorName    = "multiband"
)

// Defaults for a Band's zero AttackMS, ReleaseMS and RangeDB.
const (
	DefaultAttackMS  = 10.0
	DefaultReleaseMS = 150.0
	DefaultRangeDB   = 40.0
)

// Band is one band's processing. The zero value of Ratio and ExpandRatio
// (or 1) means no compression and no expansion; Width must be set (1 = as
// is): the session layer fills its default.
type Band struct {
	ThresholdDB       float64 // compression above, dBFS (peak)
	Ratio             float64 // ≥ 1; 0 = 1
	KneeDB            float64
	AttackMS          float64 // 0 = 10 ms
	ReleaseMS         float64 // 0 = 150 ms
	MakeupDB          float64
	ExpandThresholdDB float64 // expansion below, dBFS
	ExpandRatio       float64 // ≥ 1; 0 = 1
	RangeDB           float64 // largest expansion, dB; 0 = 40
	Width             float64 // side gain of the band, 0 … MaxWidth
}

// Params are the crossover frequencies (ascending, one fewer than the bands)
// and the bands, lowest first.
type Params struct {
	CrossoversHz []float64
	Bands        []Band
}

func paramError(param string, v float64, format string, args ...any) error {
	return dsp.NewParamError(processorName, param, v, format, args...)
}

func (b Band) withDefaults() Band {
	b.Ratio = cmp.Or(b.Ratio, 1)
	b.ExpandRatio = cmp.Or(b.ExpandRatio, 1)
	b.AttackMS = cmp.Or(b.AttackMS, DefaultAttackMS)
	b.ReleaseMS = cmp.Or(b.ReleaseMS, DefaultReleaseMS)
	b.RangeDB = cmp.Or(b.RangeDB, DefaultRangeDB)
	return b
}

// Validate checks the band; the error is a *dsp.ParamError.
func (b Band) Validate() error {
	b = b.withDefaults()
	for _, c := range []struct {
		param     string
		v, lo, hi float64
		unit      string
	}{
		{"threshold_db", b.ThresholdDB, -120, 24, " dBFS"},
		{"ratio", b.Ratio, 1, MaxRatio, ""},
		{"knee_db", b.KneeDB, 0, MaxKneeDB, " dB"},
		{"attack_ms", b.AttackMS, 0.01, MaxTimeMS, " ms"},
		{"release_ms", b.ReleaseMS, 1, MaxTimeMS, " ms"},
		{"makeup_db", b.MakeupDB, -MaxMakeupDB, MaxMakeupDB, " dB"},
		{"expand_threshold_db", b.ExpandThresholdDB, -120, 0, " dBFS"},
		{"expand_ratio", b.ExpandRatio, 1, MaxRatio, ""},
		{"range_db", b.RangeDB, 0, MaxRangeDB, " dB"},
		{"width", b.Width, 0, MaxWidth, ""},
	} {
		if math.IsNaN(c.v) || c.v < c.lo || c.v > c.hi {
			if c.lo == -c.hi {
				return paramError(c.param, c.v, "must be within ±%g%s", c.hi, c.unit)
			}
			return paramError(c.param, c.v, "must be within [%g, %g]%s", c.lo, c.hi, c.unit)
		}
	}
	return nil
}

// Validate checks the crossovers and bands at sampleRate (0 skips the
// rate-dependent checks); band errors name the band (1-based).
func (p Params) Validate(sampleRate float64) error {
	n := len(p.Bands)
	if n < MinBands || n > MaxBands {
		return paramError("bands", float64(n), "want %d to %d bands", MinBands, MaxBands)
	}
	if len(p.CrossoversHz) != n-1 {
		return paramError("crossovers_hz", float64(len(p.CrossoversHz)), "want %d crossover frequencies for %d bands", n-1, n)
	}
	prev := 0.0
	for _, f := range p.CrossoversHz {
		switch {
		case math.IsNaN(f) || f < MinCrossoverHz:
			return paramError("crossovers_hz", f, "below %g Hz", MinCrossoverHz)
		case prev > 0 && f < prev*MinCrossoverStep:
			return paramError("crossovers_hz", f, "must be at least %g × the previous crossover (%g Hz)", MinCrossoverStep, prev)
		case sampleRate > 0 && f >= 0.45*sampleRate:
			return paramError("crossovers_hz", f, "at or above 0.45 × the sample rate (%g Hz)", 0.45*sampleRate)
		}
		prev = f
	}
	for i, b := range p.Bands {
		if err := b.Validate(); err != nil {
			return fmt.Errorf("multiband band %d: %w", i+1, err)
		}
	}
	return nil
}

// chunk is how many frames the bands are split and summed at a time: the
// forks' state and the end-of-call flushes (biquad) are a small part of a
// chunk's work, and the buffers (about 100 KiB for four stereo bands) stay
// in the L2 cache.
const chunk = 512

// band is one band's prepared coefficients and state.
type band struct {
	p      Band
	filter *biquad.Filter // after the shared high-passes: LP_{k+1} · AP_{k+2} ⋯ (nil for the last band)
	split  *biquad.Filter // HP_{k+1}, which the bands above share (nil for the last band)
	// The same filters for the key of ProcessSidechain, and its band.
	keyFilter, keySplit *biquad.Filter
	// filter and split (keyFilter and keySplit) forked over a stereo
	// pair's two channels; nil for the last band and other channel counts
	fork, keyFork *biquad.Fork
	kx            [][]float64
	x             [][]float64          // per channel, chunk: the band signal
	ctl           envelope.ControlRate // detector and gain ramp
	curve         envelope.BandCurve   // the gain computer at the control rate
	st            envelope.CurveState  // its reduction (dB) and largest
	gains         []float64
}

// Processor is the multiband processor; it implements dsp.Processor.
type Processor struct {
	p     Params
	bands []band
	lanes laneGroup   // the bands' detectors stepped together
	in    [][]float64 // per channel, chunk: the input, then the rest above each crossover
	kin   [][]float64 // the same for the key of ProcessSidechain
	sum   [][]float64
	ch    int
}

// New returns a multiband processor; call p.Validate first.
func New(p Params) *Processor {
	q := Params{CrossoversHz: append([]float64(nil), p.CrossoversHz...), Bands: make([]Band, len(p.Bands))}
	for i, b := range p.Bands {
		q.Bands[i] = b.withDefaults()
	}
	return &Processor{p: q}
}

// Prepare designs the filters for spec and allocates; it panics when the
// parameters are invalid.
func (m *Processor) Prepare(spec dsp.Spec) {
	if err := m.p.Validate(spec.SampleRate); err != nil {
		panic("multiband: Prepare: " + err.Error())
	}
	m.ch = spec.Channels
	alloc := func() [][]float64 {
		x := make([][]float64, spec.Channels)
		for c := range x {
			x[c] = make([]float64, chunk)
		}
		return x
	}
	m.in, m.kin, m.sum = alloc(), alloc(), alloc()
	// Band k is HP_1 ⋯ HP_k followed by its own sections (see the package
	// doc): the high-passes run once, on the rest above each crossover, and
	// each band filters a copy of it: 15 biquads per channel for four bands
	// instead of 21, with the same sections in the same order.
	n := len(m.p.Bands)
	m.bands = make([]band, n)
	for i := range n {
		b := m.p.Bands[i]
		var own biquad.Cascade
		var filter, split *biquad.Filter
		if i < n-1 {
			own = biquad.LinkwitzRileyLowPass(nil, spec.SampleRate, m.p.CrossoversHz[i], 4)
			for _, f := range m.p.CrossoversHz[i+1:] {
				own = append(own, biquad.AllPass(spec.SampleRate, f, math.Sqrt2/2))
			}
			filter = biquad.NewFilter(spec.Channels, own)
			split = biquad.NewFilter(spec.Channels, biquad.LinkwitzRileyHighPass(nil, spec.SampleRate, m.p.CrossoversHz[i], 4))
		}
		bd := band{p: b, filter: filter, split: split, x: alloc(), kx: alloc(), gains: make([]float64, chunk)}
		c := &bd.curve
		*c = envelope.BandCurve{
			Thr: b.ThresholdDB, HalfKnee: b.KneeDB / 2, Knee: b.KneeDB, Slope: 1 - 1/b.Ratio,
			ExpThr: b.ExpandThresholdDB, ExpSlope: b.ExpandRatio - 1, Range: b.RangeDB,
			MakeupDB: b.MakeupDB, Makeup: envelope.Exp2(b.MakeupDB * envelope.Log2PerDB),
			QuietBelow: math.Inf(1), QuietAbove: -1,
			Smooth: envelope.NewBlockSmoother(b.AttackMS, b.ReleaseMS, spec.SampleRate),
			Run:    envelope.Run(b.AttackMS, spec.SampleRate),
		}
		if b.KneeDB > 0 {
			c.Inv2W = 1 / (2 * b.KneeDB)
		}
		if b.Ratio > 1 {
			c.QuietBelow = envelope.QuietLevel(b.ThresholdDB, b.KneeDB/2, envelope.DBPerLog2)
		}
		if b.ExpandRatio > 1 {
			c.QuietAbove = audio.Amplitude(b.ExpandThresholdDB + 1e-6)
		}
		bd.ctl = envelope.NewControlRate(c.Run, 1-envelope.Coef(b.ReleaseMS, spec.SampleRate))
		if filter != nil {
			bd.keyFilter = biquad.NewFilter(spec.Channels, filter.Sections())
			bd.keySplit = biquad.NewFilter(spec.Channels, split.Sections())
			if spec.Channels == 2 {
				bd.fork, bd.keyFork = biquad.NewFork(filter, split), biquad.NewFork(bd.keyFilter, bd.keySplit)
			}
		}
		m.bands[i] = bd
	}
	m.lanes = newLaneGroup(m)
	m.Reset()
}

// Reset clears the filters and detectors.
func (m *Processor) Reset() {
	for i := range m.bands {
		if b := &m.bands[i]; b.filter != nil {
			b.filter.Reset()
			b.split.Reset()
			b.keyFilter.Reset()
			b.keySplit.Reset()
		}
		b := &m.bands[i]
		b.st = envelope.CurveState{}
		b.ctl.Reset(b.curve.Makeup)
	}
}

// Latency is 0.
func (m *Processor) Latency() int { return 0 }

// MaxGainReductionDB returns each band's largest gain reduction (dB, ≥ 0;
// expansion counts as reduction) since Reset.
func (m *Processor) MaxGainReductionDB() []float64 {
	out := make([]float64, len(m.bands))
	for i, b := range m.bands {
		out[i] = b.st.MaxGR
	}
	return out
}

// Process splits, processes and sums buf in place.
func (m *Processor) Process(buf *audio.Buffer) { m.process(buf, nil) }

// ProcessSidechain splits buf and key alike and applies to each band of
// buf the gain the band's detector derives from the same band of key; the
// bands' width and the sum are as in Process. Signals processed each keyed
// by their sum add up to the processed sum. key must have buf's channels
// and frames.
func (m *Processor) ProcessSidechain(buf, key *audio.Buffer) {
	dsp.CheckKey("multiband", buf, key)
	m.process(buf, key)
}

// process is Process (key nil: each band's detector reads the band) or
// ProcessSidechain.
func (m *Processor) process(buf, key *audio.Buffer) {
	if buf.Channels() != m.ch {
		panic(fmt.Sprintf("multiband: Process of %d channels, prepared for %d", buf.Channels(), m.ch))
	}
	n := buf.Frames()
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		if key != nil {
			m.keyChunk(key, start, end)
		}
		m.signalChunk(buf, start, end, m, key == nil)
	}
}

// ProcessKeyGroup is ProcessSidechain(bufs[i], key) on every peers[i] (each
// a *Processor prepared as m), splitting the key and running the bands'
// detectors once, in m.
func (m *Processor) ProcessKeyGroup(peers []dsp.Processor, bufs []*audio.Buffer, key *audio.Buffer) {
	dsp.CheckKeyGroup("multiband", peers, bufs, key, m.ch)
	for _, p := range peers {
		if q := p.(*Processor); q.ch != m.ch || len(q.bands) != len(m.bands) {
			panic("multiband: ProcessKeyGroup with a peer prepared otherwise")
		}
	}
	n := key.Frames()
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		m.keyChunk(key, start, end)
		for i, p := range peers {
			p.(*Processor).signalChunk(bufs[i], start, end, m, false)
		}
	}
}

// keyChunk splits frames [start, end) of key into its bands and runs each
// band's detector on its band, leaving the gains in the bands' gains.
func (m *Processor) keyChunk(key *audio.Buffer, start, end int) {
	k := end - start
	load(m.kin, key, start, end)
	for bi := range m.bands {
		b := &m.bands[bi]
		divide(b.kx, m.kin, b.keyFilter, b.keySplit, b.keyFork, k)
	}
	m.detect(true, k)
}

// signalChunk splits frames [start, end) of buf into its bands, applies
// to each the gains of the same band of g (g's detectors having run on
// the key; detect runs m's own detectors on m's bands first) and sums them
// back into buf.
func (m *Processor) signalChunk(buf *audio.Buffer, start, end int, g *Processor, detect bool) {
	k := end - start
	load(m.in, buf, start, end)
	for c := range buf.Data {
		clear(m.sum[c][:k])
	}
	for bi := range m.bands {
		b := &m.bands[bi]
		divide(b.x, m.in, b.filter, b.split, b.fork, k)
	}
	if detect {
		m.detect(false, k)
	}
	for bi := range m.bands {
		m.bands[bi].addTo(m.sum, g.bands[bi].gains[:k])
	}
	for c, ch := range buf.Data {
		biquad.Narrow(ch[start:end], m.sum[c][:k])
	}
}

// divide takes a band off the first k frames of rest: x becomes the band
// (rest through filter), rest what lies above it (rest through split);
// the last band (filter nil) is the rest itself. fork, when set, is
// filter and split forked over two channels (the same bits, faster).
func divide(x, rest [][]float64, filter, split *biquad.Filter, fork *biquad.Fork, k int) {
	if fork != nil {
		fork.Process2(x[0][:k], x[1][:k], rest[0][:k], rest[1][:k])
		return
	}
	for c := range x {
		copy(x[c][:k], rest[c][:k])
	}
	if filter != nil {
		filter.ProcessChannels(x, k)
		split.ProcessChannels(rest, k)
	}
}

// load converts frames [start, end) of buf to dst.
func load(dst [][]float64, buf *audio.Buffer, start, end int) {
	for c, ch := range buf.Data {
		biquad.Widen(dst[c][:end-start], ch[start:end])
	}
}

// dynamics computes the band's gain per frame of the chunk into b.gains,
// its detector reading det (the band, or the key's band).
//
// Control rate: the envelope follows every sample, but the static curve,
// the smoother and the gain are computed once per run of b.curve.Run samples
// (envelope.Run: an eighth of the attack, at most 16) from the largest
// envelope in the run, and the gain ramps linearly over the next run to
// the value computed (one run behind the detector, so the result does not
// depend on how the stream is cut into blocks). The log and exponential
// per sample were most of the band's cost.
func (b *band) dynamics(det [][]float64, k int) {
	g := b.gains[:k]
	if b.idle() {
		for i := range g {
			g[i] = 1
		}
		return
	}
	b.ctl.Process(det, g, b.control)
}

// idle reports whether the band's gain is exactly 1 with no detector
// running: no dynamics, no makeup and no reduction under way.
func (b *band) idle() bool {
	p := &b.p
	return p.Ratio == 1 && p.ExpandRatio == 1 && p.MakeupDB == 0 && b.st.GR == 0
}

// control advances the reduction by one run towards the static curve's
// target for the run's peak envelope and returns the gain for it.
func (b *band) control(peak float64) float64 { return b.curve.Gain(&b.st, peak) }

// addTo adds the band, gained by g (one gain per frame) and width-scaled,
// to sum.
func (b *band) addTo(sum [][]float64, g []float64) {
	if len(b.x) == 2 && b.p.Width != 1 {
		vec.WidthAdd(sum[0], sum[1], b.x[0], b.x[1], g, b.p.Width)
		return
	}
	for c, x := range b.x {
		vec.MulAdd(sum[c], x, g)
	}
}
