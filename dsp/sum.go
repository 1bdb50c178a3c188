package dsp

// Sum is the sum of x, added in order: the limiter sets its running box
// sums back to it, and the check totals a stem's block energies with it.
func Sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
