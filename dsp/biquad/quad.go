package biquad

// Four sections in series over two channels in one pass (the quad kernel).
// The pair kernel is bound by the recursion's latency (a multiply and a
// subtraction per frame and section) rather than by the arithmetic, so it
// leaves most of the CPU's floating-point units idle. The quad kernel
// skews the four sections A, B, C, D in time: in the step for frame t, A
// filters frame t, B frame t−2, C frame t−4 and D frame t−6, each fed the
// previous section's output of the step two before (two apart, so that
// passing an output on is not itself a chain from step to step as long as
// the recursion's). The four recursions are then independent within a
// step, and with both channels they fill two 4-lane registers:
// [A₀ A₁ B₀ B₁] and [C₀ C₁ D₀ D₁]. Per lane the operations and their
// order are those of run, so the output is bit-identical to the sections
// run one after another. The skew's ramps (the first six frames of A, four
// of B, two of C; the last two of B, four of C, six of D) run in Go with
// the same arithmetic.

// quadCoefficients are four sections' coefficients for the kernel: for the
// registers [A B] then [C D], b0 k1 k2 a1 a2, each as [x x y y] (x, y the
// register's two sections).
type quadCoefficients [10][4]float64

func quadden(cs []ssCoefficients) *quadCoefficients {
	var q quadCoefficients
	for g := range 2 {
		c, d := cs[2*g], cs[2*g+1]
		for i, v := range [5][2]float64{{c.b0, d.b0}, {c.k1, d.k1}, {c.k2, d.k2}, {c.a1, d.a1}, {c.a2, d.a2}} {
			q[5*g+i] = [4]float64{v[0], v[0], v[1], v[1]}
		}
	}
	return &q
}

// quadMinFrames is the shortest block the quad kernel takes: the skew's
// ramps need six frames.
const quadMinFrames = 6

// steps2 filters two channels through one section in one loop, without
// flushing the state at the end (run2 does; the quad kernel's ramps do not
// end a chunk). Each channel gets exactly the arithmetic of run.
func steps2(x0, x1 []float64, c ssCoefficients, st0, st1 *state) {
	b0, k1, k2, a1, a2 := c.b0, c.k1, c.k2, c.a1, c.a2
	p1, p2 := st0.s1, st0.s2
	q1, q2 := st1.s1, st1.s2
	x1 = x1[:len(x0)]
	for i, u := range x0 {
		v := x1[i]
		y := b0*u + p1
		z := b0*v + q1
		p1, p2 = (k1*u+p2)-a1*p1, k2*u-a2*p1
		q1, q2 = (k1*v+q2)-a1*q1, k2*v-a2*q1
		x0[i] = y
		x1[i] = z
	}
	st0.s1, st0.s2 = p1, p2
	st1.s1, st1.s2 = q1, q2
}

// runQuad2 filters two channels (len(x0) ≥ quadMinFrames) through the four
// sections cs in series with the quad kernel; st0 and st1 are the
// sections' states of each channel. States are flushed at the end as run2
// flushes them.
func runQuad2(x0, x1 []float64, k *quadCoefficients, cs []ssCoefficients, st0, st1 []state) {
	runQuad2With(x0, x1, k, cs, st0, st1, nil, nil, nil)
}

// runQuad2With is runQuad2 with a rider when m is set: the one section rc
// (state rst) filters m (len(x0) frames) as run does, its recursion in
// the kernel's loop (runQuadRiderAsm: m[t−6] in the step for frame t, the
// last six frames after it).
func runQuad2With(x0, x1 []float64, k *quadCoefficients, cs []ssCoefficients, st0, st1 []state, m []float64, rc *ssCoefficients, rst *state) {
	n := len(x0)
	x1 = x1[:n]
	cs, st0, st1 = cs[:4], st0[:4], st1[:4]
	// Ramp up: section j filters frames [0, 6−2j).
	for j := range 3 {
		steps2(x0[:6-2*j], x1[:6-2*j], cs[j], &st0[j], &st1[j])
	}
	st := [16]float64{
		st0[0].s1, st1[0].s1, st0[1].s1, st1[1].s1, st0[0].s2, st1[0].s2, st0[1].s2, st1[1].s2,
		st0[2].s1, st1[2].s1, st0[3].s1, st1[3].s1, st0[2].s2, st1[2].s2, st0[3].s2, st1[3].s2,
	}
	// carry: the outputs of the steps before the first two, [A B] then
	// [C D]: the step for frame 4 (A's output of frame 4, B's of 2, C's of
	// 0; D's is not read), then for frame 5.
	carry := [16]float64{
		x0[4], x1[4], x0[2], x1[2], x0[0], x1[0], 0, 0,
		x0[5], x1[5], x0[3], x1[3], x0[1], x1[1], 0, 0,
	}
	if m == nil {
		runQuad2Asm(x0, x1, k, &st, &carry)
	} else {
		m = m[:n]
		r, rs := [5]float64{rc.b0, rc.k1, rc.k2, rc.a1, rc.a2}, [2]float64{rst.s1, rst.s2}
		runQuadRiderAsm(x0, x1, k, &st, &carry, m, &r, &rs)
		s1, s2 := rs[0], rs[1]
		for i := n - 6; i < n; i++ { // run's loop
			v := m[i]
			y := rc.b0*v + s1
			s1, s2 = (rc.k1*v+s2)-rc.a1*s1, rc.k2*v-rc.a2*s1
			m[i] = y
		}
		rst.s1, rst.s2 = flush(s1, rc.flush), flush(s2, rc.flush)
	}
	st0[0].s1, st1[0].s1, st0[1].s1, st1[1].s1, st0[0].s2, st1[0].s2, st0[1].s2, st1[1].s2 = st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7]
	st0[2].s1, st1[2].s1, st0[3].s1, st1[3].s1, st0[2].s2, st1[2].s2, st0[3].s2, st1[3].s2 = st[8], st[9], st[10], st[11], st[12], st[13], st[14], st[15]
	// Ramp down: the outputs of the last two steps (the step for frame t
	// used the carry of parity t mod 2) go back into x, A's of frames n−1
	// and n−2, B's of n−3 and n−4, C's of n−5 and n−6; then section j
	// filters frames [n−2j, n).
	for d := 1; d <= 2; d++ {
		c := carry[8*((n-d)%2):]
		x0[n-d], x1[n-d] = c[0], c[1]
		x0[n-d-2], x1[n-d-2] = c[2], c[3]
		x0[n-d-4], x1[n-d-4] = c[4], c[5]
	}
	for j := 1; j < 4; j++ {
		steps2(x0[n-2*j:], x1[n-2*j:], cs[j], &st0[j], &st1[j])
	}
	for j, c := range cs {
		st0[j].s1, st0[j].s2 = flush(st0[j].s1, c.flush), flush(st0[j].s2, c.flush)
		st1[j].s1, st1[j].s2 = flush(st1[j].s1, c.flush), flush(st1[j].s2, c.flush)
	}
}
