package check

import (
	"fmt"
	"math"
)

// samplesText says a number of samples for people, with its duration at
// rate: "1 sample (0.02 ms)", "480 samples (10.0 ms)". A duration under a
// tenth of a millisecond keeps two significant digits, so that a real
// offset never reads as "0.0 ms".
func samplesText(n int64, rate int) string {
	return fmt.Sprintf("%s (%s)", countSamples(n), msText(float64(n)*1000/float64(rate)))
}

// countSamples says |n| samples with the right number: "1 sample".
func countSamples(n int64) string {
	if n = abs64(n); n == 1 {
		return "1 sample"
	}
	return fmt.Sprintf("%d samples", n)
}

// msText formats a duration in milliseconds: one decimal from 0.1 ms up,
// two below, and as many as it takes to show a digit under 0.005 ms.
func msText(ms float64) string {
	ms = math.Abs(ms)
	switch {
	case ms == 0 || ms >= 0.095:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		d := max(2, -int(math.Floor(math.Log10(ms))))
		return fmt.Sprintf("%.*f ms", d, ms)
	}
}

// nullText says how deep two signals null, a perfect null (or one below
// ResidualFloorDB) as such rather than as the arithmetic's floor.
func nullText(db float64) string {
	if db <= ResidualFloorDB {
		return "they null completely"
	}
	return fmt.Sprintf("they null to %.0f dB", db)
}
