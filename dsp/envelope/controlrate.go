package envelope

// process2 is ControlRate.Process's loop for two detector channels (one
// channel passes it twice: the second comparison then changes nothing).
// The envelope takes each channel's |x| where it is greater, in channel
// order, so it is the largest of them that is not NaN, or the decayed
// envelope if that is greater.
func (c *ControlRate) process2(x0, x1, g []float64, control func(peak float64) float64) {
	env, decay, peak, pos, from, step := c.env, c.decay, c.peak, c.pos, c.from, c.step
	run, invRun := c.run, c.invRun
	x0, x1 = x0[:len(g)], x1[:len(g)]
	for i, v := range x0 {
		env, peak = envStep(env, decay, peak, v, x1[i])
		pos++
		g[i] = from + step*float64(pos)
		if pos == run {
			from += step * float64(pos)
			step = (control(peak) - from) * invRun
			peak, pos = 0, 0
		}
	}
	c.env, c.peak, c.pos, c.from, c.step = env, peak, pos, from, step
}

// envStep is the envelope's frame on the samples a and b of its two
// channels: env·decay, then |a| and |b| each where greater (a NaN is
// passed over), and the run's peak.
func envStep(env, decay, peak, a, b float64) (float64, float64) {
	env *= decay
	if v := Abs(a); v > env {
		env = v
	}
	if v := Abs(b); v > env {
		env = v
	}
	if env > peak {
		peak = env
	}
	return env, peak
}

// processMany is Process for more than two channels: the largest |x| of
// each frame over the channels (NaN passed over, as the comparisons pass
// it) is the detector's one channel, which gives the envelope the one
// channel at a time would.
func (c *ControlRate) processMany(det [][]float64, g []float64, control func(peak float64) float64) {
	var m [256]float64
	for at := 0; at < len(g); at += len(m) {
		piece := g[at:min(at+len(m), len(g))]
		top := m[:len(piece)]
		clear(top)
		for _, x := range det {
			for i, v := range x[at : at+len(top)] {
				if a := Abs(v); a > top[i] {
					top[i] = a
				}
			}
		}
		c.process2(top, top, piece, control)
	}
}
