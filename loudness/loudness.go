// Package loudness — API CONTRACT STUB, to be implemented by the meter work.
// Other packages (check, engine, limiter tests) code against these names.
package loudness

import "stemmaster/audio"

// Options choose what the meter computes beyond the basics.
type Options struct {
	TruePeak bool // compute true peak (oversampled); sample peak is always computed
	Series   bool // keep momentary and short-term loudness every 10 ms
}

// Result of a measurement. A value that is minus infinity (silence) is
// math.Inf(-1); a value that is undefined (too short, all blocks gated) is NaN.
type Result struct {
	IntegratedLUFS   float64
	LoudnessRangeLU  float64
	TruePeakDBTP     float64 // NaN when Options.TruePeak was false
	SamplePeakDBFS   float64
	MomentaryMaxLUFS float64
	ShortTermMaxLUFS float64
	// Per channel.
	ChannelTruePeakDBTP   []float64
	ChannelSamplePeakDBFS []float64
	// Series, when Options.Series: window ends at k·SeriesStep seconds, k = 1, 2, …
	SeriesStep    float64 // 0.01
	MomentaryLUFS []float64
	ShortTermLUFS []float64
}

// Meter is a streaming BS.1770-4 / EBU R128 meter.
type Meter struct{}

// NewMeter prepares a meter for the given rate and channel count
// (1 mono, 2 L R, 3 L R C, 5 L R C Ls Rs, 6 L R C LFE Ls Rs).
func NewMeter(sampleRate float64, channels int, opt Options) *Meter {
	panic("loudness: not implemented")
}

// Process feeds a block (buf.Channels() == channels).
func (m *Meter) Process(buf *audio.Buffer) { panic("loudness: not implemented") }

// Result returns the figures for everything fed so far. It may be called
// repeatedly and between Process calls.
func (m *Meter) Result() Result { panic("loudness: not implemented") }

// Reset clears the meter for a new programme.
func (m *Meter) Reset() { panic("loudness: not implemented") }

// Measure meters a whole buffer in one call.
func Measure(buf *audio.Buffer, sampleRate float64, opt Options) Result {
	m := NewMeter(sampleRate, buf.Channels(), opt)
	m.Process(buf)
	return m.Result()
}
