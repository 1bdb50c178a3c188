package biquad

import "fmt"

// Fork runs two filters over the same two channels: a band filter F on a
// copy of the input and a split G on the input in place, as a crossover
// takes a band off the rest above it. Each alone is bound by its
// recursions' latency in two lanes; with the accelerated kernel the first
// two sections of both run side by side in four lanes (forkAVX), and
// with a split of two sections F's third and fourth in the same loop,
// where the CPU overlaps them with the next frame's first two; any
// sections left run as Process2 runs them. Per lane the
// arithmetic is run's, so the outputs are bit-identical to copying the
// input, then F.Process2 and G.Process2.
type Fork struct {
	f, g *Filter
	k    *quadCoefficients // F's and G's first sections, then their second; nil: no kernel
	w    *wideCoefficients // F's third and fourth sections (the fourth unused when ns is 3)
	ns   int               // F's sections in the kernel: 2, 3 or 4
}

// NewFork returns the fork of f and g, each of two channels or more.
func NewFork(f, g *Filter) *Fork {
	if f.channels < 2 || g.channels < 2 {
		panic(fmt.Sprintf("biquad: NewFork of %d- and %d-channel filters", f.channels, g.channels))
	}
	p := &Fork{f: f, g: g}
	if pairAccelerated && len(f.ss) >= 2 && len(g.ss) >= 2 {
		p.k = quadden([]ssCoefficients{f.ss[0], g.ss[0], f.ss[1], g.ss[1]})
		p.ns = 2
		if len(g.ss) == 2 && len(f.ss) > 2 {
			p.ns = min(len(f.ss), 4)
			p.w = widen(f.ss[2], f.ss[p.ns-1])
		}
	}
	return p
}

// Process2 sets x0, x1 to r0, r1 through F (channels 0 and 1 of its
// state) and r0, r1 to themselves through G. All four have len(r0) frames
// at least; x is not read.
func (p *Fork) Process2(x0, x1, r0, r1 []float64) {
	n := len(r0)
	x0, x1, r1 = x0[:n], x1[:n], r1[:n]
	f, g := p.f, p.g
	if p.k == nil {
		copy(x0, r0)
		copy(x1, r1)
		f.Process2(0, x0, 1, x1)
		g.Process2(0, r0, 1, r1)
		return
	}
	f0, f1, g0, g1 := f.channelState(0), f.channelState(1), g.channelState(0), g.channelState(1)
	st := [24]float64{
		f0[0].s1, f1[0].s1, g0[0].s1, g1[0].s1, f0[0].s2, f1[0].s2, g0[0].s2, g1[0].s2,
		f0[1].s1, f1[1].s1, g0[1].s1, g1[1].s1, f0[1].s2, f1[1].s2, g0[1].s2, g1[1].s2,
	}
	for j := 2; j < p.ns; j++ {
		s := st[16+4*(j-2):]
		s[0], s[1], s[2], s[3] = f0[j].s1, f1[j].s1, f0[j].s2, f1[j].s2
	}
	runFork2Asm(x0, x1, r0, r1, p.k, p.w, &st, p.ns)
	for j := range 2 {
		s := st[8*j:]
		fc, gc := f.ss[j].flush, g.ss[j].flush
		f0[j].s1, f1[j].s1, g0[j].s1, g1[j].s1 = flush(s[0], fc), flush(s[1], fc), flush(s[2], gc), flush(s[3], gc)
		f0[j].s2, f1[j].s2, g0[j].s2, g1[j].s2 = flush(s[4], fc), flush(s[5], fc), flush(s[6], gc), flush(s[7], gc)
	}
	for j := 2; j < p.ns; j++ {
		s, fc := st[16+4*(j-2):], f.ss[j].flush
		f0[j].s1, f1[j].s1, f0[j].s2, f1[j].s2 = flush(s[0], fc), flush(s[1], fc), flush(s[2], fc), flush(s[3], fc)
	}
	f.process2From(p.ns, x0, x1)
	g.process2From(2, r0, r1)
}
