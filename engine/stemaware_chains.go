package engine

import (
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/saturate"
)

// stageRunner runs stages [from, to) of the stems' chains over a block:
// the stems' views and the key of the stages keyed by their sum are its
// own, so two runners can work on different stages at once.
type stageRunner struct {
	chains   [][]dsp.Processor
	peers    [][]dsp.Processor // per stage: the stems' copies of a dsp.KeyGroup stage; nil for the others
	from, to int
	key      *audio.Buffer
	views    []*audio.Buffer
}

func newStageRunner(chains, peers [][]dsp.Processor, from, to, block int) *stageRunner {
	r := &stageRunner{chains: chains, peers: peers, from: from, to: to, key: audio.NewBuffer(busChannels, block)}
	for range chains {
		r.views = append(r.views, &audio.Buffer{Data: make([][]float32, busChannels)})
	}
	return r
}

// run takes frames [at, end) of bufs (the stems' windows, or their tails)
// through the runner's stages, those keyed by the sum keyed by the stems'
// sum at their input.
func (r *stageRunner) run(bufs []*audio.Buffer, at, end int) {
	for k, b := range bufs {
		for c := range r.views[k].Data {
			r.views[k].Data[c] = b.Data[c][at:end]
		}
	}
	n := end - at
	for stage := r.from; stage < r.to; stage++ {
		if _, ok := r.chains[0][stage].(dsp.Sidechained); !ok {
			for k, v := range r.views {
				r.chains[k][stage].Process(v)
			}
			continue
		}
		r.key.SetFrames(n)
		dsp.SumInto(r.key, r.views, n)
		if g := r.peers[stage]; g != nil {
			g[0].(dsp.KeyGroup).ProcessKeyGroup(g, r.views, r.key)
			continue
		}
		for k, v := range r.views {
			r.chains[k][stage].(dsp.Sidechained).ProcessSidechain(v, r.key)
		}
	}
}

// pipelineSplit is the first stage of the pipeline's second half: the
// saturation, which costs about as much as all the stages before it (its
// 8× oversampling), or else the second half of the stages.
func pipelineSplit(chain []dsp.Processor) int {
	for i, p := range chain {
		if _, ok := p.(*saturate.Saturator); ok && i > 0 {
			return i
		}
	}
	return len(chain) / 2
}

// runChains runs the chains (one per stem) over the stems, a window of
// whole blocks at a time: read, processed block by block, written back in
// place. The stages run as a two-goroutine pipeline (the first half of the
// stages a block ahead of the second), so both cores work, each stage still
// taking the blocks in order. The chain's latency is compensated as the
// bus's master run does: its run-out becomes each stem's tail and its
// first frames are skipped (the spools' shift).
func (sa *stemAwareInput) runChains(chains [][]dsp.Processor, rate float64, frames64 int64) error {
	for _, s := range sa.stems {
		if err := s.finish(); err != nil {
			return err
		}
	}
	stages := len(chains[0])
	lat := 0
	for _, p := range chains[0] {
		lat += p.Latency()
	}
	frames := int(frames64)
	lat = min(lat, frames)
	block := maxBlock(rate)
	window := max(block, spoolWindow/block*block)
	wins := make([]*audio.Buffer, len(sa.stems))
	for k := range wins {
		wins[k] = audio.NewBuffer(busChannels, window)
	}
	peers := make([][]dsp.Processor, stages)
	for stage, p := range chains[0] {
		if _, ok := p.(dsp.KeyGroup); ok {
			for _, c := range chains {
				peers[stage] = append(peers[stage], c[stage])
			}
		}
	}
	split := pipelineSplit(chains[0])
	first, second := newStageRunner(chains, peers, 0, split, block), newStageRunner(chains, peers, split, stages, block)
	// The first half runs on its own goroutine: given a window's length,
	// it takes the window's blocks through its stages and hands each on.
	windows, done := make(chan int), make(chan struct{}, window/block+1)
	go func() {
		for n := range windows {
			for b := 0; b < n; b += block {
				first.run(wins, b, min(b+block, n))
				done <- struct{}{}
			}
		}
	}()
	defer close(windows)
	for at := 0; at < frames; at += window {
		n := min(window, frames-at)
		for k, s := range sa.stems {
			if err := s.readRaw(wins[k], int64(at), n); err != nil {
				return err
			}
		}
		windows <- n
		for b := 0; b < n; b += block {
			<-done // the first half is through block b
			second.run(wins, b, min(b+block, n))
		}
		for k, s := range sa.stems {
			if err := s.writeRaw(wins[k], int64(at), n); err != nil {
				return err
			}
		}
	}
	if lat > 0 {
		tails := make([]*audio.Buffer, len(sa.stems))
		for k := range tails {
			tails[k] = audio.NewBuffer(busChannels, lat)
		}
		for at := 0; at < lat; at += block {
			first.run(tails, at, min(at+block, lat))
			second.run(tails, at, min(at+block, lat))
		}
		for k, s := range sa.stems {
			s.shift, s.tail = int64(lat), tails[k]
		}
	}
	return nil
}
