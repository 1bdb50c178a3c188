package dsp

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/internal/vec"
)

// MaxWidth is the widest Width: the side four times as loud as given.
const MaxWidth = 4.0

// CheckWidth returns a *ParamError unless w is within [0, MaxWidth].
func CheckWidth(w float64) error {
	if math.IsNaN(w) || w < 0 || w > MaxWidth {
		return &ParamError{Processor: "width", Param: "width", Value: w, Reason: fmt.Sprintf("must be within [0, %g]", MaxWidth)}
	}
	return nil
}

// Width scales the side signal of a stereo buffer: with mid M = (L + R)/2
// and side S = (L − R)/2, it outputs L' = M + w·S, R' = M − w·S. w = 0 is
// mono (both channels M), 1 leaves the signal unchanged, 2 doubles the side.
// The mid is untouched, so the mono sum L' + R' = L + R at every width.
type Width struct {
	w float64
}

var _ Processor = (*Width)(nil)

// NewWidth returns a width control; the error is a *ParamError.
func NewWidth(w float64) (*Width, error) {
	if err := CheckWidth(w); err != nil {
		return nil, err
	}
	return &Width{w: w}, nil
}

// Prepare checks that the spec is stereo.
func (s *Width) Prepare(spec Spec) {
	if spec.Channels != 2 {
		panic(fmt.Sprintf("dsp: Width needs 2 channels, prepared with %d", spec.Channels))
	}
}

// Reset does nothing: Width has no state.
func (s *Width) Reset() {}

// Latency is 0.
func (s *Width) Latency() int { return 0 }

// Process applies the width in place.
func (s *Width) Process(buf *audio.Buffer) {
	if buf.Channels() != 2 {
		panic(fmt.Sprintf("dsp: Width.Process on %d channels", buf.Channels()))
	}
	if s.w == 1 {
		return
	}
	vec.Width(buf.Data[0], buf.Data[1], s.w/2)
}
