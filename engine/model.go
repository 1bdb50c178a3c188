package engine

import (
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/limiter"
	"stemmaster/loudness"
)

// gainModel predicts the integrated loudness of the master — the bus
// after a gain and the true-peak limiter — from one pass over the bus, so
// that loudness targeting can run the limiter over the whole song once
// instead of iterating.
//
// While the master EQ and compressor write the bus, the model keeps per
// millisecond segment the K-weighted energy (BS.1770-4, both channels) and
// the peak (the larger of the sample peak and a cubic estimate of the
// peak half-way between samples, close to the limiter's 4× detector). For
// a gain g the limiter's gain is then simulated per segment as the limiter
// computes it per frame (limiter package doc): the required gain
// min(1, c/(g·peak)), held over the look-ahead, released towards unity by
// the limiter's own program-dependent release; each segment's energy is weighted by
// the square of that gain, and the 400 ms gating blocks of BS.1770-4 are
// gated as the meter gates them. Without limiting the prediction is the
// meter's reading (the same segments, the same gates); with limiting it
// reads within a few hundredths of a LU of the limiter's output even at
// 16 dB of peak limiting (TestGainModel), and targeting corrects what is
// left by the measured miss.
// One evaluation costs about a millisecond per four minutes.
type gainModel struct {
	rate float64
	kw   *loudness.StereoKWeighting // K-weighting and peak estimate, both channels

	energy []float64 // K-weighted energy per segment, channels summed
	peak   []float32 // peak estimate per segment
	fed    int       // frames fed
	segEnd int       // first frame of the next segment
	acc    float64
	pk     float32

	// Scratch of one evaluation, reused by the next: the targeting pass
	// starts while the solver evaluates, at the render's largest heap.
	need, gains, sub, blocks []float64
}

func newGainModel(rate float64, frames int) *gainModel {
	m := &gainModel{rate: rate, kw: loudness.NewStereoKWeighting(rate)}
	segs := int(float64(frames)*1000/rate) + 1
	m.energy = make([]float64, 0, segs)
	m.peak = make([]float32, 0, segs)
	m.segEnd = m.segFrame(1)
	return m
}

// segFrame is the first frame of segment j: round(j·fs/1000). Ten segments
// make the meter's 10 ms sub-block (round(k·fs/100)) exactly.
func (m *gainModel) segFrame(j int) int { return int(math.Round(float64(j) * m.rate / 1000)) }

// Process feeds the next frames of the bus (stereo, in order from frame 0).
func (m *gainModel) Process(b *audio.Buffer) {
	n := b.Frames()
	for off := 0; off < n; {
		k := min(n-off, m.segEnd-m.fed)
		e, p := m.run(b.Data[0][off:off+k], b.Data[1][off:off+k])
		for c := range busChannels {
			m.acc += e[c]
			m.pk = max(m.pk, p[c])
		}
		off += k
		m.fed += k
		if m.fed == m.segEnd {
			m.energy = append(m.energy, m.acc)
			m.peak = append(m.peak, m.pk)
			m.acc, m.pk = 0, 0
			m.segEnd = m.segFrame(len(m.energy) + 1)
		}
	}
}

// run K-weights the two channels of a stretch and returns the energy and
// peak estimate of each, with the meter's K-weighting and its kernel
// (loudness.StereoKWeighting), so that the model's energies are summed from
// the meter's filter outputs.
func (m *gainModel) run(xl, xr []float32) (energy [busChannels]float64, peak [busChannels]float32) {
	el, er, pl, pr := m.kw.EnergyPeak(xl, xr)
	return [busChannels]float64{el, er}, [busChannels]float32{float32(pl), float32(pr)}
}

// loudness predicts the integrated loudness (LUFS) of the bus after
// gainDB and, when p is not nil, the limiter with parameters p (defaults
// applied as the limiter applies them).
func (m *gainModel) loudness(gainDB float64, p *limiter.Params) float64 {
	g := audio.Amplitude(gainDB)
	segs := len(m.energy)
	w := func(j int) float64 { return 1 }
	if p != nil {
		gains := m.limiterGains(g, *p)
		w = func(j int) float64 { return gains[j] * gains[j] }
	}
	// 10 ms sub-blocks, then 400 ms blocks every 100 ms, as the meter.
	subs := segs / 10
	m.sub = resize(m.sub, subs)
	sub := m.sub
	for k := range sub {
		var e float64
		for j := 10 * k; j < 10*k+10; j++ {
			e += w(j) * m.energy[j]
		}
		sub[k] = e * g * g
	}
	blocks := m.blocks[:0]
	for k := 40; k <= subs; k += 10 {
		var e float64
		for _, v := range sub[k-40 : k] {
			e += v
		}
		blocks = append(blocks, e/float64(m.segFrame(10*k)-m.segFrame(10*(k-40))))
	}
	m.blocks = blocks
	return loudness.GatedLoudness(blocks)
}

