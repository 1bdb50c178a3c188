package dsp

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp/internal/vec"
)

// MidSideGroup runs several copies of one MidSide stage, each keyed by the
// same key, with the inner processor's key analysis done once: every
// buffer is encoded, the inner KeyGroup runs over all their mid (or side)
// parts keyed by the key's, and every buffer is decoded. The result is
// bit for bit each copy's ProcessSidechain(buf, key). Stem-aware limiting
// runs the master's compressor on the mid that way over every stem.
type MidSideGroup struct {
	peers []*MidSide
	inner []Processor     // the peers' inner processors
	lead  KeyGroup        // peers[0]'s inner processor
	views []*audio.Buffer // the peers' encoded parts during Process
	steps []func(*audio.Buffer)
	bufs  []*audio.Buffer
	key   *audio.Buffer
}

// NewMidSideGroup returns the group of peers (MidSide stages with the same
// parameters, prepared alike, each wrapping a processor of one type), or
// nil when their inner processor is not a KeyGroup.
func NewMidSideGroup(peers []Processor) *MidSideGroup {
	g := &MidSideGroup{}
	for _, p := range peers {
		m, ok := p.(*MidSide)
		if !ok {
			panic(fmt.Sprintf("dsp: NewMidSideGroup with a peer %T", p))
		}
		g.peers = append(g.peers, m)
		g.inner = append(g.inner, m.inner)
	}
	lead, ok := g.inner[0].(KeyGroup)
	if !ok {
		return nil
	}
	g.lead = lead
	g.views = make([]*audio.Buffer, len(peers))
	for i := range g.peers {
		g.steps = append(g.steps, func(v *audio.Buffer) { g.views[i] = v; g.encode(i + 1) })
	}
	return g
}

// Process leaves every bufs[i] as peers[i].ProcessSidechain(bufs[i], key)
// would. The peers are encoded one inside the other (each one's run calls
// the next), the first one last through its own ProcessSidechain, whose
// inner call runs the group; the decodes then unwind.
func (g *MidSideGroup) Process(bufs []*audio.Buffer, key *audio.Buffer) {
	if len(bufs) != len(g.peers) {
		panic(fmt.Sprintf("dsp: MidSideGroup.Process with %d buffers for %d peers", len(bufs), len(g.peers)))
	}
	g.bufs, g.key = bufs, key
	g.encode(1)
	g.bufs, g.key = nil, nil
	clear(g.views)
}

// encode encodes peer i and, inside its run, the ones after it; past the
// last it runs the first peer keyed, with its inner processor standing in
// for the group.
func (g *MidSideGroup) encode(i int) {
	if i < len(g.peers) {
		g.peers[i].run(g.bufs[i], g.steps[i])
		return
	}
	first := g.peers[0]
	first.inner = (*midSideGroupInner)(g)
	first.ProcessSidechain(g.bufs[0], g.key)
	first.inner = g.inner[0]
}

// midSideGroupInner is the first peer's inner processor during a group's
// Process: handed the first peer's part and the key's, it runs the inner
// group over every peer's part.
type midSideGroupInner MidSideGroup

func (h *midSideGroupInner) ProcessSidechain(v, key *audio.Buffer) {
	g := (*MidSideGroup)(h)
	g.views[0] = v
	g.lead.ProcessKeyGroup(g.inner, g.views, key)
}

func (h *midSideGroupInner) Prepare(Spec)          { panic("dsp: MidSideGroup's stand-in prepared") }
func (h *midSideGroupInner) Reset()                {}
func (h *midSideGroupInner) Latency() int          { return h.inner[0].Latency() }
func (h *midSideGroupInner) Process(*audio.Buffer) { panic("dsp: MidSideGroup's stand-in run unkeyed") }

