package loudness

import (
	"math"

	"stemmaster/dsp/biquad"
)

// Analog prototype of the K-weighting filter, as derived by libebur128 and
// pyloudnorm from the BS.1770-4 48 kHz coefficients (Tables 1 and 2 of the
// Recommendation): with K = tan(π·f0/fs),
//
//	stage 1 (shelf): Vh = 10^(G/20), Vb = Vh^0.4996667741545416, a0 = 1 + K/Q + K²,
//	                 b = [Vh + Vb·K/Q + K², 2(K² − Vh), Vh − Vb·K/Q + K²] / a0,
//	                 a = [1, 2(K² − 1)/a0, (1 − K/Q + K²)/a0]
//	stage 2 (RLB):   b = [1, −2, 1], a = [1, 2(K² − 1)/a0, (1 − K/Q + K²)/a0]
//
// At 48 kHz this gives the Recommendation's table: stage 1 b = [1.53512485958697,
// −2.69169618940638, 1.19839281085285], a = [1, −1.69065929318241,
// 0.73248077421585]; stage 2 a = [1, −1.99004745483398, 0.99007225036621].
const (
	shelfF0      = 1681.974450955533
	shelfGainDB  = 3.999843853973347
	shelfQ       = 0.7071752369554196
	shelfVbPower = 0.4996667741545416
	highPassF0   = 38.13547087602444
	highPassQ    = 0.5003270373238773
)

// KWeighting returns the two BS.1770-4 K-weighting stages for sampleRate:
// the high shelf that models the head (stage 1) and the RLB high-pass
// (stage 2). The coefficients come from the bilinear transform of the analog
// prototype with K = tan(π·f0/fs), so they are right at every rate, not only
// at the 48 kHz the standard tabulates; at 48 kHz they are the table.
//
// The table's high-pass numerator b = [1, -2, 1] is not normalised: it
// carries a pass-band gain of a0(48 kHz) = 1 + K/Q + K² ≈ 1.005 (+0.043 dB),
// which the -0.691 constant of BS.1770 takes into account. So that a 1 kHz
// tone reads the same at every rate, the numerator here is scaled by
// a0(48 kHz)/a0(fs), keeping that pass-band gain. (libebur128 and pyloudnorm
// keep [1, -2, 1] at every rate, which reads 0.26 LU high at 8 kHz and 0.03 LU
// low at 192 kHz.)
//
// At low rates the head shelf (f0 = 1.68 kHz) comes close to Nyquist and the
// bilinear transform warps it: the response matches the 48 kHz filter within
// 0.025 dB up to fs/20, but at 8 kHz a 1 kHz tone reads 0.2 dB lower than at
// 48 kHz (at 22.05 kHz, 0.02 dB lower).
func KWeighting(sampleRate float64) (shelf, highPass biquad.Coefficients) {
	k := math.Tan(math.Pi * shelfF0 / sampleRate)
	vh := math.Pow(10, shelfGainDB/20)
	vb := math.Pow(vh, shelfVbPower)
	a0 := 1 + k/shelfQ + k*k
	shelf = biquad.Coefficients{
		B0: (vh + vb*k/shelfQ + k*k) / a0,
		B1: 2 * (k*k - vh) / a0,
		B2: (vh - vb*k/shelfQ + k*k) / a0,
		A1: 2 * (k*k - 1) / a0,
		A2: (1 - k/shelfQ + k*k) / a0,
	}
	k = math.Tan(math.Pi * highPassF0 / sampleRate)
	a0 = 1 + k/highPassQ + k*k
	g := highPassA0(48000) / a0
	highPass = biquad.Coefficients{
		B0: g, B1: -2 * g, B2: g,
		A1: 2 * (k*k - 1) / a0,
		A2: (1 - k/highPassQ + k*k) / a0,
	}
	return shelf, highPass
}

func highPassA0(sampleRate float64) float64 {
	k := math.Tan(math.Pi * highPassF0 / sampleRate)
	return 1 + k/highPassQ + k*k
}

// kCoefs are the K-weighting stages as the meter runs them: the high-pass's
// numerator gain g is folded into the shelf's numerator, so the high-pass
// numerator is exactly [1, -2, 1] and the loop carries one coefficient less.
type kCoefs struct {
	b0, b1, b2, a1, a2 float64 // shelf, numerator times g
	c1, c2             float64 // high-pass denominator
}

func newKCoefs(sampleRate float64) kCoefs {
	s, h := KWeighting(sampleRate)
	g := h.B0
	return kCoefs{b0: s.B0 * g, b1: s.B1 * g, b2: s.B2 * g, a1: s.A1, a2: s.A2, c1: h.A1, c2: h.A2}
}

