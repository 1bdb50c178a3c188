package envelope

// Tables returns Log2's and Exp2's tables (read-only), for the assembly
// kernels of other packages that compute Log2 and Exp2 inside their own
// loops with the same bits (package dyneq's fused bell).
func Tables() (log2 *[tableSize][2]float64, exp2 *[tableSize][2]uint64) {
	return &logTable, &exp2Bits
}

// Coefs returns the attack and release coefficients Step uses for a run
// of n samples (1 … MaxRun).
func (s *BlockSmoother) Coefs(n int) (attack, release float64) {
	return s.attack[n], s.release[n]
}
