package check

import (
	"sync/atomic"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// meterGroups puts the stems' stereo meters in groups of up to four (a
// mono stem, and a stereo one left alone, meters by itself), so that
// loudness.ProcessGroup K-weights the group's stems in one pass over their
// blocks, four at a time where the processor has the eight-lane kernel and
// two at a time otherwise: the stems are read in lockstep, so every block
// of a group is there once all its readers have filled theirs.
type meterGroups struct {
	of []*meterGroup // by stream index; nil: the stream meters alone
}

// meterGroup is up to four streams whose meters run together. Of the
// readers, the one that finishes its block last meters the group; the
// count says which that is, and is back at zero before lockstep hands out
// the next block.
type meterGroup struct {
	streams []int
	count   atomic.Int32
	// The meters and blocks of the streams that have one this round (a
	// stream past its end has an empty view, and is not fed).
	ms   []*loudness.Meter
	bufs []*audio.Buffer
}

func groupMeters(meters []*loudness.Meter, channels func(i int) int) meterGroups {
	gs := meterGroups{of: make([]*meterGroup, len(meters))}
	var stereo []int
	for i, m := range meters {
		if m != nil && channels(i) == 2 {
			stereo = append(stereo, i)
		}
	}
	for len(stereo) >= 2 {
		k := min(len(stereo), loudness.GroupSize)
		g := &meterGroup{streams: stereo[:k:k], ms: make([]*loudness.Meter, 0, k),
			bufs: make([]*audio.Buffer, 0, k)}
		for _, i := range g.streams {
			gs.of[i] = g
		}
		stereo = stereo[k:]
	}
	return gs
}

// ready says that a stream's view holds its block; the last of the group
// to be ready adds every block the group has this round to its stream's
// levelStats (two blocks of one length at a time, addPair) and meters
// them.
func (g *meterGroup) ready(meters []*loudness.Meter, views []audio.Buffer, stats func(i int) *levelStats) {
	if int(g.count.Add(1)) < len(g.streams) {
		return
	}
	g.count.Store(0)
	for k := 0; k < len(g.streams); k++ {
		i := g.streams[k]
		n := views[i].Frames()
		if k+1 < len(g.streams) && views[g.streams[k+1]].Frames() == n {
			j := g.streams[k+1]
			addPair(stats(i), stats(j), &views[i], &views[j], n)
			k++
			continue
		}
		stats(i).add(&views[i], n)
	}
	g.ms, g.bufs = g.ms[:0], g.bufs[:0]
	for _, i := range g.streams {
		if views[i].Frames() > 0 {
			g.ms = append(g.ms, meters[i])
			g.bufs = append(g.bufs, &views[i])
		}
	}
	loudness.ProcessGroup(g.ms, g.bufs)
}
