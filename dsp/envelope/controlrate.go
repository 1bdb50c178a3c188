package envelope

// process1 and process2 are ControlRate.Process's loop for one and two
// detector channels, without the loop over the channels per frame; each
// is the one loop's arithmetic in its order (bit-identical gains).

func (c *ControlRate) process1(x, g []float64, control func(peak float64) float64) {
	env, decay, peak, pos, from, step := c.env, c.decay, c.peak, c.pos, c.from, c.step
	run, invRun := c.run, c.invRun
	x = x[:len(g)]
	for i, v := range x {
		env *= decay
		if a := Abs(v); a > env {
			env = a
		}
		if env > peak {
			peak = env
		}
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

func (c *ControlRate) process2(x0, x1, g []float64, control func(peak float64) float64) {
	env, decay, peak, pos, from, step := c.env, c.decay, c.peak, c.pos, c.from, c.step
	run, invRun := c.run, c.invRun
	x0, x1 = x0[:len(g)], x1[:len(g)]
	for i, v := range x0 {
		env *= decay
		if a := Abs(v); a > env {
			env = a
		}
		if a := Abs(x1[i]); a > env {
			env = a
		}
		if env > peak {
			peak = env
		}
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
