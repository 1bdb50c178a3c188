package engine

import (
	"stemmaster"
	"stemmaster/dsp"
	"stemmaster/dsp/lineq"
)

// newRumbleFilter builds the master's rumble filter (nil when the session
// has none): dsp/lineq's multirate linear-phase high-pass. Its latency is
// compensated like every master processor's.
func newRumbleFilter(corner, rate float64) dsp.Processor {
	if corner == 0 {
		return nil
	}
	h := lineq.NewHighPass(corner)
	h.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: maxBlock(rate), Channels: busChannels})
	return h
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
