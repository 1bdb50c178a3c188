// Package dsp defines the processor lifecycle every stemmaster effect follows
// (after JUCE's juce_dsp): Prepare fixes the sample rate, block size and
// channel count; Reset clears state; Process works in place on a block and
// never allocates; Latency reports the delay in frames the processor adds, so
// the engine can compensate it.
//
// Beside the interface it holds the pan laws of a channel strip (PanGains
// for a mono source, BalanceGains for a stereo one), the stereo Width
// control, MidSide (a one-channel processor on the mid or side of a stereo
// pair, encoded and decoded exactly), the Correlation meter, ParamError
// and Sum (a slice added in order). The engine folds a stem's gain, polarity and pan
// into one gain per channel and compensates latencies itself, so there are
// no processors for those. The filters and dynamics live in the
// subpackages: biquad, dynamics, limiter, oversample, resample, dither,
// multiband, dyneq (dynamic EQ, de-esser), saturate, stemlimit (stem-aware
// limiting), envelope (the gain smoothing the dynamics share), and fir for
// what the FIR filters share.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
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
