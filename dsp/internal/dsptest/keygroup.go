package dsptest

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// CheckKeyGroup runs stems through processors from newProc keyed by their
// sum, once each with ProcessSidechain and once as a group
// (dsp.KeyGroup.ProcessKeyGroup), in blocks of block frames, and fails t
// unless every output sample is bit-identical between the two, and unless
// the group call allocates nothing.
func CheckKeyGroup(t *testing.T, newProc func() dsp.KeyGroup, stems []*audio.Buffer, block int) {
	t.Helper()
	frames, channels := stems[0].Frames(), stems[0].Channels()
	key := audio.NewBuffer(channels, frames)
	dsp.SumInto(key, stems, frames)
	alone := make([]*audio.Buffer, len(stems))
	group := make([]*audio.Buffer, len(stems))
	procs := make([]dsp.Sidechained, len(stems))
	peers := make([]dsp.Processor, len(stems))
	for k, s := range stems {
		alone[k], group[k] = s.Clone(), s.Clone()
		procs[k], peers[k] = newProc(), newProc()
	}
	lead := peers[0].(dsp.KeyGroup)
	view := func(b *audio.Buffer, at, end int) *audio.Buffer {
		v := &audio.Buffer{Data: make([][]float32, channels)}
		for c := range v.Data {
			v.Data[c] = b.Data[c][at:end]
		}
		return v
	}
	views := make([]*audio.Buffer, len(stems))
	for at := 0; at < frames; at += block {
		end := min(at+block, frames)
		k := view(key, at, end)
		for i, p := range procs {
			p.ProcessSidechain(view(alone[i], at, end), k)
			views[i] = view(group[i], at, end)
		}
		lead.ProcessKeyGroup(peers, views, k)
	}
	for i := range stems {
		for c := range channels {
			for n, want := range alone[i].Data[c] {
				if got := group[i].Data[c][n]; got != want {
					t.Fatalf("stem %d channel %d frame %d: group %v, alone %v", i, c, n, got, want)
				}
			}
		}
	}
	for i := range views {
		views[i] = view(group[i], 0, min(block, frames))
	}
	k := view(key, 0, min(block, frames))
	if a := testing.AllocsPerRun(5, func() { lead.ProcessKeyGroup(peers, views, k) }); a != 0 {
		t.Errorf("ProcessKeyGroup allocates %.1f times per call", a)
	}
}
