// Package dsp defines the processor lifecycle every stemmaster effect follows
// (after JUCE's juce_dsp): Prepare fixes the sample rate, block size and
// channel count; Reset clears state; Process works in place on a block and
// never allocates; Latency reports the delay in frames the processor adds, so
// the engine can compensate it.
//
// Beside the interface it holds the small utilities of a channel strip:
// Gain (dB, ramped when changed), Pan (constant-power placement of a mono
// source, or balance of a stereo one), Width (mid/side), Polarity, Delay
// (whole frames, for stem offsets and latency compensation) and Chain
// (processors in series, latencies summed). The filters and dynamics live in
// the subpackages biquad, dynamics, limiter, oversample, resample and dither.
package dsp

import "stemmaster/audio"

// Spec is what a processor is prepared for.
type Spec struct {
	SampleRate   float64
	MaxBlockSize int // largest Buffer.Frames() Process will see
	Channels     int
}

// Processor is an in-place audio effect.
type Processor interface {
	// Prepare allocates for spec and resets state. It may be called again.
	Prepare(spec Spec)
	// Reset clears state (filter memories, envelopes, delay lines).
	Reset()
	// Process works in place on buf (buf.Frames() ≤ MaxBlockSize,
	// buf.Channels() == Channels) without allocating.
	Process(buf *audio.Buffer)
	// Latency is the delay in frames between input and output.
	Latency() int
}
