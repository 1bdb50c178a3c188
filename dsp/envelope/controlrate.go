package envelope

// ControlRate.Process in two passes, for one or two detector channels
// where the detector kernel runs: the envelope and the runs' peaks depend
// on the input only, so a kernel follows them frame by frame without
// branches (MAXSD), and a second pass calls the gain computer once per
// run and writes the ramps. Each value is computed with the one loop's
// operations in its order: the gains are bit-identical.

// maxRunPiece is the most frames the detector pass takes at once (and so
// the most runs it can end).
const maxRunPiece = 256

// runState is the detector pass's state, as the kernel reads it.
type runState struct {
	env, peak, decay float64
	pos, run         int
}

func (c *ControlRate) processRuns(det [][]float64, g []float64, control func(peak float64) float64) {
	var peaks [maxRunPiece]float64
	x0 := det[0][:len(g)]
	var x1 []float64
	if len(det) == 2 {
		x1 = det[1][:len(g)]
	}
	st := runState{env: c.env, peak: c.peak, decay: c.decay, pos: c.pos, run: c.run}
	pos, from, step := c.pos, c.from, c.step
	for at := 0; at < len(g); at += maxRunPiece {
		end := min(at+maxRunPiece, len(g))
		var y1 []float64
		if x1 != nil {
			y1 = x1[at:end]
		}
		envRuns(x0[at:end], y1, &st, &peaks)
		r := 0
		for i := at; i < end; {
			m := min(end-i, c.run-pos)
			gs := g[i : i+m]
			for j := range gs {
				gs[j] = from + step*float64(pos+j+1)
			}
			pos += m
			i += m
			if pos == c.run {
				from += step * float64(pos)
				step = (control(peaks[r]) - from) * c.invRun
				r++
				pos = 0
			}
		}
	}
	c.env, c.peak, c.pos, c.from, c.step = st.env, st.peak, pos, from, step
}
