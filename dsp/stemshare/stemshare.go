// Package stemshare runs a nonlinear stage of the master bus once, on the
// sum of the stems, and shares its effect out among the stems, so that
// stem-aware limiting can act on stems that still add up to the bus
// without running the stage once per stem.
//
// The stage is taken as a linear part — a gain G and its latency L as a
// pure delay, ℓ_s = G·x_s delayed — and what it does on top, which is
// shared out in two parts per frame and channel:
//
//   - the sum's relative gain change q = d·ℓ/(ℓ² + ε²) with d = y − ℓ
//     (y the stage's output on the sum, ℓ = Σ ℓ_s): d/ℓ wherever the sum
//     is clear of a zero crossing (|ℓ| ≫ ε, ε a twentieth of the stems'
//     peaks over the stretch), bounded to [−1, 0.1]. Every stem takes the
//     same gain, ℓ_s·(1 + q): for a memoryless curve at the base rate that
//     is what each stem keyed by the sum gets (curve(u)/u), exactly;
//   - the remainder r = d − ℓ·q (near zero crossings, past the bounds, and
//     what the stage's oversampling filters make of the curve) by the
//     stems' levels: c_s·r with c_s the stem's part of the sum of the
//     stems' peak levels over each 32-frame stretch of the output,
//     interpolated linearly from one stretch's end to the next; a stem
//     silent over two stretches takes none. A stretch's peaks are read
//     ahead of the output (the delay line holds L frames more).
//
// So y_s = ℓ_s·(1 + q) + c_s·r with Σ c_s = 1, and Σ_s y_s = y to float32
// rounding (TestSumIsStage); a stem alone, or every stem where the curve is
// linear, comes out as the stage's linear response (TestLinearPart). A DC
// blocker after the curve (Linear.DCBlockHz) is taken off y before the
// sharing and run on every stem's share after it, so the even-order
// distortion's DC is shared with the rest and each stem's is removed by its
// own blocker, as in the stage.
//
// What this gives up against running the stage on every stem keyed by the
// sum (saturate.Saturator's ProcessKeyGroup, 8× oversampled per stem):
// the gain is the sum's at the base rate, not at 8×; the linear part is a
// pure delay where the stage's oversampling filters round-trip (flat
// within 0.001 dB to 0.44·fs; what they cut above goes to the remainder).
// With the master's saturation driven 3 dB by a sum near full scale each
// stem departs from the exact keyed processing by about −36 dB of itself
// (engine's TestStemAwareChainsAddUp holds it under −30); the sum is the
// stage's output either way.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package stemshare

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// Linear is the stage's linear part.
type Linear struct {
	Gain    float64 // small-signal gain
	Latency int     // frames, the stage's Latency
	// DCBlockHz is the corner of the stage's one-pole DC blocker
	// (y = x − x₁ + a·y₁, a = exp(−2π·f/fs)); 0 for none.
	DCBlockHz float64
}

// stretch is the number of frames over which a share is interpolated.
const stretch = 32

// Stage is the shared stage for a fixed number of stems.
type Stage struct {
	stage    dsp.Processor
	lin      Linear
	k, ch    int
	g        float32
	dcA      float64
	lines    [][]float32   // [stem·ch+c]: L frames of history, then the block
	dcx, dcy []float64     // [stem·ch+c] DC blocker memory
	ux, uy   []float64     // [c] undoDC\'s memory
	sum      *audio.Buffer // the stage's output, then the remainder r
	lsum     *audio.Buffer // the sum of the linear parts, ℓ
	q        *audio.Buffer // the sum's relative gain change
	eps      []float32     // [c] the current stretch's ε
	prev     []float64     // [stem·ch+c] share at the end of the stretch before
	cur      []float64     // [stem·ch+c] share at the end of the current one
	pos      int64         // frames output since Reset
	done     int64         // stretches whose shares are in cur
	peak     []float64     // [stem] scratch: one stretch's level
}

