package engine

import (
	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/multiband"
	"stemmaster/dsp/saturate"
	"stemmaster/dsp/stemshare"
)

// stageGroup runs one stage of every stem's chain over a block of each:
// keyed stages take the stems' sum at their input as their key.
type stageGroup struct {
	keyed bool
	// run processes the stems' views, frames [pos, pos+n) of the chains'
	// output, with key their sum when keyed.
	run func(views []*audio.Buffer, key *audio.Buffer, pos int64)
}

// stageGroups returns how each stage of chains (one chain per stem, the
// master's) runs over the stems so that they add up to the stage's output
// on their sum:
//   - linear stages (EQ, width, an EQ band on mid or side) run on each stem;
//   - the stages whose gains follow a detector (dsp.KeyGroup: the
//     compressor, the multiband; a compressor on mid or side through
//     dsp.MidSideGroup) analyse the sum once and apply its gains to every
//     stem, exactly as each stem's copy keyed by the sum would;
//   - saturation runs once on the sum and shares its distortion out among
//     the stems (package stemshare), instead of oversampling every stem;
//     as the last stage it takes its output on the sum from bus (the
//     master chain's output, shift frames behind the chains' positions),
//     so the stems add up to the bus the plain limiter would get;
//   - any other dsp.Sidechained stage runs on each stem keyed by the sum.
func stageGroups(chains [][]dsp.Processor, sat *stemmaster.SaturationParams, spec dsp.Spec, bus *audio.Buffer, shift int64) []stageGroup {
	groups := make([]stageGroup, len(chains[0]))
	for stage, lead := range chains[0] {
		peers := make([]dsp.Processor, len(chains))
		for k, c := range chains {
			peers[k] = c[stage]
		}
		each := func(views []*audio.Buffer, _ *audio.Buffer, _ int64) {
			for k, v := range views {
				peers[k].Process(v)
			}
		}
		keyedEach := func(views []*audio.Buffer, key *audio.Buffer, _ int64) {
			for k, v := range views {
				peers[k].(dsp.Sidechained).ProcessSidechain(v, key)
			}
		}
		g := stageGroup{keyed: true, run: keyedEach}
		if _, ok := lead.(dsp.Sidechained); !ok {
			g = stageGroup{run: each}
		}
		switch p := lead.(type) {
		case *saturate.Saturator:
			lin := satLinear(sat, p.Latency())
			if bus == nil || stage < len(chains[0])-1 {
				st := stemshare.New(p, lin, len(chains), spec)
				g.run = func(views []*audio.Buffer, key *audio.Buffer, _ int64) { st.Process(views, key) }
				break
			}
			st := stemshare.New(nil, lin, len(chains), spec)
			out := audio.NewBuffer(busChannels, spec.MaxBlockSize)
			g = stageGroup{run: func(views []*audio.Buffer, _ *audio.Buffer, pos int64) {
				busWindow(out, bus, pos-shift, views[0].Frames())
				st.ProcessOutput(views, out)
			}}
		case *dsp.MidSide:
			if _, ok := p.Inner().(dsp.Sidechained); !ok {
				g = stageGroup{run: each}
			} else if ms := dsp.NewMidSideGroup(peers); ms != nil {
				g.run = func(views []*audio.Buffer, key *audio.Buffer, _ int64) { ms.Process(views, key) }
			}
		case dsp.KeyGroup:
			g.run = func(views []*audio.Buffer, key *audio.Buffer, _ int64) { p.ProcessKeyGroup(peers, views, key) }
		}
		groups[stage] = g
	}
	return groups
}

// busWindow sets out to n frames of bus from frame at, zeros outside it.
func busWindow(out, bus *audio.Buffer, at int64, n int) {
	out.SetFrames(n)
	for c, o := range out.Data {
		clear(o)
		src := bus.Data[c]
		from, to := max(at, 0), min(at+int64(n), int64(len(src)))
		if from < to {
			copy(o[from-at:], src[from:to])
		}
	}
}

// stageRunner runs stages [from, to) of the stems' chains over a block:
// the stems' views and the key of the keyed stages are its own, so two
// runners can work on different stages at once.
type stageRunner struct {
	groups   []stageGroup
	from, to int
	key      *audio.Buffer
	views    []*audio.Buffer
}

func newStageRunner(groups []stageGroup, stems, from, to, block int) *stageRunner {
	r := &stageRunner{groups: groups, from: from, to: to, key: audio.NewBuffer(busChannels, block)}
	for range stems {
		r.views = append(r.views, &audio.Buffer{Data: make([][]float32, busChannels)})
	}
	return r
}

// run takes frames [at, end) of bufs (the stems' windows, or their tails),
// which start at frame base of the chains' output, through the runner's
// stages, the keyed ones keyed by the stems' sum at their input.
func (r *stageRunner) run(bufs []*audio.Buffer, base int64, at, end int) {
	for k, b := range bufs {
		for c := range r.views[k].Data {
			r.views[k].Data[c] = b.Data[c][at:end]
		}
	}
	n := end - at
	for _, g := range r.groups[r.from:r.to] {
		if !g.keyed {
			g.run(r.views, nil, base+int64(at))
			continue
		}
		r.key.SetFrames(n)
		dsp.SumInto(r.key, r.views, n)
		g.run(r.views, r.key, base+int64(at))
	}
}

// pipelineSplit is the first stage of the pipeline's second half: the
// multiband, which costs about as much as the stages before it (every
// stem's band split), or else the second half of the stages.
func pipelineSplit(chain []dsp.Processor) int {
	for i, p := range chain {
		if _, ok := p.(*multiband.Processor); ok && i > 0 {
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
func (sa *stemAwareInput) runChains(chains [][]dsp.Processor, sat *stemmaster.SaturationParams, bus *audio.Buffer, rate float64, frames64 int64) error {
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
	groups := stageGroups(chains, sat, dsp.Spec{SampleRate: rate, MaxBlockSize: block, Channels: busChannels}, bus, int64(lat))
	split := pipelineSplit(chains[0])
	first, second := newStageRunner(groups, len(chains), 0, split, block), newStageRunner(groups, len(chains), split, stages, block)
	// The first half runs on its own goroutine: given a window's length,
	// it takes the window's blocks through its stages and hands each on.
	type win struct {
		at int64
		n  int
	}
	windows, done := make(chan win), make(chan struct{}, window/block+1)
	go func() {
		for w := range windows {
			for b := 0; b < w.n; b += block {
				first.run(wins, w.at, b, min(b+block, w.n))
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
		windows <- win{int64(at), n}
		for b := 0; b < n; b += block {
			<-done // the first half is through block b
			second.run(wins, int64(at), b, min(b+block, n))
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
			first.run(tails, int64(frames), at, min(at+block, lat))
			second.run(tails, int64(frames), at, min(at+block, lat))
		}
		for k, s := range sa.stems {
			s.shift, s.tail = int64(lat), tails[k]
		}
	}
	return nil
}
