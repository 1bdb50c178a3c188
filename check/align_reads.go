package check

import (
	"container/list"
	"sync"
)

// The joint search's reads of the stems and the mix, cached in chunks so its probes read each once.

// jointReads keeps the stretches of each input the joint fits read, as
// float64 without the input's DC, for the fits after: the edge steps, the
// second fit after the long search and every probe read the stems around
// windows read before (a hard 8 s excerpt of francium reads each frame 11
// to 21 times). It keeps an input in chunks of jointChunkFrames, at most
// jointReadBytes of them, the least recently used let go first; it lives
// for one alignAll.
type jointReads struct {
	mu    sync.Mutex
	byKey map[jointKey]*list.Element
	lru   list.List // of *jointChunk, the most recently used first
	bytes int
	limit int // jointReadBytes
}

type jointKey struct {
	in    *input
	chunk int64
}

type jointChunk struct {
	key jointKey
	ch  [][]float64
}

const (
	// jointChunkFrames is the length of a chunk: an excerpt of the joint
	// window spans four or five.
	jointChunkFrames = 1 << 15
	// jointReadBytes bounds the chunks kept: every input of a 10 s
	// delivery of five stereo stems and the mix, or the stretches a fit
	// reads of a long one with its probes' around them.
	jointReadBytes = 32 << 20
)

func newJointReads() *jointReads {
	return &jointReads{byKey: map[jointKey]*list.Element{}, limit: jointReadBytes}
}

// excerpt is float64s(alignExcerpt(in, from, length)), made from the
// chunks kept (and, before the file, what alignExcerpt reads there). The
// channels are the caller's.
//
// Every frame of a chunk is the frame an excerpt reads at any start: a PCM
// decoder's samples do not depend on where it began, and an input
// converted from another rate is read from its start each time. A file
// that failed part-way or holds non-finite samples is read directly: an
// excerpt that seeks past its failure reads on where one from before it
// stops.
func (j *jointReads) excerpt(c *checker, in *input, from int64, length int) ([][]float64, error) {
	end := from + int64(length)
	if in.partial || in.nonFinite != nil || end <= 0 {
		x, err := c.alignExcerpt(in, from, length)
		if err != nil {
			return nil, err
		}
		return float64s(x), nil
	}
	var out [][]float64
	for k := max(from, 0) / jointChunkFrames; k*jointChunkFrames < end; k++ {
		ch, err := j.chunk(c, in, k)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make([][]float64, len(ch))
			for i := range out {
				out[i] = make([]float64, length)
			}
		}
		lo, hi := max(from, k*jointChunkFrames), min(end, (k+1)*jointChunkFrames)
		for i := range out {
			copy(out[i][lo-from:hi-from], ch[i][lo-k*jointChunkFrames:])
		}
	}
	if from < 0 {
		// Before the file alignExcerpt reads zeros less the DC.
		pad := make([][]float32, len(out))
		for i := range pad {
			pad[i] = make([]float32, 1)
		}
		for i, p := range dcFree(in, pad) {
			if v := float64(p[0]); v != 0 {
				for t := range min(-from, int64(length)) {
					out[i][t] = v
				}
			}
		}
	}
	return out, nil
}

// chunk returns chunk k of an input (frames k·jointChunkFrames on),
// reading it when it is not kept.
func (j *jointReads) chunk(c *checker, in *input, k int64) ([][]float64, error) {
	key := jointKey{in, k}
	j.mu.Lock()
	if e := j.byKey[key]; e != nil {
		j.lru.MoveToFront(e)
		j.mu.Unlock()
		return e.Value.(*jointChunk).ch, nil
	}
	j.mu.Unlock()
	x, err := c.alignExcerpt(in, k*jointChunkFrames, jointChunkFrames)
	if err != nil {
		return nil, err
	}
	ch := float64s(x)
	size := len(ch) * jointChunkFrames * 8
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byKey[key] != nil || size > j.limit {
		return ch, nil
	}
	for j.bytes+size > j.limit {
		old := j.lru.Remove(j.lru.Back()).(*jointChunk)
		delete(j.byKey, old.key)
		j.bytes -= len(old.ch) * jointChunkFrames * 8
	}
	j.byKey[key] = j.lru.PushFront(&jointChunk{key, ch})
	j.bytes += size
	return ch, nil
}
