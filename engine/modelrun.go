package engine

import (
	"math"

	"stemmaster/dsp/biquad"
)

// kLanes is the gain model's per-channel state, each field [left, right]:
// the K-weighting filters' last inputs and outputs (shelf x and y, high-pass
// o) and the last three samples (p3 oldest) of the peak estimate. The
// layout is the kernel's: each pair is one SSE register.
type kLanes struct {
	x1, x2, y1, y2, o1, o2, p3, p2, p1 [busChannels]float64
}

// kCoeffs are the coefficients the kernel multiplies by, each in both
// lanes.
type kCoeffs struct {
	sB0, sB1, sB2, sA1, sA2 [2]float64
	hB0, hB1, hB2, hA1, hA2 [2]float64
	nine, sixteenth, abs    [2]float64
}

func newKCoeffs(s, h biquad.Coefficients) kCoeffs {
	two := func(v float64) [2]float64 { return [2]float64{v, v} }
	mask := math.Float64frombits(1<<63 - 1)
	return kCoeffs{two(s.B0), two(s.B1), two(s.B2), two(s.A1), two(s.A2),
		two(h.B0), two(h.B1), two(h.B2), two(h.A1), two(h.A2), two(9), two(1.0 / 16), two(mask)}
}

// run K-weights the two channels of a stretch and returns the energy and
// peak estimate of each. Per sample and channel: the shelf, then the
// high-pass; the energy of the output; the larger of the sample and the
// cubic (Catmull-Rom) value half-way between the previous two samples. The
// kernel (where there is one) takes both channels at once in the two lanes
// of a register, with the same operations in the same order as runGo, so
// the same bits; a stretch whose energy is not finite (NaN or infinite
// samples, where the kernel's maximum differs from Go's) is taken again by
// runGo.
func (m *gainModel) run(xl, xr []float32) (energy [busChannels]float64, peak [busChannels]float32) {
	xr = xr[:len(xl)]
	if modelAccelerated && len(xl) > 0 {
		saved := m.st
		var e, pk [2]float64
		kweightPeak(xl, xr, &m.st, &m.coef, &e, &pk)
		if finite(e[0]) && finite(e[1]) {
			m.flush()
			return e, [busChannels]float32{float32(pk[0]), float32(pk[1])}
		}
		m.st = saved
	}
	return m.runGo(xl, xr)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// runGo is run in plain Go. The channels run in one loop, so that the
// processor overlaps their recursions.
func (m *gainModel) runGo(xl, xr []float32) (energy [busChannels]float64, peak [busChannels]float32) {
	s, h, st := &m.shelf, &m.hp, &m.st
	var pk [busChannels]float64
	for i, v := range xl {
		in := [busChannels]float64{float64(v), float64(xr[i])}
		for c := range busChannels {
			y := s.B0*in[c] + s.B1*st.x1[c] + s.B2*st.x2[c] - s.A1*st.y1[c] - s.A2*st.y2[c]
			o := h.B0*y + h.B1*st.y1[c] + h.B2*st.y2[c] - h.A1*st.o1[c] - h.A2*st.o2[c]
			st.x2[c], st.x1[c] = st.x1[c], in[c]
			st.y2[c], st.y1[c] = st.y1[c], y
			st.o2[c], st.o1[c] = st.o1[c], o
			energy[c] += o * o
			mid := (9*(st.p2[c]+st.p1[c]) - st.p3[c] - in[c]) / 16
			pk[c] = max(pk[c], math.Abs(in[c]), math.Abs(mid))
			st.p3[c], st.p2[c], st.p1[c] = st.p2[c], st.p1[c], in[c]
		}
	}
	m.flush()
	return energy, [busChannels]float32{float32(pk[0]), float32(pk[1])}
}

// flush sets the filters' outputs that have decayed below 1e-150 to zero,
// so that silence never runs the recursions on subnormal numbers.
func (m *gainModel) flush() {
	st := &m.st
	for c := range busChannels {
		st.y1[c], st.y2[c] = flushed(st.y1[c]), flushed(st.y2[c])
		st.o1[c], st.o2[c] = flushed(st.o1[c]), flushed(st.o2[c])
	}
}

func flushed(v float64) float64 {
	if math.Abs(v) < 1e-150 {
		return 0
	}
	return v
}
