package dsp

import (
	"fmt"

	"stemmaster/audio"
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
