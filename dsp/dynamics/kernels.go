package dynamics

import "stemmaster/dsp/envelope"

// The compressor's detector level, the block pass before
// envelope.GainComputer: a loop without a dependency from one frame to the
// next (assembly where the processor allows, the same bits: TestGolden).

// peakLevel writes the largest |x| across det's channels per frame,
// floored at floor (so silence stays finite in the log domain), to lv,
// from frame from on (the frames before it are done: peakFast).
func peakLevel[T float32 | float64](det [][]T, lv []float64, floor float64, from int) {
	switch len(det) {
	case 1:
		x := det[0][:len(lv)]
		for i := from; i < len(lv); i++ {
			lv[i] = envelope.MaxPos(envelope.Abs(float64(x[i])), floor)
		}
	case 2:
		x, y := det[0][:len(lv)], det[1][:len(lv)]
		for i := from; i < len(lv); i++ {
			lv[i] = envelope.MaxPos(envelope.MaxPos(envelope.Abs(float64(x[i])), envelope.Abs(float64(y[i]))), floor)
		}
	default:
		for i := from; i < len(lv); i++ {
			l := floor
			for _, d := range det {
				l = envelope.MaxPos(l, envelope.Abs(float64(d[i])))
			}
			lv[i] = l
		}
	}
}
