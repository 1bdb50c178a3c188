package stemlimit

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/limiter"
)

// Limits of the weights.
const (
	MinWeight = 0.05
	// capFactor: a stem of weight w takes at most capFactor·min(1, w) × a
	// stage's reduction, in dB.
	capFactor = 3.0
	// maxExtraDB: nor more than this many dB beyond the sharing stages'
	// reductions, over all of them.
	maxExtraDB = 6.0
	// shareReleaseFactor: the sharing stages release this much faster than
	// the limiter's release, with the punchy character.
	shareReleaseFactor = 0.25
	quietShare         = 0.01
	MaxWeight          = 20.0
	stages             = 2 // sharing stages in stem-aware mode
	attackMS           = 1.0
	releaseMS          = 60.0
)

// Params set the stem limiter.
type Params struct {
	Limiter limiter.Params
	// Aware shares the reduction out among the stems by Weights; false is
	// a plain limiter on the sum (attribution only).
	Aware bool
	// Weights, one per stem (> 0): how much of the reduction a stem takes
	// relative to the others. Nil means 1 for every stem.
	Weights []float64
	// SkipAttribution leaves the stem-aware mode's attribution out (every
	// CausedShare 0), for a caller that attributes the reduction itself.
	SkipAttribution bool
}

// Validate checks the parameters for the given number of stems.
func (p Params) Validate(stems int) error {
	if err := p.Limiter.Validate(); err != nil {
		return err
	}
	if stems < 1 {
		return fmt.Errorf("stemlimit: %d stems", stems)
	}
	if p.Weights != nil && len(p.Weights) != stems {
		return fmt.Errorf("stemlimit: %d weights for %d stems", len(p.Weights), stems)
	}
	for _, w := range p.Weights {
		if math.IsNaN(w) || w < MinWeight || w > MaxWeight {
			return dsp.NewParamError("stem_limiter", "weight", w, "must be within [%g, %g]", MinWeight, MaxWeight)
		}
	}
	return nil
}

// StemStats are one stem's figures since Reset.
type StemStats struct {
	MeanGRDB float64 // mean reduction applied to the stem over all frames, dB
	MaxGRDB  float64 // largest
	// ActiveShare is the share (0 … 1) of the frames in which the stem
	// is reduced by more than limiter.ActiveThresholdDB, as the plain
	// limiter's Stats counts it for the sum.
	ActiveShare float64
	// CausedShare is the stem's share (0 … 1) of the detector's reduction,
	// by its level at the limited frames.
	CausedShare float64
}

// envelopes follow the stems' levels (see the package doc).
type envelopes struct {
	e        []float64
	att, rel float64
}

func newEnvelopes(k int, sampleRate float64) envelopes {
	return envelopes{e: make([]float64, k), att: envelope.Coef(attackMS, sampleRate), rel: envelope.Coef(releaseMS, sampleRate)}
}

// follow moves a stem's envelope e one frame towards its level a: up by
// the attack coefficient when a is above it, else down towards 0 by the
// release's. (A branch-free form through envelope.Smoother measured 10 %
// slower on the benchmark's stems: the branch is predictable on music.)
func (v *envelopes) follow(e, a float64) float64 {
	if a > e {
		return e + (a-e)*v.att
	}
	return e - e*v.rel
}

func (v *envelopes) push(stems []*audio.Buffer, channels, i int) float64 {
	tot := 0.0
	for s, st := range stems {
		a := 0.0
		for c := range channels {
			a = max(a, math.Abs(float64(st.Data[c][i])))
		}
		e := v.follow(v.e[s], a)
		v.e[s] = e
		tot += e
	}
	return tot
}

// Limiter is the stem-aware limiter. It is not a dsp.Processor: it takes
// several stems in and gives one sum out.
type Limiter struct {
	p     Params
	k, ch int
	w     []float64
	caps  []float64         // capsOf(w)
	share []*sharer         // stem-aware: the sharing stages
	bufs  [][]*audio.Buffer // [stage+1][stem]: stems with a pilot channel
	spare []*audio.Buffer   // [stem] slot 1 of the last stage's (stem-aware)
	// slotMax: the detector's largest reduction over each slot's block;
	// blockMax: over the block Finish last took
	slotMax  [2]float64
	blockMax float64
	final    *limiter.TruePeakLimiter
	fgains   []float64
	env      envelopes // plain mode: attribution on the input
	// each stem's pilot waits the final limiter's latency: [stem][lat],
	// a ring at ppos
	pending [][]float64
	ppos    int

	frames  int64
	noStats bool // SkipStemStats
	sumGR   []float64
	maxGR   []float64
	active  []int64 // frames reduced by more than limiter.ActiveThresholdDB
	caused  []float64
}

