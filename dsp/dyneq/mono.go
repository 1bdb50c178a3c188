package dyneq

import (
	"math"

	"stemmaster/dsp/envelope"
	"stemmaster/dsp/internal/vec"
)

// bellMono is Process's chunk for a bell on one channel (the mid or side
// of a mid/side wrap), in one loop: the band-pass section, the detector,
// the gain ramp and the output per frame, with the arithmetic of the
// separate passes (biquad's loops, envelope.ControlRate, bellOut) in their
// order, so the output is bit-identical. The section's recursion is bound
// by its latency; the detector's work fills the wait.
func (d *Band) bellMono(x []float32) {
	if bellAccelerated {
		d.bellMonoKernel(x)
		return
	}
	d.bellMonoGo(x)
}

// bellMonoGo is bellMono's Go loop, the reference of the kernel.
func (d *Band) bellMonoGo(x []float32) {
	c := d.sec
	b0, k1, k2, a1, a2 := c.B0, c.K1, c.K2, c.A1, c.A2
	s1, s2 := d.filter.State(0, 0)
	st := d.ctl.State()
	env, peak, from, step, pos := st.Env, st.Peak, st.From, st.Step, st.Pos
	run, invRun, decay := st.Run, st.InvRun, st.Decay
	for i, u := range x {
		v := float64(u)
		y := b0*v + s1
		s1, s2 = (k1*v+s2)-a1*s1, k2*v-a2*s1
		env *= decay
		if a := envelope.Abs(y); a > env {
			env = a
		}
		if env > peak {
			peak = env
		}
		pos++
		g := from + step*float64(pos)
		x[i] = float32(v + g*y)
		if pos == run {
			from += step * float64(pos)
			step = (d.control(peak) - from) * invRun
			peak, pos = 0, 0
		}
	}
	d.filter.EndChunk(0, 0, s1, s2)
	st.Env, st.Peak, st.From, st.Step, st.Pos = env, peak, from, step, pos
	d.ctl.SetState(st)
}

// monoBell reports whether Process runs bellMono on buf's one channel.
func (d *Band) monoBell(channels int) bool {
	return channels == 1 && d.low == nil && !d.p.Listen
}

// bellArgs is the assembly kernel's argument block (offsets A_* in
// mono_amd64.s): the section, detector and control constants, the state
// in and out, Log2's and Exp2's tables, and the kernel's constants as the
// Go code's bits.
type bellArgs struct {
	b0, k1, k2, a1, a2     float64
	decay, invRun          float64
	quiet, slope, thr, rng float64 // control's quietBelow, slope, threshold and range
	att, rel               float64 // the smoother's coefficients for a run
	s1, s2, env, peak      float64
	from, step, gr, block  float64
	pos, run               int64
	logTab                 *[256][2]float64
	expTab                 *[256][2]uint64
	abs, neg               [2]uint64 // sign-clearing and sign masks
	consts                 [12]float64
}

// setKernel fills the kernel's constants once the band is prepared.
func (d *Band) setKernel() {
	k := &d.kern
	c, st := d.sec, d.ctl.State()
	k.b0, k.k1, k.k2, k.a1, k.a2 = c.B0, c.K1, c.K2, c.A1, c.A2
	k.decay, k.invRun, k.run = st.Decay, st.InvRun, int64(st.Run)
	k.quiet, k.slope, k.thr, k.rng = d.quietBelow, d.slope, d.p.ThresholdDB, d.p.RangeDB
	k.att, k.rel = d.smooth.Coefs(d.run)
	k.logTab, k.expTab = envelope.Tables()
	k.abs = [2]uint64{1<<63 - 1, 1<<63 - 1}
	k.neg = [2]uint64{1 << 63, 1 << 63}
	k.consts = [12]float64{
		1e-12,              // MaxPos floor of the level
		envelope.DBPerLog2, // log2 → dB
		1<<52 + 1023,       // Log2's exponent trick
		math.Log2E,         // l1
		math.Log2E / 2,     // l2
		1,                  // 1
		256,                // Exp2's table size
		1.5 * (1 << 52),    // Exp2's rounding shifter
		math.Ln2 / 256,     // ln2/256
		1.0 / 2,            // ½
		envelope.Log2PerDB, // dB → log2
		1e-9,               // the smallest cut kept
	}
}