// New returns the stage sharing the effect of stage (a processor prepared
// for spec, which New does not prepare again) among stems stems. stage may
// be nil when the caller has its output on the sum (ProcessOutput).
func New(stage dsp.Processor, lin Linear, stems int, spec dsp.Spec) *Stage {
	if stems < 1 || lin.Latency < 0 || (stage != nil && lin.Latency != stage.Latency()) {
		panic(fmt.Sprintf("stemshare: %d stems, latency %d for a stage %T", stems, lin.Latency, stage))
	}
	s := &Stage{stage: stage, lin: lin, k: stems, ch: spec.Channels, g: float32(lin.Gain)}
	if lin.DCBlockHz > 0 {
		s.dcA = math.Exp(-2 * math.Pi * lin.DCBlockHz / spec.SampleRate)
	}
	n := stems * spec.Channels
	s.lines = make([][]float32, n)
	for i := range s.lines {
		s.lines[i] = make([]float32, lin.Latency+spec.MaxBlockSize)
	}
	s.dcx, s.dcy = make([]float64, n), make([]float64, n)
	s.ux, s.uy = make([]float64, spec.Channels), make([]float64, spec.Channels)
	s.prev, s.cur = make([]float64, n), make([]float64, n)
	s.peak = make([]float64, stems)
	s.sum = audio.NewBuffer(spec.Channels, spec.MaxBlockSize)
	s.lsum = audio.NewBuffer(spec.Channels, spec.MaxBlockSize)
	s.q = audio.NewBuffer(spec.Channels, spec.MaxBlockSize)
	s.eps = make([]float32, spec.Channels)
	s.Reset()
	return s
}

// Latency is the stage's.
func (s *Stage) Latency() int { return s.lin.Latency }

// Reset clears the stage, the delay lines and the shares.
func (s *Stage) Reset() {
	if s.stage != nil {
		s.stage.Reset()
	}
	for i := range s.lines {
		clear(s.lines[i])
	}
	clear(s.dcx)
	clear(s.dcy)
	clear(s.ux)
	clear(s.uy)
	for i := range s.cur {
		s.cur[i] = 1 / float64(s.k)
		s.prev[i] = s.cur[i]
	}
	s.pos, s.done = 0, 0
}

// Process replaces every stem of bufs (the stems' blocks, in place) by its
// linear part and share of the stage's distortion; key is the stems' sum
// over the block (not modified), which the stage processes.
func (s *Stage) Process(bufs []*audio.Buffer, key *audio.Buffer) {
	if s.stage == nil {
		panic("stemshare: Process without a stage")
	}
	s.load(key)
	s.stage.Process(s.sum)
	s.distribute(bufs)
}

// ProcessOutput is Process given the stage's output for the block, out,
// instead of running the stage on the sum: the caller has it (the master
// bus, which the master chain ran over). out is not modified.
func (s *Stage) ProcessOutput(bufs []*audio.Buffer, out *audio.Buffer) {
	s.load(out)
	s.distribute(bufs)
}

// load copies b (the sum or the stage's output) to s.sum.
func (s *Stage) load(b *audio.Buffer) {
	if b.Channels() != s.ch {
		panic(fmt.Sprintf("stemshare: a sum of %d channels, made for %d", b.Channels(), s.ch))
	}
	n := b.Frames()
	s.sum.SetFrames(n)
	for c := range s.ch {
		copy(s.sum.Data[c], b.Data[c][:n])
	}
}

// distribute replaces every stem of bufs by its linear part plus its
// share of s.sum (the stage's output on the sum) less the linear parts.
func (s *Stage) distribute(bufs []*audio.Buffer) {
	if len(bufs) != s.k {
		panic(fmt.Sprintf("stemshare: %d stems, made for %d", len(bufs), s.k))
	}
	for _, b := range bufs {
		dsp.CheckKey("stemshare", b, s.sum)
	}
	n := s.sum.Frames()
	L := s.lin.Latency
	for c := range s.ch {
		clear(s.lsum.Data[c][:n])
	}
	for k, b := range bufs {
		for c := range s.ch {
			copy(s.lines[k*s.ch+c][L:L+n], b.Data[c][:n])
		}
		for c := range s.ch {
			x, l, g := b.Data[c][:n], s.lsum.Data[c][:n], s.g
			for t, v := range s.lines[k*s.ch+c][:n] {
				x[t] = v * g
				l[t] += x[t]
			}
		}
	}
	if s.dcA != 0 {
		for c := range s.ch {
			s.undoDC(c, s.sum.Data[c][:n])
		}
	}
	s.share(bufs, n)
	if s.dcA != 0 {
		k := 0
		if s.ch == 2 { // two stereo stems per loop: four recursions overlap
			for ; k+1 < len(bufs); k += 2 {
				s.dcQuad(2*k, bufs[k], bufs[k+1], n)
			}
		}
		for ; k < len(bufs); k++ {
			b := bufs[k]
			c := 0
			for ; c+1 < s.ch; c += 2 {
				s.dcPair(k*s.ch+c, b.Data[c][:n], b.Data[c+1][:n])
			}
			if c < s.ch {
				s.dcPair(k*s.ch+c, b.Data[c][:n], nil)
			}
		}
	}
	for _, line := range s.lines {
		copy(line[:L], line[n:n+L])
	}
	s.pos += int64(n)
}