// New returns the limiter for the given number of stems; it panics when
// p.Validate(stems) fails.
func New(p Params, stems int) *Limiter {
	if err := p.Validate(stems); err != nil {
		panic(err.Error())
	}
	w := p.Weights
	if w == nil {
		w = make([]float64, stems)
		for i := range w {
			w[i] = 1
		}
	}
	return &Limiter{p: p, k: stems, w: append([]float64(nil), w...), caps: capsOf(w)}
}

// Prepare allocates for spec (the stems' and the output's format).
func (l *Limiter) Prepare(spec dsp.Spec) {
	l.ch = spec.Channels
	l.final = limiter.New(l.p.Limiter)
	l.final.Prepare(spec)
	l.fgains = make([]float64, spec.MaxBlockSize)
	l.env = newEnvelopes(l.k, spec.SampleRate)
	l.sumGR, l.maxGR, l.caused = make([]float64, l.k), make([]float64, l.k), make([]float64, l.k)
	l.active = make([]int64, l.k)
	l.share = nil
	n := 0
	if l.p.Aware {
		n = stages
	}
	sp := l.p.Limiter
	sp.ReleaseMS = max(limiter.MinReleaseMS, shareReleaseFactor*sp.ReleaseMS)
	sp.Character = limiter.CharacterPunchy
	for i := range n {
		l.share = append(l.share, newSharer(sp, spec, l.k, i > 0, i < n-1))
	}
	l.bufs = make([][]*audio.Buffer, n+1)
	for i := range l.bufs {
		l.bufs[i] = make([]*audio.Buffer, l.k)
		for s := range l.bufs[i] {
			l.bufs[i][s] = audio.NewBuffer(spec.Channels+1, spec.MaxBlockSize)
		}
	}
	l.spare = nil
	if n > 0 {
		for range l.k {
			l.spare = append(l.spare, audio.NewBuffer(spec.Channels+1, spec.MaxBlockSize))
		}
	}
	l.pending = make([][]float64, l.k)
	for s := range l.pending {
		l.pending[s] = make([]float64, l.final.Latency())
	}
	l.Reset()
}

// Reset clears all state and statistics.
func (l *Limiter) Reset() {
	l.final.Reset()
	l.slotMax, l.blockMax = [2]float64{}, 0
	for _, sh := range l.share {
		sh.reset()
	}
	for s := range l.pending {
		for i := range l.pending[s] {
			l.pending[s][i] = 1
		}
	}
	l.ppos = 0
	clear(l.env.e)
	clear(l.sumGR)
	clear(l.maxGR)
	clear(l.active)
	clear(l.caused)
	l.frames = 0
}

// Latency is the delay in frames from the stems to the output.
func (l *Limiter) Latency() int {
	lat := l.final.Latency()
	for _, sh := range l.share {
		lat += sh.lat
	}
	return lat
}

// Process limits the sum of stems (each out.Frames() frames, out's
// channels) into out. The stems are not modified.
func (l *Limiter) Process(stems []*audio.Buffer, out *audio.Buffer) {
	l.ProcessGained(stems, 1, out)
}

// ProcessGained is Process on the stems times gain (each sample rounded
// to float32, as the product of two float32s is).
func (l *Limiter) ProcessGained(stems []*audio.Buffer, gain float32, out *audio.Buffer) {
	l.Share(stems, gain, out.Frames(), 0)
	l.Finish(0, out)
}

// Share is the first half of ProcessGained over n frames: it takes the
// stems (times gain) through the sharing stages into slot 0 or 1, whose
// sum Finish then limits. Share of one block and Finish of the block
// before, in the other slot, may run at once on two goroutines (a
// pipeline): Share uses the sharing stages and its slot, Finish the final
// limiter, the statistics but the attribution, and its own slot. Slot 1
// is for stem-aware mode only.
func (l *Limiter) Share(stems []*audio.Buffer, gain float32, n, slot int) {
	if len(stems) != l.k {
		panic(fmt.Sprintf("stemlimit: %d stems, prepared for %d", len(stems), l.k))
	}
	if slot != 0 && l.share == nil {
		panic("stemlimit: slot 1 of a plain limiter")
	}
	in := l.bufs[0]
	for s, st := range stems {
		b := in[s]
		b.SetFrames(n)
		for c := range l.ch {
			if gain == 1 {
				copy(b.Data[c], st.Data[c][:n])
				continue
			}
			d := b.Data[c][:n]
			for i, v := range st.Data[c][:n] {
				d[i] = v * gain
			}
		}
		pilot := b.Data[l.ch]
		for i := range pilot {
			pilot[i] = 1
		}
	}
	for i, sh := range l.share {
		dst := l.bufs[i+1]
		if i == len(l.share)-1 {
			dst = l.slotBufs(slot)
		}
		for _, b := range dst {
			b.SetFrames(n)
		}
		var caused []float64
		if i == 0 && !l.p.SkipAttribution {
			caused = l.caused
		}
		var up []float64
		if i > 0 {
			up = l.share[i-1].extra[:n*(l.k+1)]
		}
		sh.run(l.bufs[i], dst, l.w, l.caps, up, n, l.ch, caused)
	}
	if l.share != nil {
		l.slotMax[slot] = l.share[0].det.BlockMaxGRDB()
	}
}

