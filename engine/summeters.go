package engine

import (
	"stemmaster/audio"
	"stemmaster/loudness"
)

// sumMeters meters, in the summer, the strips whose after-meters it feeds
// (stripMeter.bySum). A strip without latency outputs exactly what its
// after-meter reads: the chain's output, in the same blocks. The summer
// holds every strip's block of a row at once (the strips themselves run up
// to a few blocks apart), so it meters them in groups of up to loudness.GroupSize
// (loudness.ProcessGroup, the same bits as metering each alone) from the
// blocks it sums, without copying them.
type sumMeters struct {
	of    []*sumGroup    // by strip index; nil: not metered here
	views []audio.Buffer // by strip index: its block of the row
}

// sumGroup is strips metered together; the summer meters the group once
// it has summed the block of the last of them.
type sumGroup struct {
	strips []int
	ms     []*loudness.Meter
	bufs   []*audio.Buffer
}

func newSumMeters(strips []*strip) *sumMeters {
	sm := &sumMeters{of: make([]*sumGroup, len(strips)), views: make([]audio.Buffer, len(strips))}
	var g *sumGroup
	for i, s := range strips {
		if !s.after.bySum {
			continue
		}
		if g == nil || len(g.strips) == loudness.GroupSize {
			g = &sumGroup{}
		}
		g.strips = append(g.strips, i)
		g.ms = append(g.ms, s.after.m)
		g.bufs = append(g.bufs, &sm.views[i])
		sm.of[i] = g
		sm.views[i].Data = make([][]float32, busChannels)
	}
	return sm
}

// hold takes the first n frames of strip i's block b for its group. It
// says whether the summer must keep b until release hands it back, and
// returns the group when i completes it: the summer meters the group
// (meter) and then releases its blocks.
func (sm *sumMeters) hold(i int, b *audio.Buffer, n int) (keep bool, full *sumGroup) {
	g := sm.of[i]
	if g == nil {
		return false, nil
	}
	v := &sm.views[i]
	for c := range v.Data {
		v.Data[c] = b.Data[c][:n]
	}
	if i == g.strips[len(g.strips)-1] {
		return true, g
	}
	return true, nil
}

// meter feeds the group's blocks of the row to their meters.
func (g *sumGroup) meter() {
	loudness.ProcessGroup(g.ms, g.bufs)
}
