package engine

import (
	"math"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// CurveStepS is the time step of the report's curves.
const CurveStepS = 0.1

// blockRange returns the smallest and largest sample of b over its
// channels, as the builtin min and max take them (−0 below +0, NaN when
// there is one): each channel's by loudness.Extremes, a block holding NaN
// taken again by blockRangeFloat.
func blockRange(b *audio.Buffer) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, ch := range b.Data {
		l, h, ok := loudness.Extremes(ch[:b.Frames()])
		if !ok {
			return blockRangeFloat(b)
		}
		lo, hi = min(lo, l), max(hi, h)
	}
	if len(b.Data) == 0 {
		return blockRangeFloat(b)
	}
	return lo, hi
}

// blockRangeFloat is blockRange with the builtin min and max.
func blockRangeFloat(b *audio.Buffer) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, ch := range b.Data {
		for _, v := range ch[:b.Frames()] {
			lo = min(lo, v)
			hi = max(hi, v)
		}
	}
	return lo, hi
}

// bandCentres are the 1/6-octave centres from 20 Hz to 20 kHz.
func bandCentres() []float64 {
	var f []float64
	for k := -33; ; k++ {
		c := 1000 * math.Pow(2, float64(k)/6)
		if c > 20000 {
			return f
		}
		if c >= 20 {
			f = append(f, c)
		}
	}
}

// seriesSteps picks, from a 10 ms loudness series (window ends at (j+1)·10
// ms), the value at the end of each curve step.
func seriesSteps(series []float64, steps int) []stemmaster.Level {
	out := make([]stemmaster.Level, steps)
	for k := range out {
		j := (k+1)*10 - 1
		if j >= len(series) {
			j = len(series) - 1
		}
		if j < 0 {
			out[k] = stemmaster.Level(math.NaN())
			continue
		}
		out[k] = stemmaster.Level(series[j])
	}
	return out
}
