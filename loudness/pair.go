package loudness

import "stemmaster/audio"

// quadK are kCoefs for the four-lane kernel: b0 b1 b2 a1 a2 c1 c2 and the
// constant 2, each stored four times.
type quadK [8][4]float64

// ProcessPair feeds x to a and y to b: the same as a.Process(x) then
// b.Process(y), bit for bit. One stereo stream's K-weighting is a chain of
// recursions that keeps only two lanes of the processor's vector unit busy,
// waiting on each sample's result; when a and b are stereo meters at the
// same rate and position, fed blocks of the same length, the two streams'
// four channels run together in four lanes, in about the time of one.
// Meters that run in lockstep over the same blocks (every stem of a check)
// pair up this way. a and b must be different meters.
func ProcessPair(a, b *Meter, x, y *audio.Buffer) {
	if !kAccelerated || a == b || a.channels != 2 || b.channels != 2 || a.rate != b.rate ||
		a.frames != b.frames || x.Channels() != 2 || y.Channels() != 2 || x.Frames() != y.Frames() {
		a.Process(x)
		b.Process(y)
		return
	}
	n := x.Frames()
	if !a.opt.IntegratedOnly {
		a.measurePeaks(x.Data, n)
	}
	if !b.opt.IntegratedOnly {
		b.measurePeaks(y.Data, n)
	}
	var k quadK
	for i, v := range [8]float64{a.kw.b0, a.kw.b1, a.kw.b2, a.kw.a1, a.kw.a2, a.kw.c1, a.kw.c2, 2} {
		k[i] = [4]float64{v, v, v, v}
	}
	// Same rate and same frame count: the two meters' sub-blocks end at
	// the same frames.
	for off := 0; off < n; {
		seg := int(min(int64(n-off), a.subEnd-a.frames))
		weighPair(a, b, &k, x.Data, y.Data, off, off+seg)
		off += seg
		a.frames += int64(seg)
		b.frames += int64(seg)
		if a.frames == a.subEnd {
			a.endSubBlock()
			b.endSubBlock()
		}
	}
}

// weighPair is weigh for two stereo meters at once. Like run2 it runs the
// first two frames of the stretch one channel at a time (flushing the state
// after them as run does), then the rest through the kernel, so every
// channel's sums and state are run2's.
func weighPair(a, b *Meter, k *quadK, xd, yd [][]float32, lo, hi int) {
	fs := [4]*kFilter{&a.filters[0], &a.filters[1], &b.filters[0], &b.filters[1]}
	xs := [4][]float32{xd[0][lo:hi], xd[1][lo:hi], yd[0][lo:hi], yd[1][lo:hi]}
	var s [4]float64
	if hi-lo <= 2 {
		for i, f := range fs {
			s[i] = f.run(&a.kw, xs[i])
		}
	} else {
		for i, f := range fs {
			s[i] = f.run(&a.kw, xs[i][:2])
		}
		var st [28]float64
		for i, f := range fs {
			st[i], st[4+i], st[8+i], st[12+i] = f.x1, f.x2, f.y1, f.y2
			st[16+i], st[20+i], st[24+i] = f.o1, f.o2, s[i]
		}
		kweight4(xs[0][2:], xs[1][2:], xs[2][2:], xs[3][2:], k, &st)
		for i, f := range fs {
			f.x1, f.x2 = st[i], st[4+i]
			f.y1, f.y2 = flush(st[8+i]), flush(st[12+i])
			f.o1, f.o2 = flush(st[16+i]), flush(st[20+i])
			s[i] = st[24+i]
		}
	}
	a.acc[0] += s[0]
	a.acc[1] += s[1]
	b.acc[0] += s[2]
	b.acc[1] += s[3]
}

// GroupSize is the most meters ProcessGroup runs together (ProcessQuad's
// four); grouping more gains nothing.
const GroupSize = 4