// undoDC takes the stage's DC blocker off channel c of its output y, in
// place: x[n] = x[n−1] + y[n] − a·y[n−1], in float64. The sharing then
// works on the curve's own output, whose even-order distortion has its DC
// (a DC blocker ahead of it would spread the DC's removal by the sharing
// rule instead of by each stem's own DC), and every stem's share goes
// through its own DC blocker after (dcPair), so the stems still add up to
// y.
func (s *Stage) undoDC(c int, y []float32) {
	x1, y1, a := s.ux[c], s.uy[c], s.dcA
	for t, v := range y {
		yv := float64(v)
		x1 += yv - a*y1
		y1 = yv
		y[t] = float32(x1)
	}
	s.ux[c], s.uy[c] = x1, y1
}

// dcQuad is dcPair over two stereo stems at once, stem channels i … i+3:
// the same arithmetic, four recursions in one loop.
func (s *Stage) dcQuad(i int, b0, b1 *audio.Buffer, n int) {
	x0, x1, x2, x3 := b0.Data[0][:n], b0.Data[1][:n], b1.Data[0][:n], b1.Data[1][:n]
	dx, dy := (*[4]float64)(s.dcx[i:i+4]), (*[4]float64)(s.dcy[i:i+4])
	a := s.dcA
	dx0, dx1, dx2, dx3 := dx[0], dx[1], dx[2], dx[3]
	dy0, dy1, dy2, dy3 := dy[0], dy[1], dy[2], dy[3]
	for t := range x0 {
		u0, u1, u2, u3 := float64(x0[t]), float64(x1[t]), float64(x2[t]), float64(x3[t])
		dy0 = u0 - dx0 + a*dy0
		dy1 = u1 - dx1 + a*dy1
		dy2 = u2 - dx2 + a*dy2
		dy3 = u3 - dx3 + a*dy3
		dx0, dx1, dx2, dx3 = u0, u1, u2, u3
		x0[t], x1[t], x2[t], x3[t] = float32(dy0), float32(dy1), float32(dy2), float32(dy3)
	}
	*dx, *dy = [4]float64{dx0, dx1, dx2, dx3}, [4]float64{dy0, dy1, dy2, dy3}
}

// dcPair runs the DC blocker (y = x − x₁ + a·y₁, float64) over stem
// channels i and i+1, x0 and x1 (nil for none), in place, in one loop: the
// two recursions overlap (each alone waits on its multiply-add every
// frame).
func (s *Stage) dcPair(i int, x0, x1 []float32) {
	a := s.dcA
	if x1 == nil {
		dx, dy := s.dcx[i], s.dcy[i]
		for t, v := range x0 {
			u := float64(v)
			dy = u - dx + a*dy
			dx = u
			x0[t] = float32(dy)
		}
		s.dcx[i], s.dcy[i] = dx, dy
		return
	}
	x1 = x1[:len(x0)]
	dx0, dy0, dx1, dy1 := s.dcx[i], s.dcy[i], s.dcx[i+1], s.dcy[i+1]
	for t := range x0 {
		u0, u1 := float64(x0[t]), float64(x1[t])
		dy0 = u0 - dx0 + a*dy0
		dy1 = u1 - dx1 + a*dy1
		dx0, dx1 = u0, u1
		x0[t], x1[t] = float32(dy0), float32(dy1)
	}
	s.dcx[i], s.dcy[i], s.dcx[i+1], s.dcy[i+1] = dx0, dy0, dx1, dy1
}

