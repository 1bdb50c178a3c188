package audiotest

import "math"

// ToneAmplitude measures the peak amplitude of the component of x at f Hz
// (sample rate fs) by correlation with sin and cos over the whole cycles x
// holds (a single-bin DFT), which rejects noise and other frequencies. With
// less than one cycle it correlates over all of x.
func ToneAmplitude(x []float32, f, fs float64) float64 {
	cycles := math.Floor(float64(len(x)) * f / fs)
	n := int(math.Round(cycles * fs / f))
	if cycles < 1 {
		n = len(x)
	}
	var re, im float64
	w := 2 * math.Pi * f / fs
	for i := range x[:n] {
		s, c := math.Sincos(w * float64(i))
		re += float64(x[i]) * c
		im += float64(x[i]) * s
	}
	return 2 * math.Hypot(re, im) / float64(n)
}
