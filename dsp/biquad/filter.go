package biquad

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/vec"
)

// chunk is the number of frames converted to float64 at a time: 2 channels
// × 512 × 8 bytes (and a mid/side rider's 512, StereoMidSide) stay in L1
// cache, the quad kernel's ramps and the end-of-chunk flushes are a small
// part of a chunk's work, and denormal flushing happens at least this often.
const chunk = 512

// flushBelow is the state magnitude (−600 dB) below which a section's state
// is set to zero at the end of a chunk, long before it could become subnormal.
// Each section carries it (ssCoefficients.flush), so the benchmark can show
// what happens without it.
const flushBelow = 1e-30

func flush(v, below float64) float64 {
	if v < below && v > -below {
		return 0
	}
	return v
}

// state is one section's memory for one channel (transposed direct form II).
type state struct{ s1, s2 float64 }

// The sections run transposed direct form II with y substituted into the
// state updates:
//
//	y  = b0·v + s1
//	s1 = (k1·v + s2) − a1·s1,  k1 = b1 − a1·b0
//	s2 = k2·v − a2·s1,         k2 = b2 − a2·b0
//
// The states are those of TDF-II (the same values in exact arithmetic), but
// the recursion's critical path is one multiply and one subtraction (s1 →
// a1·s1 → s1) instead of an addition, a multiply and a subtraction (s1 → y
// → a1·y → s1): a third shorter, which is what bounds a single channel's
// speed. k1 and k2 are computed with one rounding (math.FMA), so they carry
// no more error than the cookbook coefficients themselves.

// ssCoefficients are a section's coefficients in that form.
type ssCoefficients struct {
	b0, k1, k2, a1, a2 float64
	flush              float64 // state below this is set to zero (flushBelow)
}

func stateSpace(c Coefficients) ssCoefficients {
	return ssCoefficients{
		b0:    c.B0,
		k1:    math.FMA(-c.A1, c.B0, c.B1),
		k2:    math.FMA(-c.A2, c.B0, c.B2),
		a1:    c.A1,
		a2:    c.A2,
		flush: flushBelow,
	}
}

// run filters x in place through one section.
func run(x []float64, c ssCoefficients, st *state) {
	b0, k1, k2, a1, a2 := c.b0, c.k1, c.k2, c.a1, c.a2
	s1, s2 := st.s1, st.s2
	for i, v := range x {
		y := b0*v + s1
		s1, s2 = (k1*v+s2)-a1*s1, k2*v-a2*s1
		x[i] = y
	}
	st.s1, st.s2 = flush(s1, c.flush), flush(s2, c.flush)
}

// run2 filters two channels through the same section in one loop; the two
// recursions are independent, so the CPU overlaps them. Each channel gets
// exactly the arithmetic of run.
func run2(x0, x1 []float64, c ssCoefficients, st0, st1 *state) {
	steps2(x0, x1, c, st0, st1)
	st0.s1, st0.s2 = flush(st0.s1, c.flush), flush(st0.s2, c.flush)
	st1.s1, st1.s2 = flush(st1.s1, c.flush), flush(st1.s2, c.flush)
}

// runSerial filters x in place through sections c and d in one loop: the
// two recursions depend on each other only forward, so for a single channel
// the CPU overlaps them as it overlaps two channels in run2. Each section
// gets exactly the arithmetic of run.
func runSerial(x []float64, c, d ssCoefficients, stc, std *state) {
	b0, k1, k2, a1, a2 := c.b0, c.k1, c.k2, c.a1, c.a2
	e0, l1, l2, f1, f2 := d.b0, d.k1, d.k2, d.a1, d.a2
	p1, p2 := stc.s1, stc.s2
	q1, q2 := std.s1, std.s2
	for i, u := range x {
		y := b0*u + p1
		p1, p2 = (k1*u+p2)-a1*p1, k2*u-a2*p1
		z := e0*y + q1
		q1, q2 = (l1*y+q2)-f1*q1, l2*y-f2*q1
		x[i] = z
	}
	stc.s1, stc.s2 = flush(p1, c.flush), flush(p2, c.flush)
	std.s1, std.s2 = flush(q1, d.flush), flush(q2, d.flush)
}