// wideK are kCoefs for the two-channel kernel: b0 b1 b2 a1 a2 c1 c2 and the
// constant 2, each stored twice, one per lane.
type wideK [8][2]float64

// widenK returns k widened, or nil when the processor lacks the kernel.
func widenK(k kCoefs) *wideK {
	if !kAccelerated {
		return nil
	}
	var w wideK
	for i, v := range [8]float64{k.b0, k.b1, k.b2, k.a1, k.a2, k.c1, k.c2, 2} {
		w[i] = [2]float64{v, v}
	}
	return &w
}

// kFilter is one channel's K-weighting state: both stages in direct form I,
// in float64. Direct form I keeps the feed-forward sums off the recursive
// critical path, so each stage costs one multiply-add of latency per sample.
type kFilter struct {
	x1, x2 float64 // stage 1 inputs
	y1, y2 float64 // stage 1 outputs (times g) = stage 2 inputs
	o1, o2 float64 // stage 2 outputs
}

// tiny is where filter state is flushed to zero after a signal has decayed:
// far below anything a float32 sample can carry (1.4e-45), and far above the
// float64 subnormals whose arithmetic is slow on most CPUs.
const tiny = 1e-150

func flush(v float64) float64 {
	if math.Abs(v) < tiny {
		return 0
	}
	return v
}

// run K-weights x and returns the sum of the squared output.
func (f *kFilter) run(k *kCoefs, x []float32) float64 {
	b0, b1, b2, a1, a2, c1, c2 := k.b0, k.b1, k.b2, k.a1, k.a2, k.c1, k.c2
	x1, x2, y1, y2, o1, o2 := f.x1, f.x2, f.y1, f.y2, f.o1, f.o2
	var sum float64
	for _, v := range x {
		in := float64(v)
		y := (b0*in + b1*x1 + b2*x2 - a2*y2) - a1*y1
		o := (y - 2*y1 + y2 - c2*o2) - c1*o1
		x2, x1 = x1, in
		y2, y1 = y1, y
		o2, o1 = o1, o
		sum += o * o
	}
	f.x1, f.x2 = x1, x2
	f.y1, f.y2 = flush(y1), flush(y2)
	f.o1, f.o2 = flush(o1), flush(o2)
	return sum
}

// run2 K-weights two channels at once: the two independent recursions
// overlap in the CPU's pipeline, which nearly halves the time per channel.
// To keep the loop's state in registers, the past inputs are read back from
// the input slices rather than carried.
//
// With w (the coefficients widened, when the processor has the kernel) the
// frames after the first two run through kweight2AVX, the two channels side
// by side in one register, with bit-identical results.
func run2(f, g *kFilter, k *kCoefs, w *wideK, xa, xb []float32) (sa, sb float64) {
	xb = xb[:len(xa)]
	if len(xa) <= 2 {
		return f.run(k, xa), g.run(k, xb)
	}
	sa, sb = f.run(k, xa[:2]), g.run(k, xb[:2])
	if w != nil {
		st := [14]float64{
			float64(xa[1]), float64(xb[1]), float64(xa[0]), float64(xb[0]),
			f.y1, g.y1, f.y2, g.y2, f.o1, g.o1, f.o2, g.o2, sa, sb,
		}
		kweight2(xa[2:], xb[2:], w, &st)
		n := len(xa)
		f.x1, f.x2 = float64(xa[n-1]), float64(xa[n-2])
		g.x1, g.x2 = float64(xb[n-1]), float64(xb[n-2])
		f.y1, g.y1, f.y2, g.y2 = flush(st[4]), flush(st[5]), flush(st[6]), flush(st[7])
		f.o1, g.o1, f.o2, g.o2 = flush(st[8]), flush(st[9]), flush(st[10]), flush(st[11])
		return st[12], st[13]
	}
	b0, b1, b2, a1, a2, c1, c2 := k.b0, k.b1, k.b2, k.a1, k.a2, k.c1, k.c2
	ay1, ay2, ao1, ao2 := f.y1, f.y2, f.o1, f.o2
	by1, by2, bo1, bo2 := g.y1, g.y2, g.o1, g.o2
	for i := 2; i < len(xa); i++ {
		y := (b0*float64(xa[i]) + b1*float64(xa[i-1]) + b2*float64(xa[i-2]) - a2*ay2) - a1*ay1
		o := (y - 2*ay1 + ay2 - c2*ao2) - c1*ao1
		ay2, ay1 = ay1, y
		ao2, ao1 = ao1, o
		sa += o * o

		y = (b0*float64(xb[i]) + b1*float64(xb[i-1]) + b2*float64(xb[i-2]) - a2*by2) - a1*by1
		o = (y - 2*by1 + by2 - c2*bo2) - c1*bo1
		by2, by1 = by1, y
		bo2, bo1 = bo1, o
		sb += o * o
	}
	n := len(xa)
	f.x1, f.x2 = float64(xa[n-1]), float64(xa[n-2])
	f.y1, f.y2 = flush(ay1), flush(ay2)
	f.o1, f.o2 = flush(ao1), flush(ao2)
	g.x1, g.x2 = float64(xb[n-1]), float64(xb[n-2])
	g.y1, g.y2 = flush(by1), flush(by2)
	g.o1, g.o2 = flush(bo1), flush(bo2)
	return sa, sb
}

