package engine

import (
	"context"
	"fmt"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/dynamics"
)

// inPlace runs a chain over the bus in place, piecewise while the bus is
// still being filled, compensating the chain's latency (output frame 0 =
// input frame 0: the chain is fed its latency in silence after the end, and
// its first output frames are dropped). The blocks are BlockSize frames from
// frame 0 whatever the pieces, so the result does not depend on them. meter,
// when not nil, is fed the result in order.
type inPlace struct {
	bus        *audio.Buffer
	chain      []dsp.Processor
	meter      blockSink
	afterBlock func(n int)
	lat        int
	frames     int
	pos        int // next block's first input frame
	scratch    *audio.Buffer
	view       *audio.Buffer
}

// blockSink takes a signal block by block.
type blockSink interface{ Process(b *audio.Buffer) }

func newInPlace(bus *audio.Buffer, chain []dsp.Processor, meter blockSink, afterBlock func(n int)) *inPlace {
	ip := &inPlace{bus: bus, chain: chain, meter: meter, afterBlock: afterBlock, frames: bus.Frames(),
		scratch: audio.NewBuffer(busChannels, BlockSize), view: &audio.Buffer{Data: make([][]float32, busChannels)}}
	for _, p := range chain {
		ip.lat += p.Latency()
	}
	return ip
}

// advance runs every block whose input frames lie below avail and whose
// output frames lie below writable (frames from writable on are still read
// by someone else). advance(ctx, frames, frames) finishes the bus.
func (ip *inPlace) advance(ctx context.Context, avail, writable int) error {
	frames, lat, bus, scratch := ip.frames, ip.lat, ip.bus, ip.scratch
	for ; ip.pos < frames+lat; ip.pos += BlockSize {
		pos := ip.pos
		n := min(BlockSize, frames+lat-pos)
		if min(pos+n, frames) > avail || pos+n-lat > writable {
			return nil
		}
		if pos%(64*BlockSize) == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		scratch.SetFrames(n)
		for c := range scratch.Data {
			k := copy(scratch.Data[c], bus.Data[c][min(pos, frames):min(pos+n, frames)])
			clear(scratch.Data[c][k:])
		}
		for _, p := range ip.chain {
			p.Process(scratch)
		}
		if ip.afterBlock != nil {
			ip.afterBlock(n)
		}
		// Output frame j of this block is song frame pos+j-lat.
		from := max(0, lat-pos)
		to := min(n, frames+lat-pos)
		if from < to {
			for c := range bus.Data {
				copy(bus.Data[c][pos+from-lat:pos+to-lat], scratch.Data[c][from:to])
			}
			if ip.meter != nil {
				for c := range ip.view.Data {
					ip.view.Data[c] = bus.Data[c][pos+from-lat : pos+to-lat]
				}
				ip.meter.Process(ip.view)
			}
		}
	}
	return nil
}

// preMaster is the bus after the master EQ and compressor.
type preMaster struct {
	model   *gainModel // nil unless asked for
	latency int
	glue    *stemmaster.GainReduction // nil without a glue compressor
	procs   *stemmaster.ProcessorReport
}

// masterBus runs the master EQ and glue compressor over the bus in place.
func (r *renderer) masterBus(bus *audio.Buffer) (preMaster, error) {
	mr, err := r.newMasterRun(bus, false)
	if err != nil {
		return preMaster{}, err
	}
	return mr.finish(r.ctx)
}

// masterRun is the master EQ and glue compressor running over the bus in
// place, piecewise (see inPlace).
type masterRun struct {
	r                   *renderer
	ip                  *inPlace
	model               *gainModel
	comp                *dynamics.Compressor
	chain               []dsp.Processor
	latency             int
	sum, active, blocks float64
}

// newMasterRun prepares the chain over bus; model adds the analysis that
// loudness targeting predicts the gain from (gainModel).
func (r *renderer) newMasterRun(bus *audio.Buffer, model bool) (*masterRun, error) {
	chain, err := masterChain(r.s.Master, float64(r.rate))
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	mr := &masterRun{r: r, chain: chain}
	for _, p := range chain {
		mr.latency += p.Latency()
	}
	r.progress("master", 0)
	// The glue compressor's gain reduction, sampled at the end of every
	// block (its maximum is exact, over every frame).
	for _, p := range chain {
		if ms, ok := p.(*dsp.MidSide); ok {
			p = ms.Inner()
		}
		if c, ok := p.(*dynamics.Compressor); ok {
			mr.comp = c
		}
	}
	var after func(int)
	if mr.comp != nil {
		after = func(int) {
			gr := mr.comp.GainReductionDB()
			mr.sum += gr
			mr.blocks++
			if gr > 0.01 {
				mr.active++
			}
		}
	}
	var sink blockSink
	if model {
		mr.model = newGainModel(float64(r.rate), bus.Frames())
		sink = mr.model
	}
	mr.ip = newInPlace(bus, chain, sink, after)
	return mr, nil
}

// finish runs the chain over the rest of the bus and returns the result.
func (mr *masterRun) finish(ctx context.Context) (preMaster, error) {
	pm := preMaster{latency: mr.latency, model: mr.model}
	if err := mr.ip.advance(ctx, mr.ip.frames, mr.ip.frames); err != nil {
		return pm, err
	}
	mr.r.progress("master", 1)
	pm.procs = processorReport(mr.chain)
	if mr.comp != nil && mr.blocks > 0 {
		pm.glue = &stemmaster.GainReduction{MaxDB: stemmaster.Level(mr.comp.MaxGainReductionDB()),
			MeanDB: stemmaster.Level(mr.sum / mr.blocks), ActiveShare: stemmaster.Level(mr.active / mr.blocks)}
	}
	return pm, nil
}
