// Package lineq runs the master bus's linear-phase filters: the match EQ,
// a magnitude curve given as points (gain in dB at frequencies, linear in
// log frequency between them, held beyond the ends) run by FFT overlap-add
// convolution, and the rumble filter, a linear-phase high-pass computed as
// the input delayed less dsp/fir's low-pass run at a decimated rate
// (HighPass). A tone match to reference tracks is a smooth curve over the
// whole band that should move no phase between bands (the reason
// Matchering matches with a linear-phase FIR); a rumble filter that moved
// the bass's phase would raise its peaks.
//
// The curve's design is by frequency sampling: the curve is sampled on an
// N-point FFT grid as a real, zero-phase response, transformed to an
// impulse response, centred and shaped by a Blackman window of N−1 taps
// (odd, so the delay is a whole number of frames). N is the power of two
// nearest 0.34 s of the rate (16384 at 48 kHz): about 3 Hz between grid
// points, so the window's smear (about ±3 bins) stays well inside the
// 1/3-octave band at 31.5 Hz.
//
// A filter of L taps (odd) runs in blocks of B frames, B the power of two
// at or above L−1 (at least 1024), through real FFTs of 2B points
// (dsp/fft): its latency is the FIR's delay, (L−1)/2 frames, plus one
// block. Process allocates nothing.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package lineq

import (
	"math"
	"sort"

	"stemmaster/dsp/fft"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// Point is one point of the curve.
type Point struct{ FreqHz, GainDB float64 }

// Response returns the curve's gain in dB at f.
func Response(pts []Point, f float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	if f <= pts[0].FreqHz {
		return pts[0].GainDB
	}
	i := sort.Search(len(pts), func(i int) bool { return pts[i].FreqHz >= f })
	if i == len(pts) {
		return pts[len(pts)-1].GainDB
	}
	a, b := pts[i-1], pts[i]
	t := math.Log(f/a.FreqHz) / math.Log(b.FreqHz/a.FreqHz)
	return a.GainDB + t*(b.GainDB-a.GainDB)
}

// Size returns N for a rate.
func Size(rate float64) int {
	n := 1024
	for float64(n)*1.5 < rate*0.34 {
		n *= 2
	}
	return n
}

// Design returns the N−1 taps of the linear-phase FIR for the curve.
func Design(pts []Point, rate float64) []float64 {
	n := Size(rate)
	tr := fft.NewReal(n)
	coef := make([]complex128, n/2+1)
	for k := range coef {
		f := float64(k) * rate / float64(n)
		coef[k] = complex(math.Pow(10, Response(pts, math.Max(f, 1))/20), 0)
	}
	h := tr.Sequence(nil, coef)
	taps := make([]float64, n-1)
	c := (n - 2) / 2
	for i := range taps {
		x := h[((i-c)%n+n)%n] / float64(n)
		// Blackman window over the taps.
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-2)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-2))
		taps[i] = x * w
	}
	return taps
}

// EQ is the processor.
type EQ struct {
	design func(rate float64) []float64
	delay  int // the FIR's, (L−1)/2
	block  int
	fft    *fft.Real
	hf     []complex128 // the taps' spectrum, 2N points
	in     [][]float64  // per channel: the current input block
	out    [][]float64  // per channel: the output block being played
	tail   [][]float64  // per channel: overlap carried to the next blocks
	seq    []float64
	spec   []complex128
	pos    int
}

// New returns an EQ for the curve; Prepare designs the filter.
func New(pts []Point) *EQ {
	pts = append([]Point(nil), pts...)
	return newFIR(func(rate float64) []float64 { return Design(pts, rate) })
}

// newFIR returns the processor of the FIR that design returns for a rate:
// symmetric (linear phase) and odd in length, so its delay is a whole
// number of frames. Prepare designs it.
func newFIR(design func(rate float64) []float64) *EQ { return &EQ{design: design} }

// Prepare designs the FIR for the rate and allocates the state.
func (e *EQ) Prepare(spec dsp.Spec) {
	taps := e.design(spec.SampleRate)
	e.delay = (len(taps) - 1) / 2
	e.block = 1024
	for e.block < len(taps)-1 {
		e.block *= 2
	}
	p := 2 * e.block
	e.fft = fft.NewReal(p)
	buf := make([]float64, p)
	copy(buf, taps)
	e.hf = e.fft.Coefficients(nil, buf)
	e.seq = make([]float64, p)
	e.spec = make([]complex128, p/2+1)
	ch := spec.Channels
	e.in, e.out, e.tail = planes[float64](ch, e.block), planes[float64](ch, e.block), planes[float64](ch, p)
	e.Reset()
}

// Reset clears the state.
func (e *EQ) Reset() {
	clearPlanes(e.in, e.out, e.tail)
	e.pos = 0
}

// planes is the state of ch channels, n samples each.
func planes[T float32 | float64](ch, n int) [][]T {
	s := make([][]T, ch)
	for c := range s {
		s[c] = make([]T, n)
	}
	return s
}

// clearPlanes zeroes every channel of each state.
func clearPlanes[T float32 | float64](states ...[][]T) {
	for _, s := range states {
		for _, c := range s {
			clear(c)
		}
	}
}

// Latency is the FIR's delay plus one block.
func (e *EQ) Latency() int { return e.delay + e.block }

// Process filters buf in place, delayed by Latency frames.
func (e *EQ) Process(buf *audio.Buffer) {
	n := buf.Frames()
	for i := 0; i < n; {
		k := min(n-i, e.block-e.pos)
		for c, ch := range buf.Data {
			for j := range k {
				x := ch[i+j]
				ch[i+j] = float32(e.out[c][e.pos+j])
				e.in[c][e.pos+j] = float64(x)
			}
		}
		e.pos += k
		i += k
		if e.pos == e.block {
			e.run()
			e.pos = 0
		}
	}
}

// run convolves the full input block and fills the next output block.
func (e *EQ) run() {
	p := len(e.seq)
	for c := range e.in {
		copy(e.seq, e.in[c])
		clear(e.seq[e.block:])
		e.spec = e.fft.Coefficients(e.spec, e.seq)
		for k := range e.spec {
			e.spec[k] *= e.hf[k]
		}
		y := e.fft.Sequence(e.seq, e.spec)
		t := e.tail[c]
		for j := range p {
			t[j] += y[j] / float64(p)
		}
		copy(e.out[c], t[:e.block])
		copy(t, t[e.block:])
		clear(t[p-e.block:])
	}
}
