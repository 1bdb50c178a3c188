package engine

import (
	"sync"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// afterMeters meters the strips' outputs (each strip's after-meter) in
// groups. A stereo stream's K-weighting is a chain of recursions that
// leaves most of the vector unit idle; loudness.ProcessGroup runs several
// streams side by side in about the time of one. The strips run in their
// own goroutines, a few blocks apart, so each strip leaves a copy of its
// block here, and whichever strip completes a row (the next block of every
// strip) meters that row; the others go on at once. Every meter sees its
// blocks in order, so its figures are those of metering the strip alone,
// bit for bit.
type afterMeters struct {
	mu     sync.Mutex
	meters []*loudness.Meter
	queues [][]*audio.Buffer // per strip, blocks not metered yet, oldest first
	free   []*audio.Buffer
	busy   bool // a goroutine is metering rows; it takes any row completed meanwhile
	row    []*audio.Buffer
}

// groupAfterMeters gives the strips (nil ones skipped) one afterMeters
// when there are two or more; a lone strip meters its blocks itself.
func groupAfterMeters(strips []*strip) {
	var active []*strip
	for _, s := range strips {
		if s != nil {
			active = append(active, s)
		}
	}
	if len(active) < 2 {
		return
	}
	g := &afterMeters{queues: make([][]*audio.Buffer, len(active)), row: make([]*audio.Buffer, len(active))}
	for i, s := range active {
		g.meters = append(g.meters, s.after)
		s.group, s.slot = g, i
	}
}

// meterAfter meters the strip's processed block s.work.
func (s *strip) meterAfter() {
	if s.group == nil {
		s.after.Process(s.work)
		return
	}
	s.group.push(s.slot, s.work)
}

// afterResult is the strip's after-meter result, once every strip is done.
func (s *strip) afterResult() loudness.Result {
	if s.group != nil {
		s.group.flush()
	}
	return s.after.Result()
}

// push leaves a copy of strip i's block b and meters the rows it completes.
func (g *afterMeters) push(i int, b *audio.Buffer) {
	g.mu.Lock()
	var c *audio.Buffer
	if n := len(g.free); n > 0 {
		c, g.free = g.free[n-1], g.free[:n-1]
	} else {
		c = audio.NewBuffer(busChannels, BlockSize)
	}
	c.SetFrames(b.Frames())
	for ch := range c.Data {
		copy(c.Data[ch], b.Data[ch])
	}
	g.queues[i] = append(g.queues[i], c)
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
func (g *afterMeters) takeRow() bool {
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

func (g *afterMeters) release(bufs []*audio.Buffer) {
	for _, b := range bufs {
		b.SetFrames(BlockSize)
		g.free = append(g.free, b)
	}
}

// flush meters what is left: rows, then the blocks of strips that fed
// more than others (a longer latency), each on its own meter. No strip
// may push any more.
func (g *afterMeters) flush() {
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
		g.release(q)
		g.queues[i] = q[:0]
	}
}
