package limiter

import "math"

// minHold is a sliding-window minimum over the last n values, by the van
// Herk/Gil-Werman method: the stream is cut into blocks of n; the window
// ending at position p of the current block is the current block's prefix
// (a running minimum) and the previous block's suffix from p+1 (computed
// once per block by a backward pass). Three min operations per value and no
// data-dependent branch (a monotonic deque takes as few operations but
// branches unpredictably on noise). The result is exactly the minimum of
// the same values. (The running minima are comparisons rather than min:
// the values are positive, and the builtin's NaN and signed-zero handling
// would sit on their chains.)
type minHold struct {
	vals []float64 // the current block, n
	suf  []float64 // suffix minima of the previous block, n+1 (suf[n] = +Inf)
	pos  int       // position in the current block
	pre  float64   // minimum of the current block so far
}

func newMinHold(n int) minHold {
	m := minHold{vals: make([]float64, n), suf: make([]float64, n+1)}
	m.reset()
	return m
}

// reset forgets every value: until n values are pushed, push returns the
// minimum of those pushed.
func (m *minHold) reset() {
	for i := range m.suf {
		m.suf[i] = math.Inf(1)
	}
	m.pos, m.pre = 0, math.Inf(1)
}

// run replaces each value of v, pushed in turn, by the minimum of the last
// n values pushed (of all values pushed, while fewer than n).
func (m *minHold) run(v []float64) {
	vals, suf, p, pre := m.vals, m.suf, m.pos, m.pre
	for i, x := range v {
		vals[p] = x
		if x < pre {
			pre = x
		}
		v[i] = min(suf[p+1], pre)
		if p++; p == len(vals) {
			m.nextBlock()
			p, pre = 0, math.Inf(1)
		}
	}
	m.pos, m.pre = p, pre
}

// nextBlock computes the suffix minima of the block just completed and
// starts a new one.
func (m *minHold) nextBlock() {
	s := math.Inf(1)
	for k := len(m.vals) - 1; k >= 0; k-- {
		if v := m.vals[k]; v < s {
			s = v
		}
		m.suf[k] = s
	}
	m.pre = math.Inf(1)
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

// idle reports a sum of exactly zero over a ring of zeros: pushing zeros
// changes nothing but the position.
func (b *boxFilter) idle() bool {
	if b.sum != 0 {
		return false
	}
	for _, v := range b.ring {
		if v != 0 {
			return false
		}
	}
	return true
}

// advance moves an idle box n pushes of zero on.
func (b *boxFilter) advance(n int) { b.pos = (b.pos + n) % len(b.ring) }

func (b *boxFilter) reset() {
	clear(b.ring)
	b.pos, b.sum = 0, 0
}

// allOne reports whether every value of x (all ≤ 1) is 1, with four
// independent comparisons a step (no chain of minima).
func allOne(x []float64) bool {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := (*[4]float64)(x[i : i+4])
		if q[0] < 1 || q[1] < 1 || q[2] < 1 || q[3] < 1 {
			return false
		}
	}
	for ; i < len(x); i++ {
		if x[i] < 1 {
			return false
		}
	}
	return true
}