// Filter runs a fixed cascade of sections over float64 samples, keeping
// separate state for each channel. It is the building block of EQ and of
// the compressor's sidechain filter.
type Filter struct {
	sections Cascade
	ss       []ssCoefficients    // sections in the form the loops run
	wide     []*wideCoefficients // sections 2k and 2k+1 for the pair kernel, when accelerated
	quad     []*quadCoefficients // sections 4k … 4k+3 for the quad kernel, when accelerated
	channels int
	st       []state // [channel·len(sections) + section]
}

// NewFilter returns a filter for the given number of channels running the
// sections (copied) in order.
func NewFilter(channels int, sections Cascade) *Filter {
	if channels < 1 {
		panic(fmt.Sprintf("biquad: NewFilter with %d channels", channels))
	}
	ss := make([]ssCoefficients, len(sections))
	for i, c := range sections {
		ss[i] = stateSpace(c)
	}
	var wide []*wideCoefficients
	var quad []*quadCoefficients
	if pairAccelerated {
		for s := 0; s+1 < len(ss); s += 2 {
			wide = append(wide, widen(ss[s], ss[s+1]))
		}
		for s := 0; s+3 < len(ss); s += 4 {
			quad = append(quad, quadden(ss[s:s+4]))
		}
	}
	return &Filter{
		sections: append(Cascade(nil), sections...),
		ss:       ss,
		wide:     wide,
		quad:     quad,
		channels: channels,
		st:       make([]state, channels*len(sections)),
	}
}

// Sections returns the filter's cascade (a copy).
func (f *Filter) Sections() Cascade { return append(Cascade(nil), f.sections...) }

// Reset clears every channel's state.
func (f *Filter) Reset() { clear(f.st) }

// Process filters x, samples of channel ch, in place.
func (f *Filter) Process(ch int, x []float64) {
	st := f.channelState(ch)
	s := 0
	for ; s+1 < len(f.ss); s += 2 {
		runSerial(x, f.ss[s], f.ss[s+1], &st[s], &st[s+1])
	}
	if s < len(f.ss) {
		run(x, f.ss[s], &st[s])
	}
}

// Process2 filters channels ch0 and ch1 (x0 and x1, of equal length) in
// place, about twice as fast per sample as two calls to Process.
func (f *Filter) Process2(ch0 int, x0 []float64, ch1 int, x1 []float64) {
	if len(x0) != len(x1) {
		panic("biquad: Filter.Process2 with channels of unequal length")
	}
	f.process2(ch0, x0, ch1, x1, 0)
}

// Process2Rider is Process2 on channels 0 and 1 (x0, x1) followed by
// rider.Process(0, m) (len(m) = len(x0)), with those two calls' bits.
// Where the kernel runs and rider is one section, the rider's recursion
// runs in the quad kernel's loop over f's first four sections: bound by
// its latency, that loop leaves the CPU room for it, so the rider costs
// little (the mid/side EQ band after a stereo EQ, a chunk behind).
func (f *Filter) Process2Rider(x0, x1 []float64, rider *Filter, m []float64) {
	if !riderAccelerated || f.quad == nil || f.wide == nil || len(x0) < quadMinFrames || len(rider.ss) != 1 || len(m) != len(x0) || len(x1) != len(x0) {
		f.Process2(0, x0, 1, x1)
		rider.Process(0, m)
		return
	}
	st0, st1 := f.channelState(0), f.channelState(1)
	runQuad2With(x0, x1, f.quad[0], f.ss[:4], st0[:4], st1[:4], m, &rider.ss[0], &rider.channelState(0)[0])
	f.process2From(4, x0, x1)
}

// process2From is Process2 on channels 0 and 1 from section s on.
func (f *Filter) process2From(s int, x0, x1 []float64) { f.process2(0, x0, 1, x1, s) }