// Bounds of the relative gain change q: a compressive curve's gain
// curve(x)/x lies between 0 and its slope at 0 (q in [−1, 0]); the warm
// curve's asymmetry lifts it over the slope by up to 7 %.
const (
	minQ = -1.0
	maxQ = 0.1
	// epsShare sets ε, under which the sum counts as near a zero crossing:
	// this part of the sum of the stems' peaks over the stretch.
	epsShare = 0.05
)

// gainChange turns the stage's output y into the relative gain change of
// the sum, q = d·ℓ/(ℓ² + ε²) with d = y − ℓ (d/ℓ where |ℓ| ≫ ε, going to
// 0 near the sum's zero crossings, where d/ℓ is rounding or filter
// residue over almost nothing), bounded to [minQ, maxQ], and leaves in y
// the remainder d − ℓ·q.
func gainChange(y, l, q []float32, eps float32) {
	l, q = l[:len(y)], q[:len(y)]
	e2 := eps * eps
	for t, v := range y {
		lt := l[t]
		d := v - lt
		g := float32(0)
		if den := lt*lt + e2; den > 0 {
			g = min(max(d*lt/den, minQ), maxQ)
		}
		q[t] = g
		y[t] = d - lt*g
	}
}

// share adds to every stem its share of the distortion in s.sum, stretch
// by stretch of the output frames.
func (s *Stage) share(bufs []*audio.Buffer, n int) {
	for t0 := 0; t0 < n; {
		abs := s.pos + int64(t0)
		j := abs / stretch
		if j >= s.done {
			s.next(j, n)
		}
		off := int(abs - j*stretch) // frames of stretch j before t0
		t1 := min(n, t0+stretch-off)
		for c := range s.ch {
			gainChange(s.sum.Data[c][t0:t1], s.lsum.Data[c][t0:t1], s.q.Data[c][t0:t1], s.eps[c])
		}
		for k, b := range bufs {
			for c := range s.ch {
				i := k*s.ch + c
				p, step := s.prev[i], (s.cur[i]-s.prev[i])/stretch
				x, r, q := b.Data[c][t0:t1], s.sum.Data[c][t0:t1], s.q.Data[c][t0:t1]
				x, q = x[:len(r)], q[:len(r)]
				w0, dw := float32(p), float32(step)
				for t, v := range r {
					x[t] += x[t]*q[t] + v*(w0+dw*float32(off+1+t))
				}
			}
		}
		t0 = t1
	}
}

// next computes the shares of stretch j (output frames [32j, 32j+32)),
// read from the delay lines, which hold them ahead of the block's n
// output frames (all of them when the latency is at least 31).
func (s *Stage) next(j int64, n int) {
	at := int(j*stretch - s.pos) // the stretch's first frame in the lines
	for c := range s.ch {
		tot := 0.0
		for k := range s.k {
			i := k*s.ch + c
			m := peakBits(s.lines[i][at:min(at+stretch, s.lin.Latency+n)])
			e := float64(math.Float32frombits(m))
			s.peak[k] = e
			tot += e
		}
		s.eps[c] = float32(epsShare * math.Abs(s.lin.Gain) * tot)
		for k := range s.k {
			i := k*s.ch + c
			s.prev[i] = s.cur[i]
			if tot > 0 {
				s.cur[i] = s.peak[k] / tot
			} else {
				s.cur[i] = 1 / float64(s.k)
			}
		}
	}
	s.done = j + 1
}

// peakBits returns the bits of the largest |v| of x: the bits of a float32
// with the sign cleared order as the values do, so the maximum is an
// integer one, four lanes at a time (a NaN's bits exceed +Inf's: it wins).
func peakBits(x []float32) uint32 {
	const abs = 1<<31 - 1
	var m0, m1, m2, m3 uint32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := (*[4]float32)(x[i : i+4])
		m0 = max(m0, math.Float32bits(q[0])&abs)
		m1 = max(m1, math.Float32bits(q[1])&abs)
		m2 = max(m2, math.Float32bits(q[2])&abs)
		m3 = max(m3, math.Float32bits(q[3])&abs)
	}
	for ; i < len(x); i++ {
		m0 = max(m0, math.Float32bits(x[i])&abs)
	}
	return max(m0, m1, m2, m3)
}
