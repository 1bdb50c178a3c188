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