// limiterGains simulates the limiter's gain per segment at input gain g:
// required gain, held over the look-ahead (and the segment before), then
// the one-pole release towards unity. The result is valid until the next
// call.
func (m *gainModel) limiterGains(g float64, p limiter.Params) []float64 {
	p = p.WithDefaults()
	switch {
	case p.SafetyMarginDB == 0:
		p.SafetyMarginDB = limiter.DefaultSafetyMarginDB
	case p.SafetyMarginDB < 0:
		p.SafetyMarginDB = 0
	}
	c := audio.Amplitude(p.CeilingDBTP-p.SafetyMarginDB) / g
	segs := len(m.peak)
	m.need = resize(m.need, segs)
	need := m.need
	for j, pk := range m.peak {
		need[j] = 1
		if float64(pk) > c {
			need[j] = c / float64(pk)
		}
	}
	ahead := int(math.Ceil(p.LookaheadMS))
	rel := p.ReleaseEnvelope(1000) // one step per segment
	var rs envelope.ReleaseState
	m.gains = resize(m.gains, segs)
	out := m.gains
	for j := range out {
		h := 1.0
		for k := max(0, j-1); k <= min(segs-1, j+ahead); k++ {
			h = min(h, need[k])
		}
		t := 0.0
		if h < 1 {
			t = -math.Log2(h)
		}
		rel.Advance(&rs, t)
		e := 1.0
		if rs.R > 0 {
			e = min(h, math.Exp2(-rs.R))
		}
		out[j] = e
	}
	return out
}

// solve returns the gain (dB) at which the model reads aim LUFS through a
// limiter with parameters p: the predicted loudness rises with the gain
// (ever more slowly as the limiter takes more), so a bracketed secant
// search converges in a handful of evaluations. When no gain up to 48 dB of
// limiting reaches aim, reachable is false and the gain is one past those
// 48 dB.
func (m *gainModel) solve(aim float64, p limiter.Params) (gain float64, reachable bool) {
	l0 := m.loudness(0, nil)
	lo := aim - l0 // without limiting: a lower bound
	f := func(g float64) float64 { return m.loudness(g, &p) - aim }
	flo := f(lo)
	if !(flo < 0) {
		return lo, true
	}
	limit := lo + 48 // 48 dB of limiting: beyond any master
	hi := lo + 3
	fhi := f(hi)
	for fhi < 0 && hi < limit {
		lo, flo = hi, fhi
		hi += 6
		fhi = f(hi)
	}
	if fhi < 0 {
		return hi, false
	}
	for range 40 {
		// Secant inside the bracket, bisection when it would leave it.
		g := hi - fhi*(hi-lo)/(fhi-flo)
		if !(g > lo && g < hi) {
			g = (lo + hi) / 2
		}
		fg := f(g)
		if math.Abs(fg) < 1e-4 || hi-lo < 1e-4 {
			return g, true
		}
		if fg < 0 {
			lo, flo = g, fg
		} else {
			hi, fhi = g, fg
		}
	}
	return (lo + hi) / 2, true
}

// squashLUPerDB is the loudness a dB more master gain must add for the
// gain to be worth it when the target is out of reach: under it, the
// limiter takes away nearly all the gain adds, and what is left is
// distortion.
const squashLUPerDB = 0.1

// squashFrom returns the smallest gain in [lo, hi] from which a dB more
// adds under squashLUPerDB of predicted loudness through the limiter
// (the curve is concave: its slope only falls), or hi when it never does:
// beyond it the limiter only squashes the material (a steady tone at the
// ceiling reads the same however hard it is driven).
func (m *gainModel) squashFrom(lo, hi float64, p limiter.Params) float64 {
	slope := func(g float64) float64 { return m.loudness(g+0.5, &p) - m.loudness(g-0.5, &p) }
	if !(slope(hi) < squashLUPerDB) {
		return hi
	}
	for hi-lo > 0.01 {
		g := (lo + hi) / 2
		if slope(g) < squashLUPerDB {
			hi = g
		} else {
			lo = g
		}
	}
	return hi
}

// resize returns s with length n, reusing its array when it is large
// enough; the contents are unspecified.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