// StereoKWeighting is the meter's K-weighting of one two-channel stream for
// callers that sum the K-weighted energy over stretches of their own (the
// engine's gain model sums it per millisecond): the meter's filters, with
// the meter's arithmetic, in a sibling of its kernels built from the same
// step (KSTEP), so the K-weighting has one implementation.
type StereoKWeighting struct {
	k kCoefs
	w *wideK
	// st is the state in the kernel's layout, kept there between calls so
	// that the kernel loads what was stored long before: x1 x2 y1 y2 o1 o2
	// (kFilter's), the sum, the last three samples (oldest first) and the
	// peak, each [channel a, channel b].
	st [22]float64
}

// NewStereoKWeighting returns the K-weighting for sampleRate, at rest.
func NewStereoKWeighting(sampleRate float64) *StereoKWeighting {
	k := newKCoefs(sampleRate)
	return &StereoKWeighting{k: k, w: widenK(k)}
}

// EnergyPeak K-weights the next frames of the two channels, a and b
// (len(b) ≥ len(a)), and returns the sum of each channel's squared output
// and its peak estimate: the largest magnitude of its samples and of the
// cubic (Catmull-Rom) estimates half-way between them,
// (9·(x[i−2] + x[i−1]) − x[i−3] − x[i])/16, close to a true-peak meter's
// reading at a fraction of its cost. The estimate is NaN when one of them
// is (NaN samples, infinities of both signs).
//
// The sums are the meter's filter's (kFilter.run) bit for bit. Where there
// is a kernel both channels run in it, side by side, with the estimate in
// the same loop, where it takes the time the recursions leave idle.
func (s *StereoKWeighting) EnergyPeak(a, b []float32) (ea, eb, pa, pb float64) {
	b = b[:len(a)]
	st := &s.st
	if s.w != nil && len(a) > 0 {
		saved := *st
		kweightPeak2(a, b, s.w, st)
		if e, p := st[12]+st[13], st[20]+st[21]; !math.IsNaN(e-e) && !math.IsNaN(p) {
			for i := 4; i < 12; i++ {
				st[i] = flush(st[i])
			}
			return st[12], st[13], st[20], st[21]
		}
		// Non-finite samples: the kernel's maximum may drop NaN where max
		// keeps it, so the stretch runs again in Go.
		*st = saved
	}
	for c, x := range [2][]float32{a, b} {
		f := kFilter{x1: st[c], x2: st[2+c], y1: st[4+c], y2: st[6+c], o1: st[8+c], o2: st[10+c]}
		last := [3]float64{st[14+c], st[16+c], st[18+c]}
		st[12+c], st[20+c] = f.run(&s.k, x), peakEstimate(x, &last)
		st[c], st[2+c], st[4+c], st[6+c], st[8+c], st[10+c] = f.x1, f.x2, f.y1, f.y2, f.o1, f.o2
		st[14+c], st[16+c], st[18+c] = last[0], last[1], last[2]
	}
	return st[12], st[13], st[20], st[21]
}

// peakEstimate is EnergyPeak's peak estimate of one channel in Go; last
// carries the stretch's last three samples (oldest first) to the next.
func peakEstimate(x []float32, last *[3]float64) float64 {
	p3, p2, p1 := last[0], last[1], last[2]
	var pk float64
	for _, v := range x {
		in := float64(v)
		mid := (9*(p2+p1) - p3 - in) / 16
		pk = max(pk, math.Abs(in), math.Abs(mid))
		p3, p2, p1 = p2, p1, in
	}
	*last = [3]float64{p3, p2, p1}
	return pk
}
