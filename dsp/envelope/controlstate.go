package envelope

// ControlState is a ControlRate's state, for a processor that runs the
// detector inside its own per-sample loop (fused with its filter): per
// frame env ·= Decay, env = |x| > env ? |x| : env, peak = env > peak ? env
// : peak, Pos++, gain = From + Step·Pos; when Pos reaches Run, From +=
// Step·Pos, Step = (control(peak) − From)·InvRun, Peak and Pos back to 0.
// With that arithmetic it gets Process's bits.
type ControlState struct {
	Env, Peak, From, Step float64
	Pos                   int
	Run                   int     // read-only
	InvRun, Decay         float64 // read-only
}

// State returns the detector's state and constants.
func (c *ControlRate) State() ControlState {
	return ControlState{Env: c.env, Peak: c.peak, From: c.from, Step: c.step, Pos: c.pos, Run: c.run, InvRun: c.invRun, Decay: c.decay}
}

// SetState sets the detector's state from s (its constants are not read).
func (c *ControlRate) SetState(s ControlState) {
	c.env, c.peak, c.from, c.step, c.pos = s.Env, s.Peak, s.From, s.Step, s.Pos
}