// MidSideRun runs several MidSide stages in a row over several signals (the
// stems of stem-aware limiting), each of them keyed by the signals' sum at
// its input, with one encode and one decode per signal for the whole run
// instead of one per stage: every signal is encoded to mid and side as
// MidSide does (float32, what the rounding lost kept in float64 and added
// back at the decode), each stage's inner processor runs on the part it
// works on (a linear one on each signal's part; a KeyGroup once over all of
// them keyed by the sum of their parts, which is the part of the sum; any
// other Sidechained one on each, keyed by that sum), and every signal is
// decoded. The result is each signal's own chain of MidSide stages keyed by
// the sum, to float32 rounding (between two stages MidSide decodes to
// float32 left and right and encodes again; here the parts go on).
type MidSideRun struct {
	stages    [][]*MidSide // [stage][signal]
	inner     [][]Processor
	mid, side []*audio.Buffer // [signal] one channel each
	resid     [][2][]float64  // [signal]: what float32 lost of the mid, the side
	rest      [][]float64     // [signal] the side in float64
	views     []*audio.Buffer
	key       *audio.Buffer
	keyed     []bool // [stage] the inner processor is Sidechained
	group     []KeyGroup
	maxFrames int
	signals   int
}

// NewMidSideRun returns the run of stages (each a []Processor of *MidSide,
// one per signal, prepared alike) for blocks of up to maxFrames frames.
func NewMidSideRun(stages [][]Processor, maxFrames int) *MidSideRun {
	r := &MidSideRun{maxFrames: maxFrames, signals: len(stages[0]), key: audio.NewBuffer(1, maxFrames)}
	for _, st := range stages {
		var ms []*MidSide
		var in []Processor
		for _, p := range st {
			m := p.(*MidSide)
			ms = append(ms, m)
			in = append(in, m.inner)
		}
		r.stages, r.inner = append(r.stages, ms), append(r.inner, in)
		_, keyed := in[0].(Sidechained)
		g, _ := in[0].(KeyGroup)
		r.keyed, r.group = append(r.keyed, keyed), append(r.group, g)
	}
	for range r.signals {
		r.resid = append(r.resid, [2][]float64{make([]float64, maxFrames), make([]float64, maxFrames)})
		r.rest = append(r.rest, make([]float64, maxFrames))
		r.mid = append(r.mid, audio.NewBuffer(1, maxFrames))
		r.side = append(r.side, audio.NewBuffer(1, maxFrames))
		r.views = append(r.views, &audio.Buffer{Data: make([][]float32, 1)})
	}
	return r
}

// Process runs the stages over bufs (stereo, one per signal, the same
// frames), in place.
func (r *MidSideRun) Process(bufs []*audio.Buffer) {
	if len(bufs) != r.signals {
		panic(fmt.Sprintf("dsp: MidSideRun.Process with %d buffers for %d signals", len(bufs), r.signals))
	}
	n := bufs[0].Frames()
	if n > r.maxFrames {
		panic(fmt.Sprintf("dsp: MidSideRun.Process of %d frames, made for %d", n, r.maxFrames))
	}
	for s, b := range bufs {
		// the mid through MidSide's own encode (its kernel), the side from
		// the float64 side it leaves; each keeps what float32 lost
		m, d := r.mid[s].Data[0][:n], r.side[s].Data[0][:n]
		rm, rs, sd := r.resid[s][0][:n], r.resid[s][1][:n], r.rest[s][:n]
		vec.MSEncode(b.Data[0][:n], b.Data[1][:n], m, rm, sd, false)
		for i, v := range sd {
			d[i] = float32(v)
			rs[i] = v - float64(d[i])
		}
	}
	for st, ms := range r.stages {
		part := r.mid
		if ms[0].side {
			part = r.side
		}
		for s, p := range part {
			r.views[s].Data[0] = p.Data[0][:n]
		}
		switch {
		case !r.keyed[st]:
			for s, v := range r.views {
				r.inner[st][s].Process(v)
			}
		default:
			r.key.SetFrames(n)
			SumInto(r.key, r.views, n)
			if g := r.group[st]; g != nil {
				g.ProcessKeyGroup(r.inner[st], r.views, r.key)
				break
			}
			for s, v := range r.views {
				r.inner[st][s].(Sidechained).ProcessSidechain(v, r.key)
			}
		}
	}
	for s, b := range bufs {
		m, d := r.mid[s].Data[0][:n], r.side[s].Data[0][:n]
		rm, rs, sd := r.resid[s][0][:n], r.resid[s][1][:n], r.rest[s][:n]
		for i, v := range d {
			sd[i] = float64(v) + rs[i]
		}
		vec.MSDecode(b.Data[0][:n], b.Data[1][:n], m, rm, sd, false)
	}
	for _, v := range r.views {
		v.Data[0] = nil
	}
}
