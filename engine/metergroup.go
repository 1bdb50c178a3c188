package engine

import (
	"sync"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// meterGroup meters the strips' blocks (each strip's after-meter, or its
// before-meter when the engine meters the stems as decoded) in groups. A
// stereo stream's K-weighting is a chain of recursions that leaves most of
// the vector unit idle; loudness.ProcessGroup runs several streams side by
// side in about the time of one. The strips run in their own goroutines, a
// few blocks apart, so each strip leaves a copy of its block here, and
// whichever strip completes a row (the next block of every strip) meters
// that row; the others go on at once. Every meter sees its blocks in
// order, so its figures are those of metering the strip alone, bit for
// bit.
type meterGroup struct {
	mu     sync.Mutex
	meters []*loudness.Meter
	queues [][]*audio.Buffer // per strip, blocks not metered yet, oldest first
	free   [][]*audio.Buffer // per strip (its channel count), buffers for copies
	busy   bool              // a goroutine is metering rows; it takes any row completed meanwhile
	row    []*audio.Buffer
}

// stripMeter is a strip's meter and, when it meters in a group, the group
// and its place there.
type stripMeter struct {
	m     *loudness.Meter
	group *meterGroup
	slot  int
	// bySum: the summer feeds the meter with the strip's output blocks
	// (sumMeters), and process leaves it alone.
	bySum bool
}

// process meters b, or leaves it with the group.
func (sm *stripMeter) process(b *audio.Buffer) {
	if sm.bySum {
		return
	}
	if sm.group == nil {
		sm.m.Process(b)
		return
	}
	sm.group.push(sm.slot, b)
}

// result is the meter's result, once every strip of the group is done.
func (sm *stripMeter) result() loudness.Result {
	if sm.group != nil {
		sm.group.flush()
	}
	return sm.m.Result()
}

// groupMeters leaves the after-meters of the strips without latency to
// the summer (sumMeters), puts the other strips' after-meters in groups of
// up to loudness.GroupSize, in order, and their before-meters (where they have
// them) likewise; a lone meter meters its blocks itself.
func groupMeters(strips []*strip) {
	for _, s := range strips {
		if s != nil {
			s.after.bySum = s.after.m != nil && s.lat == 0
		}
	}
	group := func(pick func(s *strip) *stripMeter) {
		var ms []*stripMeter
		for _, s := range strips {
			if s != nil && pick(s).m != nil && !pick(s).bySum {
				ms = append(ms, pick(s))
			}
		}
		for len(ms) >= 2 {
			k := min(len(ms), loudness.GroupSize)
			g := &meterGroup{queues: make([][]*audio.Buffer, k), free: make([][]*audio.Buffer, k),
				row: make([]*audio.Buffer, k)}
			for i, sm := range ms[:k] {
				g.meters = append(g.meters, sm.m)
				sm.group, sm.slot = g, i
			}
			ms = ms[k:]
		}
	}
	group(func(s *strip) *stripMeter { return &s.after })
	group(func(s *strip) *stripMeter { return &s.before })
}

// hand meters b, or leaves b itself with the group, no copy, and returns
// a buffer of b's channels and at least BlockSize frames for the caller's
// next block.
func (sm *stripMeter) hand(b *audio.Buffer) *audio.Buffer {
	if sm.group == nil {
		sm.m.Process(b)
		return b
	}
	g := sm.group
	g.mu.Lock()
	c := g.spare(sm.slot, b.Channels(), BlockSize)
	g.add(sm.slot, b)
	return c
}

// push leaves a copy of strip i's block b and meters the rows it completes.
func (g *meterGroup) push(i int, b *audio.Buffer) {
	g.mu.Lock()
	c := g.spare(i, b.Channels(), b.Frames())
	c.SetFrames(b.Frames())
	for ch := range c.Data {
		copy(c.Data[ch], b.Data[ch])
	}
	g.add(i, c)
}

// spare is a buffer of strip i's free list, or a new one, of at least
// frames frames. The caller holds g.mu.
func (g *meterGroup) spare(i, channels, frames int) *audio.Buffer {
	if n := len(g.free[i]); n > 0 && g.free[i][n-1].Cap() >= frames {
		c := g.free[i][n-1]
		g.free[i] = g.free[i][:n-1]
		return c
	}
	return audio.NewBuffer(channels, max(frames, BlockSize))
}

// add queues strip i's block b, which the group now owns, and meters the
// rows it completes. The caller holds g.mu; add releases it.
func (g *meterGroup) add(i int, b *audio.Buffer) {
	g.queues[i] = append(g.queues[i], b)
	if g.busy {
		g.mu.Unlock()
		return
	}
	g.busy = true
	for g.takeRow() {
		g.mu.Unlock()
		loudness.ProcessGroup(g.meters, g.row)
		g.mu.Lock()
		g.release(g.row)
	}
	g.busy = false
	g.mu.Unlock()
}

// takeRow moves the oldest block of every strip to g.row when each has
// one. The caller holds g.mu.
func (g *meterGroup) takeRow() bool {
	for _, q := range g.queues {
		if len(q) == 0 {
			return false
		}
	}
	for i, q := range g.queues {
		g.row[i] = q[0]
		g.queues[i] = append(q[:0], q[1:]...)
	}
	return true
}

// release returns the copies of a row to their strips' free lists.
func (g *meterGroup) release(row []*audio.Buffer) {
	for i, b := range row {
		g.free[i] = append(g.free[i], b)
	}
}

// flush meters what is left: rows, then the blocks of strips that fed
// more than others (a longer latency), each on its own meter. No strip
// may push any more.
func (g *meterGroup) flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.takeRow() {
		loudness.ProcessGroup(g.meters, g.row)
		g.release(g.row)
	}
	for i, q := range g.queues {
		for _, b := range q {
			g.meters[i].Process(b)
		}
		g.free[i] = append(g.free[i], q...)
		g.queues[i] = q[:0]
	}
}
