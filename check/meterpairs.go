package check

import (
	"sync/atomic"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// meterPairs pairs the stems' meters two by two (stereo ones; a mono stem
// and an odd one out meter alone), so that loudness.ProcessPair K-weights
// two stems in one pass over their blocks: the stems are read in lockstep,
// so both blocks of a pair are there once both readers have filled them.
type meterPairs struct {
	of []*meterPair // by stream index; nil: the stream meters alone
}

// meterPair is two streams whose meters run together. Of the two readers,
// the one that finishes its block second meters both; the count says which
// that is, and is back at zero before lockstep hands out the next block.
type meterPair struct {
	a, b  int
	count atomic.Int32
}

func pairMeters(meters []*loudness.Meter, channels func(i int) int) meterPairs {
	ps := meterPairs{of: make([]*meterPair, len(meters))}
	prev := -1
	for i, m := range meters {
		if m == nil || channels(i) != 2 {
			continue
		}
		if prev < 0 {
			prev = i
			continue
		}
		p := &meterPair{a: prev, b: i}
		ps.of[prev], ps.of[i] = p, p
		prev = -1
	}
	return ps
}

// ready says that stream i's view holds its block; the second of the pair
// to be ready meters both blocks (a stream past its end has an empty view,
// and is not fed).
func (p *meterPair) ready(i int, meters []*loudness.Meter, views []audio.Buffer) {
	if p.count.Add(1) < 2 {
		return
	}
	p.count.Store(0)
	va, vb := &views[p.a], &views[p.b]
	switch na, nb := va.Frames(), vb.Frames(); {
	case na > 0 && nb > 0:
		loudness.ProcessPair(meters[p.a], meters[p.b], va, vb)
	case na > 0:
		meters[p.a].Process(va)
	case nb > 0:
		meters[p.b].Process(vb)
	}
}
