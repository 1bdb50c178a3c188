package engine

import (
	"math"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/stemshare"
)

// satLinear is the linear part of the master's saturation (package
// saturate) for stemshare: its drive and output gains times the curve's
// slope at 0 (tanh: 1; warm, tanh(x + b) − tanh(b): 1 − tanh²(b) with
// b = 0.25; cubic, 1.5x − 0.5x³: 1.5), its latency, and the warm
// character's 5 Hz DC blocker. TestSatLinear holds it to the saturator's
// response to a quiet signal.
func satLinear(p *stemmaster.SaturationParams, latency int) stemshare.Linear {
	lin := stemshare.Linear{Latency: latency}
	slope := 1.0
	switch p.Character {
	case stemmaster.SaturationWarm:
		t := math.Tanh(0.25)
		slope = 1 - t*t
		lin.DCBlockHz = 5
	case stemmaster.SaturationCubic:
		slope = 1.5
	}
	lin.Gain = audio.Amplitude(p.DriveDB) * audio.Amplitude(p.OutputDB) * slope
	return lin
}
