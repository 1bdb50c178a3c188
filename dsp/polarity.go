package dsp

import (
	"fmt"

	"stemmaster/audio"
)

// Polarity inverts (multiplies by −1) the polarity of chosen channels, or
// of every channel.
type Polarity struct {
	channels []int // nil = all
}

var _ Processor = (*Polarity)(nil)

// NewPolarity inverts the listed channels (0-based), or every channel when
// none is listed.
func NewPolarity(channels ...int) *Polarity {
	for _, c := range channels {
		if c < 0 {
			panic(fmt.Sprintf("dsp: NewPolarity with channel %d", c))
		}
	}
	return &Polarity{channels: append([]int(nil), channels...)}
}

// Prepare checks the listed channels exist.
func (p *Polarity) Prepare(spec Spec) {
	for _, c := range p.channels {
		if c >= spec.Channels {
			panic(fmt.Sprintf("dsp: Polarity of channel %d prepared with %d channels", c, spec.Channels))
		}
	}
}

// Reset does nothing: Polarity has no state.
func (p *Polarity) Reset() {}

// Latency is 0.
func (p *Polarity) Latency() int { return 0 }

// Process inverts in place.
func (p *Polarity) Process(buf *audio.Buffer) {
	if p.channels == nil {
		for _, ch := range buf.Data {
			invert(ch)
		}
		return
	}
	for _, c := range p.channels {
		invert(buf.Data[c])
	}
}

func invert(x []float32) {
	for i, v := range x {
		x[i] = -v
	}
}