// bellMonoKernel is bellMono in the assembly kernel: the same arithmetic
// in the same order, control's included (the comparisons that keep the
// larger value are VMAXSD, which keeps the envelope over a NaN as the Go
// comparison does), so the same bits with no call per control run.
func (d *Band) bellMonoKernel(x []float32) {
	k := &d.kern
	k.s1, k.s2 = d.filter.State(0, 0)
	st := d.ctl.State()
	k.env, k.peak, k.from, k.step, k.pos = st.Env, st.Peak, st.From, st.Step, int64(st.Pos)
	k.gr, k.block = d.gr, d.block
	bellKernel(x, k)
	d.gr, d.block = k.gr, k.block
	d.filter.EndChunk(0, 0, k.s1, k.s2)
	st.Env, st.Peak, st.From, st.Step, st.Pos = k.env, k.peak, k.from, k.step, int(k.pos)
	d.ctl.SetState(st)
}

// ProcessMidSide runs the band on the mid (side false) or the side of the
// stereo pair l, r in place, as dsp.MidSide's encode, Process and decode
// would, and reports whether it did: a bell on one channel where the
// kernel runs does; anything else leaves the passes to the wrapper.
//
// A chunk at a time (its buffers stay in the L1 cache): package vec's
// encode, the band's serial loop storing the band signal and the gain of
// each frame (bellGainsAVX: only the recursions and the control runs wait
// on one another, the output does not wait on each run's control), the
// output (vec.BellOut, vectorised) and the decode. TestMidSideFused holds
// it to the wrapper's bits.
func (d *Band) ProcessMidSide(l, r []float32, side bool) bool {
	if !bellAccelerated || len(d.b) != 1 || !d.monoBell(1) {
		return false
	}
	r = r[:len(l)]
	d.block = 0
	for start := 0; start < len(l); start += chunk {
		end := min(start+chunk, len(l))
		n := end - start
		x, y, g, rest := d.ms.x[:n], d.b[0][:n], d.gains[:n], d.ms.rest[:n]
		vec.MSEncode(l[start:end], r[start:end], x, d.ms.resid, rest, side)
		k := &d.kern
		k.s1, k.s2 = d.filter.State(0, 0)
		st := d.ctl.State()
		k.env, k.peak, k.from, k.step, k.pos = st.Env, st.Peak, st.From, st.Step, int64(st.Pos)
		k.gr, k.block = d.gr, d.block
		bellGains(x, y, g, k)
		d.gr, d.block = k.gr, k.block
		d.filter.EndChunk(0, 0, k.s1, k.s2)
		st.Env, st.Peak, st.From, st.Step, st.Pos = k.env, k.peak, k.from, k.step, int(k.pos)
		d.ctl.SetState(st)
		vec.BellOut(x, y, g)
		vec.MSDecode(l[start:end], r[start:end], x, d.ms.resid, rest, side)
	}
	d.max = max(d.max, d.block)
	return true
}

// detect runs the detector and the gain computer over the band signal of
// a chunk (d.b), the gain − 1 of each frame to g: in one kernel with the
// control inline where asm is set (detectAVX, the same bits:
// TestDetectKernel), else ControlRate.Process with control per run.
func (d *Band) detect(g []float64, asm bool) {
	if !asm || len(d.b) > 2 {
		d.ctl.Process(d.b, g, d.control)
		return
	}
	k := &d.kern
	st := d.ctl.State()
	k.env, k.peak, k.from, k.step, k.pos = st.Env, st.Peak, st.From, st.Step, int64(st.Pos)
	k.gr, k.block = d.gr, d.block
	x0 := d.b[0][:len(g)]
	detectKernel(x0, d.b[len(d.b)-1][:len(g)], g, k)
	d.gr, d.block = k.gr, k.block
	st.Env, st.Peak, st.From, st.Step, st.Pos = k.env, k.peak, k.from, k.step, int(k.pos)
	d.ctl.SetState(st)
}
