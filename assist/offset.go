package assist

import (
	"fmt"
	"math"

	"stemmaster/analysis"
)

// alignSeconds is the stretch of a stem (its loudest) correlated with the
// mix to find its offset: the check's AlignSeconds, so both find the same
// lag; alignMaxLagSeconds the offsets searched either way.
const (
	alignSeconds       = 10.0
	alignMaxLagSeconds = 1.0
)

// mixLag finds how many frames late stem t plays against the mix, with the
// check's alignment (analysis.Align on its loudest alignSeconds, the mean of
// its channels against the mono mix); ok is false when the correlation is
// too weak to trust (analysis.MinAlignPeak), and the stem is then left
// where it was delivered.
func mixLag(t, mix *Track) (lag int, ok bool) {
	n := t.Buf.Frames()
	want := min(n, int(alignSeconds*float64(t.Rate)))
	if want == 0 {
		return 0, false
	}
	maxLag := min(analysis.MaxAlignLag, int(alignMaxLagSeconds*float64(t.Rate)))
	// The loudest stretch of want frames, by 1024-frame blocks.
	const blk = 1024
	nb := (n + blk - 1) / blk
	e := make([]float64, nb)
	for _, ch := range t.Buf.Data {
		for i, v := range ch[:n] {
			e[i/blk] += float64(v) * float64(v)
		}
	}
	w := max(1, want/blk)
	var s, best float64
	at := 0
	for i := range nb {
		s += e[i]
		if i >= w {
			s -= e[i-w]
		}
		if i >= w-1 && s > best {
			best, at = s, (i-w+1)*blk
		}
	}
	at = min(at, n-want)
	x := monoOf(t.Buf.Data, at, want, 0)
	ref := monoOf(mix.Buf.Data, at-maxLag, want+2*maxLag, mix.Buf.Frames())
	a := analysis.Align(x, ref, maxLag)
	if math.Abs(a.Peak) < analysis.MinAlignPeak {
		return 0, false
	}
	return a.Lag, true
}

// monoOf is the mean of chs over frames [from, from+n), zero outside
// [0, frames) (frames 0: the channels' length).
func monoOf(chs [][]float32, from, n, frames int) []float32 {
	if frames == 0 {
		frames = len(chs[0])
	}
	out := make([]float32, n)
	for _, ch := range chs {
		for i := range out {
			if j := from + i; j >= 0 && j < frames {
				out[i] += ch[j] / float32(len(chs))
			}
		}
	}
	return out
}

// offsetWhy is the reason for a stem's proposed offset.
func offsetWhy(name string, off, rate int) string {
	dir := "late"
	if off > 0 {
		dir = "early"
	}
	return fmt.Sprintf("%s plays %d samples (%.1f ms) %s against the mix: offset_samples %d puts it where the mix has it", name, abs(off), 1000*float64(abs(off))/float64(rate), dir, off)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
