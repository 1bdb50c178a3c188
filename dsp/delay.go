package dsp

import (
	"fmt"

	"stemmaster/audio"
)

// CheckDelayFrames returns a *ParamError unless n is within [0, MaxDelayFrames].
func CheckDelayFrames(n int) error {
	if n < 0 || n > MaxDelayFrames {
		return &ParamError{Processor: "delay", Param: "offset_samples", Value: float64(n),
			Reason: fmt.Sprintf("must be within [0, %d] frames", MaxDelayFrames)}
	}
	return nil
}

// Delay delays every channel by a whole number of frames, with a ring
// buffer per channel: a stem's offset_samples, or the latency compensation
// of a path that runs beside a processor with latency. Its Latency is the
// delay, so a Chain counts it; the first n output frames after Reset are
// silence.
type Delay struct {
	n    int
	ring [][]float32 // [channel][n]
	pos  int
}

var _ Processor = (*Delay)(nil)

// NewDelay returns a delay of n frames; the error is a *ParamError.
func NewDelay(n int) (*Delay, error) {
	if err := CheckDelayFrames(n); err != nil {
		return nil, err
	}
	return &Delay{n: n}, nil
}

// Prepare allocates the ring buffers for spec.Channels.
func (d *Delay) Prepare(spec Spec) {
	d.ring = make([][]float32, spec.Channels)
	backing := make([]float32, spec.Channels*d.n)
	for c := range d.ring {
		d.ring[c] = backing[c*d.n : (c+1)*d.n : (c+1)*d.n]
	}
	d.pos = 0
}

// Reset fills the delay line with silence.
func (d *Delay) Reset() {
	for _, r := range d.ring {
		clear(r)
	}
	d.pos = 0
}

// Latency is the delay in frames.
func (d *Delay) Latency() int { return d.n }

// Process delays buf in place.
func (d *Delay) Process(buf *audio.Buffer) {
	if d.n == 0 {
		return
	}
	if buf.Channels() > len(d.ring) {
		panic(fmt.Sprintf("dsp: Delay prepared for %d channels got %d", len(d.ring), buf.Channels()))
	}
	pos := d.pos
	for c, x := range buf.Data {
		pos = swapRing(x, d.ring[c], d.pos)
	}
	d.pos = pos
}

// swapRing exchanges x, frame by frame, with the ring starting at pos, one
// contiguous segment at a time, and returns the new position. Each output
// frame is the input from len(ring) frames earlier.
func swapRing(x, ring []float32, pos int) int {
	n := len(ring)
	for len(x) > 0 {
		k := min(len(x), n-pos)
		seg := ring[pos : pos+k]
		for i := range seg {
			x[i], seg[i] = seg[i], x[i]
		}
		x = x[k:]
		pos += k
		if pos == n {
			pos = 0
		}
	}
	return pos
}
