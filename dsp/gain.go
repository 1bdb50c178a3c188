package dsp

import (
	"math"

	"stemmaster/audio"
)

// Limits of the utility processors' parameters.
const (
	MaxGainDB      = 96.0    // largest |gain| Gain accepts
	MaxWidth       = 4.0     // widest Width
	MaxDelayFrames = 1 << 26 // about 23 min at 48 kHz
	DefaultRampMS  = 20.0    // Gain's ramp when its gain changes
)

// CheckGainDB returns a *ParamError unless db is a usable gain.
func CheckGainDB(db float64) error {
	if math.IsNaN(db) || math.Abs(db) > MaxGainDB {
		return &ParamError{Processor: "gain", Param: "gain_db", Value: db, Reason: "must be within ±96 dB"}
	}
	return nil
}

// Gain multiplies every channel by a gain set in dB. A change made with
// SetGainDB after Prepare ramps linearly in amplitude over the ramp time
// (DefaultRampMS unless SetRampMS says otherwise), so it does not click.
type Gain struct {
	target, current float64 // linear
	step            float64 // per frame while ramping
	remaining       int     // frames left in the ramp
	rampMS, rate    float64
}

var _ Processor = (*Gain)(nil)

// NewGain returns a gain of db decibels; the error is a *ParamError.
func NewGain(db float64) (*Gain, error) {
	if err := CheckGainDB(db); err != nil {
		return nil, err
	}
	a := audio.Amplitude(db)
	return &Gain{target: a, current: a, rampMS: DefaultRampMS}, nil
}

// GainDB returns the gain the processor is set to (the end of any ramp).
func (g *Gain) GainDB() float64 { return audio.DB(g.target) }

// SetRampMS sets the ramp time of later gain changes (0 = jump).
func (g *Gain) SetRampMS(ms float64) {
	if math.IsNaN(ms) || ms < 0 {
		panic("dsp: Gain.SetRampMS with a negative time")
	}
	g.rampMS = ms
}

// SetGainDB changes the gain, ramping from the current value when the
// processor is prepared; the error is a *ParamError and leaves the gain as it was.
func (g *Gain) SetGainDB(db float64) error {
	if err := CheckGainDB(db); err != nil {
		return err
	}
	g.target = audio.Amplitude(db)
	n := int(math.Round(g.rampMS / 1000 * g.rate))
	if n < 1 {
		g.current, g.remaining = g.target, 0
		return nil
	}
	g.remaining = n
	g.step = (g.target - g.current) / float64(n)
	return nil
}

// Prepare fixes the sample rate used for ramps.
func (g *Gain) Prepare(spec Spec) { g.rate = spec.SampleRate; g.Reset() }

// Reset ends any ramp at its target.
func (g *Gain) Reset() { g.current, g.remaining = g.target, 0 }

// Latency is 0.
func (g *Gain) Latency() int { return 0 }

// Process applies the gain in place.
func (g *Gain) Process(buf *audio.Buffer) {
	n := buf.Frames()
	ramp := min(g.remaining, n)
	for _, ch := range buf.Data {
		cur := g.current
		for i := range ch[:ramp] {
			cur += g.step
			ch[i] = float32(float64(ch[i]) * cur)
		}
		scale(ch[ramp:], g.target)
	}
	if ramp > 0 {
		g.remaining -= ramp
		g.current += g.step * float64(ramp)
		if g.remaining == 0 {
			g.current = g.target
		}
	}
}

func scale(x []float32, a float64) {
	if a == 1 {
		return
	}
	for i, v := range x {
		x[i] = float32(float64(v) * a)
	}
}
