package dyneq

import "stemmaster/dsp/envelope"

// bellMono is Process's chunk for a bell on one channel (the mid or side
// of a mid/side wrap), in one loop: the band-pass section, the detector,
// the gain ramp and the output per frame, with the arithmetic of the
// separate passes (biquad's loops, envelope.ControlRate, bellOut) in their
// order, so the output is bit-identical. The section's recursion is bound
// by its latency; the detector's work fills the wait.
func (d *Band) bellMono(x []float32) {
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
