package engine

import (
	"stemmaster"
	"stemmaster/dsp"
	"stemmaster/dsp/fir"
	"stemmaster/dsp/lineq"
)

// rumbleAttenuationDB is what the rumble filter's design asks of Kaiser's
// formulas, which fall up to 5 dB short next to the band edge: 80 dB or
// more below half the corner (dsp/fir's TestHighPass).
const rumbleAttenuationDB = 86

// rumbleTaps is the master's rumble filter (stemmaster.Master's
// RumbleFilterHz) at a rate: a linear-phase high-pass with its −6 dB point
// at corner and its transition from half the corner to 1.5 times it
// (13049 taps, 136 ms of delay, for 20 Hz at 48 kHz).
func rumbleTaps(corner, rate float64) []float64 {
	return fir.HighPass(corner/rate, corner/rate, rumbleAttenuationDB)
}

// newRumbleFilter builds the master's rumble filter (nil when the session
// has none). Its latency is compensated like every master processor's.
func newRumbleFilter(corner, rate float64) dsp.Processor {
	if corner == 0 {
		return nil
	}
	e := lineq.NewFIR(func(rate float64) []float64 { return rumbleTaps(corner, rate) })
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: maxBlock(rate), Channels: busChannels})
	return e
}

// newMatchEQ builds the master's linear-phase match EQ (nil when the
// session has none). Its latency is compensated like every master
// processor's.
func newMatchEQ(pts []stemmaster.MatchPoint, rate float64) dsp.Processor {
	if len(pts) == 0 {
		return nil
	}
	lp := make([]lineq.Point, len(pts))
	for i, p := range pts {
		lp[i] = lineq.Point{FreqHz: p.FreqHz, GainDB: p.GainDB}
	}
	e := lineq.New(lp)
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: maxBlock(rate), Channels: busChannels})
	return e
}