// ProcessGroup feeds bufs[i] to ms[i] for every i: the same as each
// ms[i].Process(bufs[i]), bit for bit, with the meters taken four at a
// time (ProcessQuad) and then in pairs (ProcessPair) where they can run
// together. The meters must be different.
func ProcessGroup(ms []*Meter, bufs []*audio.Buffer) {
	i := 0
	if octAccelerated {
		for ; i+3 < len(ms); i += 4 {
			ProcessQuad((*[4]*Meter)(ms[i:i+4]), (*[4]*audio.Buffer)(bufs[i:i+4]))
		}
	}
	for ; i+1 < len(ms); i += 2 {
		ProcessPair(ms[i], ms[i+1], bufs[i], bufs[i+1])
	}
	if i < len(ms) {
		ms[i].Process(bufs[i])
	}
}

// octK are kCoefs for the eight-lane kernel, each stored eight times.
type octK [8][8]float64

// ProcessQuad is ProcessPair for four meters: the same as each
// ms[j].Process(bufs[j]), bit for bit. Where the processor has the
// eight-lane kernel and the four are stereo meters at one rate and
// position fed blocks of one length, their eight channels run together;
// otherwise they go in pairs.
func ProcessQuad(ms *[4]*Meter, bufs *[4]*audio.Buffer) {
	a := ms[0]
	ok := octAccelerated
	for j, m := range ms {
		if !ok {
			break
		}
		ok = m.channels == 2 && m.rate == a.rate && m.frames == a.frames && bufs[j].Channels() == 2 &&
			bufs[j].Frames() == bufs[0].Frames()
		for _, o := range ms[:j] {
			ok = ok && o != m
		}
	}
	if !ok {
		ProcessPair(ms[0], ms[1], bufs[0], bufs[1])
		ProcessPair(ms[2], ms[3], bufs[2], bufs[3])
		return
	}
	n := bufs[0].Frames()
	for j, m := range ms {
		if !m.opt.IntegratedOnly {
			m.measurePeaks(bufs[j].Data, n)
		}
	}
	var k octK
	for i, v := range [8]float64{a.kw.b0, a.kw.b1, a.kw.b2, a.kw.a1, a.kw.a2, a.kw.c1, a.kw.c2, 2} {
		k[i] = [8]float64{v, v, v, v, v, v, v, v}
	}
	// Same rate and frame count: the meters' sub-blocks end together.
	for off := 0; off < n; {
		seg := int(min(int64(n-off), a.subEnd-a.frames))
		weighQuad(ms, &k, bufs, off, off+seg)
		off += seg
		for _, m := range ms {
			m.frames += int64(seg)
			if m.frames == m.subEnd {
				m.endSubBlock()
			}
		}
	}
}

// weighQuad is weighPair for four stereo meters.
func weighQuad(ms *[4]*Meter, k *octK, bufs *[4]*audio.Buffer, lo, hi int) {
	var fs [8]*kFilter
	var xs [8][]float32
	for j, m := range ms {
		fs[2*j], fs[2*j+1] = &m.filters[0], &m.filters[1]
		xs[2*j], xs[2*j+1] = bufs[j].Data[0][lo:hi], bufs[j].Data[1][lo:hi]
	}
	kw := &ms[0].kw
	var s [8]float64
	if hi-lo <= 2 {
		for i, f := range fs {
			s[i] = f.run(kw, xs[i])
		}
	} else {
		for i, f := range fs {
			s[i] = f.run(kw, xs[i][:2])
			xs[i] = xs[i][2:]
		}
		var st [56]float64
		for i, f := range fs {
			st[i], st[8+i], st[16+i], st[24+i] = f.x1, f.x2, f.y1, f.y2
			st[32+i], st[40+i], st[48+i] = f.o1, f.o2, s[i]
		}
		kweight8(&xs, k, &st)
		for i, f := range fs {
			f.x1, f.x2 = st[i], st[8+i]
			f.y1, f.y2 = flush(st[16+i]), flush(st[24+i])
			f.o1, f.o2 = flush(st[32+i]), flush(st[40+i])
			s[i] = st[48+i]
		}
	}
	for j, m := range ms {
		m.acc[0] += s[2*j]
		m.acc[1] += s[2*j+1]
	}
}
