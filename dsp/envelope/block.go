package envelope

import "math"

// MaxRun is the longest run of samples a BlockSmoother steps at once.
const MaxRun = 16

// BlockSmoother is the branching smoother (Smoother) stepped a run of
// samples at a time towards a target held over the run: after n samples
// the reduction is target + (gr − target)·(1 − c)ⁿ, which is what n steps
// of Smoother give for a constant target (the branch cannot change within
// the run: the reduction moves towards the target without crossing it).
// Computing the static curve and the gain once per run instead of once per
// sample is the control-rate processing of the dynamics processors; Run
// chooses the run so it stays short against the attack.
type BlockSmoother struct {
	attack, release [MaxRun + 1]float64 // (1 − c)ⁿ for n = 0 … MaxRun
}

// NewBlockSmoother returns the smoother for the attack and release time
// constants (ms) at sampleRate.
func NewBlockSmoother(attackMS, releaseMS, sampleRate float64) BlockSmoother {
	var s BlockSmoother
	ka, kr := 1-Coef(attackMS, sampleRate), 1-Coef(releaseMS, sampleRate)
	for n := range s.attack {
		s.attack[n] = math.Pow(ka, float64(n))
		s.release[n] = math.Pow(kr, float64(n))
	}
	return s
}

// Step moves gr n samples (1 … MaxRun) towards target and returns it.
func (s *BlockSmoother) Step(gr, target float64, n int) float64 {
	k := s.release[n]
	if target > gr {
		k = s.attack[n]
	}
	return target + (gr-target)*k
}

// Run returns the run length for an attack of attackMS at sampleRate: an
// eighth of the attack time in samples, 1 … MaxRun, so the gain's
// piecewise-linear path between runs stays close to the per-sample curve.
func Run(attackMS, sampleRate float64) int {
	return max(1, min(MaxRun, int(attackMS/1000*sampleRate/8)))
}

// ControlRate is the detector and gain ramp of a dynamics processor run at
// a control rate: the peak envelope (instant rise, decay per sample)
// follows every sample, the processor's gain computer runs once per run of
// samples on the run's largest envelope, and the gain ramps linearly to its
// result over the next run — one run behind the detector, so the result
// does not depend on how the stream is cut into blocks.
type ControlRate struct {
	run        int
	invRun     float64
	decay      float64
	env, peak  float64 // the envelope, and its largest value in the current run
	pos        int     // samples into the current run
	from, step float64 // the gain over the current run: from + step·pos
}

// NewControlRate returns the detector for a run of run samples (see Run)
// and an envelope decay per sample of decay.
func NewControlRate(run int, decay float64) ControlRate {
	return ControlRate{run: run, invRun: 1 / float64(run), decay: decay}
}

// Reset clears the envelope and starts the gain at gain.
func (c *ControlRate) Reset(gain float64) {
	c.env, c.peak, c.pos, c.from, c.step = 0, 0, 0, gain, 0
}

// Process follows the largest |x| over the channels of det for the frames
// of g and writes the gain of each frame to g; control(peak) returns the
// gain for the end of a run from the run's largest envelope.
func (c *ControlRate) Process(det [][]float64, g []float64, control func(peak float64) float64) {
	switch len(det) { // controlrate.go
	case 1:
		c.process2(det[0], det[0], g, control)
	case 2:
		c.process2(det[0], det[1], g, control)
	default:
		c.processMany(det, g, control)
	}
}
