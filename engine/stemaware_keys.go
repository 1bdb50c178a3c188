package engine

import (
	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/saturate"
)

// One class fewer by construction. Every stage of the master chain is, for
// a class, linear in the class given its key (the linear stages have no
// key; a keyed stage applies the gains its detector derives from the key;
// the saturation, last, shares the bus's output out), so the classes'
// outputs add up to the bus's, and one class — the derived one
// (stemClass.derived, derivedClass) — needs no chain of its own: it is the
// bus less the other classes. The others still need the sum of all the
// classes at each keyed stage as their key, which is the bus's signal
// there: the master run over the bus (inPlace) hands it to busKeys, which
// spools it beside the classes, and the chains read it back (the I/O costs
// far less than a chain). The derived
// class is never summed either; its spool holds what the chains derive:
//   - with the saturation last (stemshare shares it by the classes' levels
//     at its input), its input is formed there, the bus's input to the
//     saturation less the other classes', and it is shared like the rest;
//   - without it, its output is the bus less the other classes' outputs.
//
// The keys are the bus's bits where the classes' sum would be the sum's:
// the two differ by float32 rounding (about −140 dB), which is all the
// derived class's output departs from running its chain by
// (TestDerivedClassMatchesItsChain).

// busKeys holds the master bus at the input of the stages the classes'
// chains key on (keyStages), in scratch files as long as the chain's
// input (the song and its latency's run-out).
type busKeys struct {
	spools []*stemSpool // [stage]: nil where no key is kept
}

// keyStages says which stages of chain (the master's) take their key from
// the bus when a class is derived: every dsp.Sidechained stage (a MidSide
// one when its inner processor is) and the saturation.
func keyStages(chain []dsp.Processor) []bool {
	keyed := make([]bool, len(chain))
	for i, p := range chain {
		switch q := p.(type) {
		case *saturate.Saturator:
			keyed[i] = true
		case *dsp.MidSide:
			_, keyed[i] = q.Inner().(dsp.Sidechained)
		case dsp.Sidechained:
			keyed[i] = true
		}
	}
	return keyed
}

// derivable reports whether a class can be derived with chain as the
// master's: the saturation, if any, is its last stage (stemshare shares
// it from the bus's output).
func derivable(chain []dsp.Processor) bool {
	for i, p := range chain {
		if _, ok := p.(*saturate.Saturator); ok && i != len(chain)-1 {
			return false
		}
	}
	return true
}

// busKeys starts keeping the bus's keys as mr runs over it, when one of
// strips' classes is derived; nil otherwise.
func (r *renderer) busKeys(strips []*strip, mr *masterRun) (*busKeys, error) {
	derived := false
	for _, st := range strips {
		if c := st.stemClass(); c != nil && c.derived {
			derived = true
		}
	}
	if !derived {
		return nil, nil
	}
	if !derivable(mr.chain) { // every class is summed and runs its chain
		for _, st := range strips {
			if c := st.stemClass(); c != nil && c.derived {
				c.derived = false
				if len(c.members) > 1 {
					c.sum = audio.NewBuffer(busChannels, BlockSize)
				}
			}
		}
		return nil, nil
	}
	k, err := newBusKeys(r.opt.OutDir, mr.chain, int64(mr.ip.frames+mr.ip.lat))
	if err != nil {
		return nil, err
	}
	mr.ip.tap = k.tap
	return k, nil
}

// newBusKeys makes the spools of chain's key stages in dir, for frames
// frames of the chain's input.
func newBusKeys(dir string, chain []dsp.Processor, frames int64) (*busKeys, error) {
	k := &busKeys{spools: make([]*stemSpool, len(chain))}
	for i, keyed := range keyStages(chain) {
		if !keyed {
			continue
		}
		sp, err := newStemSpool(dir, frames)
		if err != nil {
			k.close()
			return nil, err
		}
		k.spools[i] = sp
	}
	return k, nil
}

// tap keeps b, the bus's next block at the input of stage, when the stage
// is keyed; the blocks come in order from the chain's first input frame.
func (k *busKeys) tap(stage int, b *audio.Buffer) {
	if sp := k.spools[stage]; sp != nil {
		sp.append(b, b.Frames())
	}
}

// finish writes what the spools hold and returns the first error; nil
// does nothing.
func (k *busKeys) finish() error {
	if k == nil {
		return nil
	}
	for _, sp := range k.spools {
		if sp != nil {
			if err := sp.finish(); err != nil {
				return err
			}
		}
	}
	return nil
}

// has reports whether stage keeps a key; nil: none does.
func (k *busKeys) has(stage int) bool { return k != nil && k.spools[stage] != nil }

// view points dst at frames [at, at+n) of stage's key (the chain's input
// frames); valid until the next view of the stage.
func (k *busKeys) view(stage int, dst *audio.Buffer, at int64, n int) error {
	return k.spools[stage].view(dst, at, n)
}

// close lets the spools go; nil does nothing, a second call nothing more.
func (k *busKeys) close() {
	if k == nil {
		return
	}
	for _, sp := range k.spools {
		sp.close()
	}
}

// keyScratch bounds the disk the bus's keys of a render of m take, for a
// song of frames frames at rate (EstimateScratch): a spool per key stage,
// the chain's input long; 0 when no class can be derived or the chain
// cannot be built (the render fails then).
func keyScratch(m stemmaster.Master, rate int, frames int64) int64 {
	chain, err := masterChain(m, float64(rate))
	if err != nil || !derivable(chain) {
		return 0
	}
	var keys, lat int64
	for i, keyed := range keyStages(chain) {
		lat += int64(chain[i].Latency())
		if keyed {
			keys++
		}
	}
	return keys * ((frames+lat)*busChannels*4 + scratchHeader)
}
