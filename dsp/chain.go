package dsp

import "stemmaster/audio"

// Chain runs processors in series. Prepare and Reset reach every member,
// Process runs them in order on the same buffer, and Latency is the sum of
// their latencies.
type Chain []Processor

var _ Processor = Chain(nil)

// Prepare prepares every processor with spec.
func (c Chain) Prepare(spec Spec) {
	for _, p := range c {
		p.Prepare(spec)
	}
}

// Reset resets every processor.
func (c Chain) Reset() {
	for _, p := range c {
		p.Reset()
	}
}

// Process runs buf through every processor in order.
func (c Chain) Process(buf *audio.Buffer) {
	for _, p := range c {
		p.Process(buf)
	}
}

// Latency is the sum of the processors' latencies.
func (c Chain) Latency() int {
	n := 0
	for _, p := range c {
		n += p.Latency()
	}
	return n
}
