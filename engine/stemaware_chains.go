package engine

import (
	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/multiband"
	"stemmaster/dsp/saturate"
	"stemmaster/dsp/stemshare"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
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
//   - any other dsp.Sidechained stage runs on each stem keyed by the sum;
//   - MidSide stages in a row share one encode and decode (fuseMidSide).
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
	fuseMidSide(chains, groups, spec.MaxBlockSize)
	return groups
}

// fuseMidSide runs every run of two or more MidSide stages in a row (EQ
// bands and a compressor on the mid or the side) as one dsp.MidSideRun:
// one encode and decode per stem for the run, not per stage. The run sits
// at its first stage; the others do nothing (so a pipeline split inside
// the run leaves it whole).
func fuseMidSide(chains [][]dsp.Processor, groups []stageGroup, block int) {
	isMS := func(i int) bool { _, ok := chains[0][i].(*dsp.MidSide); return ok }
	for i := 0; i < len(groups); {
		j := i
		for j < len(groups) && isMS(j) {
			j++
		}
		if j-i < 2 {
			i = max(j, i+1)
			continue
		}
		var stages [][]dsp.Processor
		for st := i; st < j; st++ {
			var peers []dsp.Processor
			for _, c := range chains {
				peers = append(peers, c[st])
			}
			stages = append(stages, peers)
		}
		run := dsp.NewMidSideRun(stages, block)
		groups[i] = stageGroup{run: func(views []*audio.Buffer, _ *audio.Buffer, _ int64) { run.Process(views) }}
		for st := i + 1; st < j; st++ {
			groups[st] = stageGroup{run: func([]*audio.Buffer, *audio.Buffer, int64) {}}
		}
		i = j
	}
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

// pipelineSplits are the boundaries of the pipeline's parts: the
// multiband (every stem's band split costs about as much as the stages
// before it) alone between the stages before and after it, or else two
// halves of the stages.
func pipelineSplits(chain []dsp.Processor) []int {
	for i, p := range chain {
		if _, ok := p.(*multiband.Processor); ok && i > 0 {
			if i+1 < len(chain) {
				return []int{0, i, i + 1, len(chain)}
			}
			return []int{0, i, len(chain)}
		}
	}
	return []int{0, len(chain) / 2, len(chain)}
}

// piece is a block of a window on its way through the pipeline.
type piece struct {
	at       int64 // the window's first frame
	from, to int   // the block's frames in the window
}

// chainsLatency is the chains' latency, at most the song's length.
func chainsLatency(chains [][]dsp.Processor, frames int64) int {
	lat := 0
	for _, p := range chains[0] {
		lat += p.Latency()
	}
	return int(min(int64(lat), frames))
}

// setShift sets the classes' spools to read the chains' output in time
// (before writeChains runs: the readers read the shift as it writes).
func (sa *stemAwareInput) setShift(chains [][]dsp.Processor, frames int64) {
	for _, s := range sa.stems {
		s.shift = int64(chainsLatency(chains, frames))
	}
}

// startChains runs the chains on their own goroutine (setShift, then
// writeChains), the classes' spools reading what it has written as it
// goes (chainProgress); end is called when they are through.
func (sa *stemAwareInput) startChains(chains [][]dsp.Processor, sat *stemmaster.SaturationParams, bus *audio.Buffer, rate float64, frames int64, end func()) {
	sa.setShift(chains, frames)
	sa.prog = newChainProgress()
	for _, s := range sa.stems {
		s.prog = sa.prog
	}
	sa.chainsDone = make(chan struct{})
	go func() {
		defer close(sa.chainsDone)
		ended := false
		// The classes' readers are told, as of a failure of the chains.
		defer safego.Recover("stem-aware limiter's chains", func(err error) {
			if !ended {
				end()
			}
			sa.prog.finish(err)
		})
		faultpoint.Hit("render.chains")
		err := sa.writeChains(chains, sat, bus, rate, frames)
		ended = true
		end()
		sa.prog.finish(err)
	}()
}

// writeChains runs the chains (one per class) over the classes, a window
// of whole blocks at a time: read, processed block by block, written back
// in place. The stages run as a pipeline of parts (pipelineSplits), each
// on its own goroutine but the last, which runs on this one: a part takes
// each block after the part before it, so the cores work at once and each
// stage still takes the blocks in order. The chain's latency is
// compensated as the bus's master run does: its run-out becomes each
// class's tail and its first frames are skipped (the spools' shift, which
// setShift sets before). Each window written advances sa.prog; a halted
// sa.prog stops it between windows.
func (sa *stemAwareInput) writeChains(chains [][]dsp.Processor, sat *stemmaster.SaturationParams, bus *audio.Buffer, rate float64, frames64 int64) error {
	for _, s := range sa.stems {
		if err := s.finish(); err != nil {
			return err
		}
	}
	frames := int(frames64)
	lat := chainsLatency(chains, frames64)
	block := maxBlock(rate)
	window := max(block, spoolWindow/block*block)
	wins := make([]*audio.Buffer, len(sa.stems))
	for k := range wins {
		wins[k] = audio.NewBuffer(busChannels, window)
	}
	groups := stageGroups(chains, sat, dsp.Spec{SampleRate: rate, MaxBlockSize: block, Channels: busChannels}, bus, int64(lat))
	splits := pipelineSplits(chains[0])
	var runners []*stageRunner
	for i := range len(splits) - 1 {
		runners = append(runners, newStageRunner(groups, len(chains), splits[i], splits[i+1], block))
	}
	last := runners[len(runners)-1]
	// links[i] hands the blocks to runner i; the last link to this
	// goroutine. Each holds a window's blocks, so this goroutine hands a
	// whole window in before it waits.
	links := make([]chan piece, len(runners))
	for i := range links {
		links[i] = make(chan piece, window/block+1)
	}
	var stageBug safego.Carry
	for i, r := range runners[:len(runners)-1] {
		go func() {
			// The link on closes when the stage ends, a panic kept first:
			// the stages after it end, and this goroutine, waiting on the
			// last link, is told.
			defer close(links[i+1])
			defer safego.Recover("stem-aware limiter's chain stage", stageBug.Keep)
			faultpoint.Hit("render.chainstage")
			for p := range links[i] {
				r.run(wins, p.at, p.from, p.to)
				links[i+1] <- p
			}
		}()
	}
	defer close(links[0])
	for at := 0; at < frames; at += window {
		if sa.prog.stopped() {
			return errChainsStopped
		}
		n := min(window, frames-at)
		for k, s := range sa.stems {
			if err := s.readRaw(wins[k], int64(at), n); err != nil {
				return err
			}
		}
		for b := 0; b < n; b += block {
			links[0] <- piece{int64(at), b, min(b+block, n)}
		}
		for b := 0; b < n; b += block {
			p, ok := <-links[len(links)-1] // the parts before are through it
			if !ok {
				return stageBug.Err()
			}
			last.run(wins, p.at, p.from, p.to)
		}
		for k, s := range sa.stems {
			if err := s.writeRaw(wins[k], int64(at), n); err != nil {
				return err
			}
		}
		sa.prog.advance(int64(at + n))
	}
	if lat > 0 {
		tails := make([]*audio.Buffer, len(sa.stems))
		for k := range tails {
			tails[k] = audio.NewBuffer(busChannels, lat)
		}
		for at := 0; at < lat; at += block {
			for _, r := range runners {
				r.run(tails, int64(frames), at, min(at+block, lat))
			}
		}
		for k, s := range sa.stems {
			s.tail = tails[k]
		}
	}
	return nil
}