func (f *Filter) process2(ch0 int, x0 []float64, ch1 int, x1 []float64, s int) {
	st0, st1 := f.channelState(ch0), f.channelState(ch1)
	if f.wide != nil && f.quad != nil && len(x0) >= quadMinFrames && s%4 == 0 {
		for ; s+3 < len(f.ss); s += 4 {
			runQuad2(x0, x1, f.quad[s/4], f.ss[s:s+4], st0[s:s+4], st1[s:s+4])
		}
	}
	if s%2 == 1 && s < len(f.ss) { // the pairs are sections 2k and 2k+1
		run2(x0, x1, f.ss[s], &st0[s], &st1[s])
		s++
	}
	for ; s+1 < len(f.ss) && f.wide != nil; s += 2 {
		runPair2(x0, x1, f.wide[s/2], f.ss[s], f.ss[s+1], &st0[s], &st1[s], &st0[s+1], &st1[s+1])
	}
	for ; s < len(f.ss); s++ {
		run2(x0, x1, f.ss[s], &st0[s], &st1[s])
	}
}

func (f *Filter) channelState(ch int) []state {
	if ch < 0 || ch >= f.channels {
		panic(fmt.Sprintf("biquad: channel %d of a %d-channel filter", ch, f.channels))
	}
	n := len(f.sections)
	return f.st[ch*n : (ch+1)*n]
}

// EQ is a parametric equaliser: a list of Bands run in series on every
// channel. It implements dsp.Processor; Prepare computes the coefficients for
// the sample rate, Latency is 0.
type EQ struct {
	bands   []Band
	rate    float64
	filter  *Filter
	scratch [2][chunk]float64
}

var _ dsp.Processor = (*EQ)(nil)

// NewEQ returns an equaliser running bands (copied) in order. Call Validate
// with the sample rate before Prepare.
func NewEQ(bands ...Band) *EQ {
	return &EQ{bands: append([]Band(nil), bands...)}
}

// Validate checks every band at sampleRate; the error names the band
// (1-based) and wraps the band's *dsp.ParamError.
func (e *EQ) Validate(sampleRate float64) error {
	for i, b := range e.bands {
		if err := b.Validate(sampleRate); err != nil {
			return fmt.Errorf("eq band %d: %w", i+1, err)
		}
	}
	return nil
}

// Prepare computes the sections for spec.SampleRate and allocates state for
// spec.Channels. It panics when Validate(spec.SampleRate) fails.
func (e *EQ) Prepare(spec dsp.Spec) {
	if err := e.Validate(spec.SampleRate); err != nil {
		panic("biquad: EQ.Prepare: " + err.Error())
	}
	var cs Cascade
	for _, b := range e.bands {
		cs = b.Sections(cs, spec.SampleRate)
	}
	e.rate = spec.SampleRate
	e.filter = NewFilter(max(spec.Channels, 1), cs)
}

// Sections returns the prepared cascade (a copy), e.g. to plot the response
// with Cascade.MagnitudeDB. It is nil before Prepare.
func (e *EQ) Sections() Cascade {
	if e.filter == nil {
		return nil
	}
	return e.filter.Sections()
}

// Reset clears the filter state.
func (e *EQ) Reset() {
	if e.filter != nil {
		e.filter.Reset()
	}
}

// Latency is 0: the filters are minimum-phase IIR.
func (e *EQ) Latency() int { return 0 }

// Process filters buf in place, channel pairs together.
func (e *EQ) Process(buf *audio.Buffer) {
	if e.filter == nil {
		panic("biquad: EQ.Process before Prepare")
	}
	if len(e.filter.sections) == 0 {
		return
	}
	n := buf.Frames()
	ch := buf.Data
	if len(ch) > e.filter.channels {
		panic(fmt.Sprintf("biquad: EQ prepared for %d channels got %d", e.filter.channels, len(ch)))
	}
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		c := 0
		for ; c+1 < len(ch); c += 2 {
			x0 := e.scratch[0][:end-start]
			x1 := e.scratch[1][:end-start]
			load(x0, ch[c][start:end])
			load(x1, ch[c+1][start:end])
			e.filter.Process2(c, x0, c+1, x1)
			store(ch[c][start:end], x0)
			store(ch[c+1][start:end], x1)
		}
		if c < len(ch) {
			x0 := e.scratch[0][:end-start]
			load(x0, ch[c][start:end])
			e.filter.Process(c, x0)
			store(ch[c][start:end], x0)
		}
	}
}

// load converts src to float64 into dst (exact), for the frames of dst.
func load(dst []float64, src []float32) { vec.Widen(dst, src[:len(dst)]) }

// store rounds src to float32 into dst, for the frames of src.
func store(dst []float32, src []float64) { vec.Narrow(dst, src) }
