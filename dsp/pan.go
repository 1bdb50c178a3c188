package dsp

import (
	"fmt"
	"math"

	"stemmaster/audio"
)

// PanLaw says how Pan treats its two channels.
type PanLaw int

const (
	// PanPlacement places a mono source in the stereo field with the
	// constant-power (sin/cos, −3 dB centre) law: θ = (p + 1)·π/4,
	// L = cos θ, R = sin θ, so L² + R² = 1 at every position and the centre
	// is −3.01 dB in each channel. Process applies these gains to a dual-mono
	// buffer (the mono source copied to both channels); ProcessMono reads the
	// mono source directly.
	PanPlacement PanLaw = iota
	// PanBalance is a balance control for a stereo source: unity in the
	// centre, the channel panned towards stays at unity and the far channel
	// is attenuated along a quarter cosine, cos(|p|·π/2): −3.01 dB at
	// |p| = 0.5, silent at ±1. It does not move content between channels.
	PanBalance
)

// PanGains returns the constant-power placement gains for position p
// (−1 = hard left, 0 = centre, 1 = hard right).
func PanGains(p float64) (l, r float64) {
	theta := (p + 1) * math.Pi / 4
	return math.Cos(theta), math.Sin(theta)
}

// BalanceGains returns the balance gains for position p.
func BalanceGains(p float64) (l, r float64) {
	l, r = 1, 1
	if p > 0 {
		l = math.Cos(p * math.Pi / 2)
	} else if p < 0 {
		r = math.Cos(-p * math.Pi / 2)
	}
	return l, r
}

// CheckPan returns a *ParamError unless p is within [−1, 1].
func CheckPan(p float64) error {
	if math.IsNaN(p) || p < -1 || p > 1 {
		return &ParamError{Processor: "pan", Param: "pan", Value: p, Reason: "must be within [-1, 1]"}
	}
	return nil
}

// Pan positions a source in a stereo (two-channel) buffer.
type Pan struct {
	l, r float64
}

var _ Processor = (*Pan)(nil)

// NewPan returns a pan at position p (−1 … 1) with the given law; the error
// is a *ParamError.
func NewPan(p float64, law PanLaw) (*Pan, error) {
	if err := CheckPan(p); err != nil {
		return nil, err
	}
	var l, r float64
	switch law {
	case PanPlacement:
		l, r = PanGains(p)
	case PanBalance:
		l, r = BalanceGains(p)
	default:
		panic(fmt.Sprintf("dsp: unknown PanLaw %d", law))
	}
	return &Pan{l: l, r: r}, nil
}

// Gains returns the left and right gains.
func (p *Pan) Gains() (l, r float64) { return p.l, p.r }

// Prepare checks that the spec is stereo.
func (p *Pan) Prepare(spec Spec) {
	if spec.Channels != 2 {
		panic(fmt.Sprintf("dsp: Pan needs 2 channels, prepared with %d", spec.Channels))
	}
}

// Reset does nothing: Pan has no state.
func (p *Pan) Reset() {}

// Latency is 0.
func (p *Pan) Latency() int { return 0 }

// Process applies the left and right gains to a two-channel buffer.
func (p *Pan) Process(buf *audio.Buffer) {
	if buf.Channels() != 2 {
		panic(fmt.Sprintf("dsp: Pan.Process on %d channels", buf.Channels()))
	}
	scale(buf.Data[0], p.l)
	scale(buf.Data[1], p.r)
}

// ProcessMono writes the mono source src, placed by the pan's gains, into
// the two channels of dst (len(src) frames).
func (p *Pan) ProcessMono(dst *audio.Buffer, src []float32) {
	if dst.Channels() != 2 || dst.Frames() != len(src) {
		panic(fmt.Sprintf("dsp: Pan.ProcessMono of %d frames into %d×%d", len(src), dst.Channels(), dst.Frames()))
	}
	l, r := dst.Data[0], dst.Data[1][:len(src)]
	for i, v := range src {
		l[i] = float32(float64(v) * p.l)
		r[i] = float32(float64(v) * p.r)
	}
}