// slotBufs are the stems at the end of the sharing in slot.
func (l *Limiter) slotBufs(slot int) []*audio.Buffer {
	if slot == 1 {
		return l.spare
	}
	return l.bufs[len(l.share)]
}

// Finish is the second half of ProcessGained: it limits the sum of the
// stems Share left in slot into out, with the statistics.
func (l *Limiter) Finish(slot int, out *audio.Buffer) {
	n := out.Frames()
	in, last := l.bufs[0], l.slotBufs(slot)
	dsp.SumInto(out, last, n)
	fg := l.fgains[:n]
	l.final.ProcessGain(out, fg)
	if l.share == nil { // plain: attribute the final limiter's reduction
		for i, f := range fg {
			tot := l.env.push(in, l.ch, i)
			if f < 1 && tot > 0 {
				gr := -envelope.DBPerLog2 * envelope.Log2(f)
				for s, e := range l.env.e {
					l.caused[s] += gr * e / tot
				}
			}
		}
	}
	if !l.noStats {
		l.account(last, fg, n)
	}
	l.frames += int64(n)
	l.blockMax = l.final.BlockMaxGRDB()
	if l.share != nil {
		l.blockMax = l.slotMax[slot]
	}
}

// account adds the n frames of the block Finish limits to each stem's
// reduction: the final limiter's gains fg times each stem's pilot (in
// last) from the final limiter's latency before.
func (l *Limiter) account(last []*audio.Buffer, fg []float64, n int) {
	// Output frame i carries the pilots of the final limiter's latency
	// before; a stem at a time, its frames in order.
	// (A frame at gain 1 adds 0 to the sum and leaves the maximum, ≥ 0,
	// as it is, so only the frames under 1 are counted.) The ring is
	// walked in at most two runs per wrap.
	lat := len(l.pending[0])
	activeBelow := audio.Amplitude(-limiter.ActiveThresholdDB)
	for s, ring := range l.pending {
		pilot := last[s].Data[l.ch][:n]
		p, sum, mx, act := l.ppos, l.sumGR[s], l.maxGR[s], l.active[s]
		for i := 0; i < n; {
			m := min(n-i, lat-p)
			r, f, pl := ring[p:p+m:p+m], fg[i:i+m:i+m], pilot[i:i+m:i+m]
			for j, v := range r {
				if t := v * f[j]; t < 1 {
					gr := -envelope.DBPerLog2 * envelope.Log2(t)
					sum += gr
					mx = max(mx, gr)
					if t < activeBelow {
						act++
					}
				}
				r[j] = float64(pl[j])
			}
			i += m
			if p += m; p == lat {
				p = 0
			}
		}
		l.sumGR[s], l.maxGR[s], l.active[s] = sum, mx, act
	}
	l.ppos = (l.ppos + n) % lat
}

// SkipStemStats leaves the stems' reductions out of Finish from the next
// Reset on (Stats then reports none; the detectors' statistics and the
// attribution are kept): for a pass whose output is measured but whose
// stems' figures nobody reads. The output is the same.
func (l *Limiter) SkipStemStats(skip bool) { l.noStats = skip }

// Stats returns each stem's figures since Reset.
func (l *Limiter) Stats() []StemStats {
	out := make([]StemStats, l.k)
	var tot float64
	for _, c := range l.caused {
		tot += c
	}
	for s := range out {
		if l.frames > 0 {
			out[s].MeanGRDB = l.sumGR[s] / float64(l.frames)
			out[s].ActiveShare = float64(l.active[s]) / float64(l.frames)
		}
		out[s].MaxGRDB = l.maxGR[s]
		if tot > 0 {
			out[s].CausedShare = l.caused[s] / tot
		}
	}
	return out
}

// DetectorStats are the statistics of the limiter that detects on the
// stems' sum: the plain limiter's, or the first sharing stage's.
func (l *Limiter) DetectorStats() limiter.Stats {
	if l.share != nil {
		return l.share[0].det.Stats()
	}
	return l.final.Stats()
}

// BlockMaxGRDB is the largest reduction of the detector over the block
// of the last Process or Finish call.
func (l *Limiter) BlockMaxGRDB() float64 { return l.blockMax }
