package audiotest

import "stemmaster/audio"

// NamedBuffer is a stem of a generated delivery: its file name (whose
// words give its role, stemmaster.InferRole) and its audio.
type NamedBuffer struct {
	Name string
	Buf  *audio.Buffer
}

// HotDouble is a delivery of four stems of pink noise, frames long (4 s
// at 48 kHz is enough to meter): drums, instruments and a backing vocal
// double-tracked — two takes that play together, the second 0.7 of the
// first and 0.7 of noise of its own — about 6 dB over the place the
// modern balance norms give it, and out of its usual range. Its two
// stems summed as they play are 2.3 dB louder than the power sum of
// each one's loudness, the delivery on which two measures of a family's
// level part: the tests that hold the check's advice and the assistant's
// balance to one figure feed it to both.
func HotDouble(frames int) []NamedBuffer {
	double := PinkNoise(7, 2, frames, -16)
	second := double.Clone()
	Scale(second, 0.7)
	other := PinkNoise(8, 2, frames, -16)
	Scale(other, 0.7)
	Add(second, other)
	return []NamedBuffer{
		{"drums.wav", PinkNoise(4, 2, frames, -15)},
		{"instruments.wav", PinkNoise(6, 2, frames, -20)},
		{"backing_vocals_high.wav", double},
		{"backing_vocals_low.wav", second},
	}
}
