//go:build amd64 && !purego

package envelope

import "golang.org/x/sys/cpu"

// controlAccelerated is true where controlAVX runs (AVX: the
// three-operand scalar forms).
var controlAccelerated = cpu.X86.HasAVX

// absMask clears a float64's sign bit (Abs), for controlAVX.
//
//lint:ignore U1000 read by the assembly only
var absMask = [2]uint64{1<<63 - 1, 1<<63 - 1}

// controlAVX is process2's frame loop over the frames of g, which end at
// or before the end of the current run: the envelope, the run's peak and
// the gain ramp, reading and updating c's state.
//
//go:noescape
func controlAVX(x0, x1, g []float64, c *ControlRate)

func controlFrames(x0, x1, g []float64, c *ControlRate) { controlAVX(x0, x1, g, c) }
