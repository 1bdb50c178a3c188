package engine

import (
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/lineq"
)

// The master's rumble filter under stem-aware limiting. The filter is
// linear, so each class's filtered signal is the filtered sum minus the
// other classes' filtered signals, and the filtered sum is what the bus's
// master run has already made at its rumble stage. That run keeps it in a
// scratch file (rumbleTee), and the classes' chains filter every class
// but the last, which they take as the difference (rumbleGroup): the
// filter runs once per class, not once per class plus once on the bus.
// The classes still add up to the bus's stage output, to float32
// rounding.

// rumbleTee passes a chain's first stage (the rumble filter) through and
// appends its output, block by block, to the spool: the stage's output on
// the bus, frame i of the spool that of chain position i.
type rumbleTee struct {
	dsp.Processor
	sp *stemSpool
}

func (t *rumbleTee) Process(b *audio.Buffer) {
	t.Processor.Process(b)
	t.sp.append(b, b.Frames())
}

// teeRumble returns the chain the bus's master run runs: chain itself, or,
// when the session limits stem-aware and the chain starts with the rumble
// filter, a copy whose first stage also keeps its output in a new spool of
// frames plus the chain's latency lat, which r.rumble holds until
// stemAwareInput takes it (a spool of an earlier run is let go).
func (r *renderer) teeRumble(chain []dsp.Processor, frames int64, lat int) []dsp.Processor {
	r.rumble.close()
	r.rumble = nil
	m := r.s.Master
	if m.Limiter == nil || m.Limiter.StemAware == nil || len(chain) == 0 {
		return chain
	}
	if _, ok := chain[0].(*lineq.HighPass); !ok {
		return chain
	}
	sp, err := newStemSpool(r.opt.OutDir, frames+int64(lat))
	if err != nil {
		return chain // the classes filter themselves, as without the spool
	}
	r.rumble = sp
	tee := append([]dsp.Processor{&rumbleTee{Processor: chain[0], sp: sp}}, chain[1:]...)
	return tee
}

// takeRumble hands over r.rumble, written to its end (nil when the bus's
// run kept none, or when writing it failed).
func (r *renderer) takeRumble() *stemSpool {
	sp := r.rumble
	r.rumble = nil
	if sp == nil {
		return nil
	}
	if sp.finish() != nil {
		sp.close()
		return nil
	}
	return sp
}

// rumbleGroup is the rumble stage of the classes' chains (peers, one
// filter per class) given the bus's stage output in sp: every class but
// the last through its filter, the last as sp's frames minus theirs. A
// read of sp that fails sets *fail (the chains return it after the
// window) and leaves the last class as it came.
func rumbleGroup(peers []dsp.Processor, sp *stemSpool, fail *error) stageGroup {
	rd := sp.reader()
	bus := &audio.Buffer{Data: make([][]float32, busChannels)}
	last := len(peers) - 1
	return stageGroup{run: func(views []*audio.Buffer, _ *audio.Buffer, pos int64) {
		for k, v := range views[:last] {
			peers[k].Process(v)
		}
		v := views[last]
		n := v.Frames()
		if *fail != nil {
			return
		}
		if err := rd.view(bus, pos, n); err != nil {
			*fail = err
			return
		}
		for c, d := range v.Data {
			copy(d[:n], bus.Data[c][:n])
			for _, o := range views[:last] {
				subF32(d[:n], o.Data[c][:n])
			}
		}
	}}
}

// subF32 sets dst[i] -= src[i].
func subF32(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] -= src[i]
	}
}
