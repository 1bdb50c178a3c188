// Package stemlimit is stem-aware true-peak limiting: the master limiter
// detects on the sum of the stems, as a plain limiter does, but may take
// the gain reduction out of the stems that take part in each peak,
// weighted per stem (protect the lead vocal, let the drums take it), and
// always attributes the reduction to the stems that caused it.
//
// # Detection and attribution (both modes)
//
// A limiter.TruePeakLimiter runs on the sum (the first sharing stage's
// detector in stem-aware mode) and gives the gain g[n] a plain limiter
// applies to output frame n. Each stem has a level envelope e_s (the
// largest |x| over its channels, rising with a 1 ms and falling with a
// 60 ms time constant) taken on the input side, so at the output it
// already covers the look-ahead in which the gain ramps down. The
// reduction of frame n, −20·log10 g[n] dB, is attributed to the stems in
// proportion to e_s[n]: "drums caused 71 % of it" is the drums' share of
// Σ_n GR[n]. In plain mode every stem gets g[n].
//
// # Stem-aware mode
//
// Two sharing stages run in series, then a plain true-peak limiter on the
// sum. Each sharing stage detects on the sum of its input stems and turns
// its reduction GR (dB) into stem reductions GR_s = α_s·GR with
// α_s = k·w_s, so that their average weighted by the stems' shares of the
// peak c_s = e_s/Σe is the stage's reduction: Σ c_s·α_s = 1. A stem under
// 1 % of the peak's level takes no part and keeps its gain; no α_s exceeds
// 3·min(1, w_s) (a stem takes at most 3× the reduction in dB, a protected
// one less); stems at their cap drop out and the rest share what is left
// (water-filling).
//
// The sharing stages release four times faster than the limiter (punchy
// character: 20 ms at the default 80 ms), so the other stems dip at the
// peaks only instead of holding a reduction that costs loudness: on
// francium at −9 LUFS the master then needs about 2.5 dB less gain than
// with the plain limiter, where a sharing release as slow as the limiter's
// needed 2 dB more and pushed the protected vocal's own peaks into the
// final limiter.
//
// The stem gains average to less reduction than the stage's gain (the
// exponential is convex) and stems are not always in phase at a peak, so
// the recombined sum can still peak over the ceiling: the second stage
// shares out most of what is left the same way, and the final limiter
// takes the rest on the sum, so the ceiling holds exactly as for the plain
// limiter, and the loudness targeting around it lands the same target. The
// final limiter's reduction applies to every stem and is counted in its
// statistics; each stem's gain is followed exactly by a pilot channel (a
// constant 1 carried beside its audio through the stages' delays and
// gains).
//
// Latency: one limiter's (plain) or three (stem-aware).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
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
			return &dsp.ParamError{Processor: "stem_limiter", Param: "weight", Value: w, Reason: fmt.Sprintf("must be within [%g, %g]", MinWeight, MaxWeight)}
		}
	}
	return nil
}

// StemStats are one stem's figures since Reset.
type StemStats struct {
	MeanGRDB float64 // mean reduction applied to the stem over all frames, dB
	MaxGRDB  float64 // largest
	// CausedShare is the stem's share (0 … 1) of the detector's reduction,
	// by its level at the limited frames.
	CausedShare float64
}

// envelopes follow the stems' levels (see the package doc).
type envelopes struct {
	e        []float64
	att, rel float64
}

func (v *envelopes) push(stems []*audio.Buffer, channels, i int) float64 {
	tot := 0.0
	for s, st := range stems {
		a := 0.0
		for c := range channels {
			a = max(a, math.Abs(float64(st.Data[c][i])))
		}
		e := v.e[s]
		if a > e {
			e += (a - e) * v.att
		} else {
			e -= e * v.rel
		}
		v.e[s] = e
		tot += e
	}
	return tot
}

// sharer is one sharing stage: stems (audio channels and a pilot) in,
// the same stems delayed by the detector's latency and gained out.
type sharer struct {
	det   *limiter.TruePeakLimiter
	lat   int
	sum   *audio.Buffer
	gains []float64
	env   envelopes
	gs, a []float64
	eb    [][]float64   // [stem][frame]: the envelopes over the block
	gb    [][]float32   // [stem][frame]: the stem gains over the block
	et    []float64     // one frame's envelopes
	delay [][][]float32 // [stem][channel incl. pilot][lat]
	dpos  int
}

func newSharer(p limiter.Params, spec dsp.Spec, k int) *sharer {
	sh := &sharer{det: limiter.New(p)}
	sh.det.Prepare(spec)
	sh.lat = sh.det.Latency()
	sh.sum = audio.NewBuffer(spec.Channels, spec.MaxBlockSize)
	sh.gains = make([]float64, spec.MaxBlockSize)
	sh.env = envelopes{e: make([]float64, k), att: envelope.Coef(attackMS, spec.SampleRate), rel: envelope.Coef(releaseMS, spec.SampleRate)}
	sh.gs, sh.a, sh.et = make([]float64, k), make([]float64, k), make([]float64, k)
	sh.eb, sh.gb = make([][]float64, k), make([][]float32, k)
	for s := range k {
		sh.eb[s] = make([]float64, spec.MaxBlockSize)
		sh.gb[s] = make([]float32, spec.MaxBlockSize)
	}
	sh.delay = make([][][]float32, k)
	for s := range sh.delay {
		sh.delay[s] = make([][]float32, spec.Channels+1)
		for c := range sh.delay[s] {
			sh.delay[s][c] = make([]float32, sh.lat)
		}
	}
	return sh
}

func (sh *sharer) reset() {
	sh.det.Reset()
	clear(sh.env.e)
	for s := range sh.delay {
		for c, dl := range sh.delay[s] {
			clear(dl)
			if c == len(sh.delay[s])-1 { // the pilot: gain 1 before the start
				for i := range dl {
					dl[i] = 1
				}
			}
		}
	}
	sh.dpos = 0
}

// run shares the detector's reduction of the sum of in (n frames, the last
// channel a pilot) among the stems into out; caused, when not nil,
// accumulates the attribution.
func (sh *sharer) run(in, out []*audio.Buffer, w []float64, n, channels int, caused []float64) {
	sum := sh.sum
	sum.SetFrames(n)
	for c := range channels {
		dst := sum.Data[c]
		clear(dst)
		for _, st := range in {
			for i, v := range st.Data[c][:n] {
				dst[i] += v
			}
		}
	}
	gains := sh.gains[:n]
	sh.det.ProcessGain(sum, gains)
	// The envelopes, a stem at a time.
	att, rel := sh.env.att, sh.env.rel
	for s, st := range in {
		e, eb := sh.env.e[s], sh.eb[s][:n]
		for i := range eb {
			a := 0.0
			for _, ch := range st.Data[:channels] {
				a = max(a, math.Abs(float64(ch[i])))
			}
			if a > e {
				e += (a - e) * att
			} else {
				e -= e * rel
			}
			eb[i] = e
		}
		sh.env.e[s] = e
	}
	// The stems' gains, a frame at a time.
	e := sh.eTmp(len(in))
	for i, g := range gains {
		tot := 0.0
		for s := range e {
			e[s] = sh.eb[s][i]
			tot += e[s]
		}
		if caused != nil && g < 1 && tot > 0 {
			gr := -envelope.DBPerLog2 * envelope.Log2(g)
			for s, v := range e {
				caused[s] += gr * v / tot
			}
		}
		share(g, e, tot, w, sh.a, sh.gs)
		for s, v := range sh.gs {
			sh.gb[s][i] = float32(v)
		}
	}
	// Delay and gain, a stem and channel at a time, in at most two runs
	// per block (the delay line wraps at most once in a block shorter than
	// it, or several times in a longer one).
	for s, st := range in {
		gb := sh.gb[s][:n]
		for c, dl := range sh.delay[s] {
			x, y := st.Data[c][:n], out[s].Data[c][:n]
			pos := sh.dpos
			for i := 0; i < n; {
				m := min(n-i, len(dl)-pos)
				xx, yy, dd, gg := x[i:i+m], y[i:i+m], dl[pos:pos+m], gb[i:i+m]
				for k, v := range xx {
					yy[k] = dd[k] * gg[k]
					dd[k] = v
				}
				i += m
				if pos += m; pos == len(dl) {
					pos = 0
				}
			}
		}
	}
	sh.dpos = (sh.dpos + n) % sh.lat
}

// eTmp returns a scratch slice of k values for one frame's envelopes.
func (sh *sharer) eTmp(k int) []float64 {
	if cap(sh.et) < k {
		sh.et = make([]float64, k)
	}
	return sh.et[:k]
}

// share writes to gs the stems' gains for the stage gain g from the
// envelopes e (sum tot) and weights w (see the package doc); a is scratch.
func share(g float64, e []float64, tot float64, w, a, gs []float64) {
	if g >= 1 {
		for s := range gs {
			gs[s] = 1
		}
		return
	}
	if tot <= 0 {
		for s := range gs {
			gs[s] = g
		}
		return
	}
	gr := -envelope.Log2(g) // log2 units
	// α_s = w_s·k with Σ c_s·α_s = 1 (c_s = e_s/Σe), α_s ≤ capFactor:
	// water-filling over the stems that are not capped.
	// A stem under quietShare of the peak's level is not part of it and is
	// left alone (its reduction would change nothing but its own level).
	for s, v := range e {
		a[s] = -1
		if v < quietShare*tot {
			a[s] = 0
		}
	}
	need := 1.0
	for range a {
		var wc float64
		for s, v := range e {
			if a[s] < 0 {
				wc += w[s] * v / tot
			}
		}
		if wc <= 0 {
			break
		}
		k := need / wc
		capped := false
		for s, v := range e {
			if cs := capFactor * min(1, w[s]); a[s] < 0 && k*w[s] > cs {
				a[s] = cs
				need -= cs * v / tot
				capped = true
			}
		}
		if !capped {
			for s := range a {
				if a[s] < 0 {
					a[s] = k * w[s]
				}
			}
			break
		}
	}
	for s := range a {
		gs[s] = envelope.Exp2(-gr * max(0, a[s]))
	}
}

// Limiter is the stem-aware limiter. It is not a dsp.Processor: it takes
// several stems in and gives one sum out.
type Limiter struct {
	p      Params
	k, ch  int
	w      []float64
	share  []*sharer         // stem-aware: the sharing stages
	bufs   [][]*audio.Buffer // [stage+1][stem]: stems with a pilot channel
	final  *limiter.TruePeakLimiter
	fgains []float64
	env    envelopes // plain mode: attribution on the input
	// each stem's pilot waits the final limiter's latency: [lat][stem]
	pending [][]float64
	ppos    int

	frames int64
	sumGR  []float64
	maxGR  []float64
	caused []float64
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
	return &Limiter{p: p, k: stems, w: append([]float64(nil), w...)}
}

// Prepare allocates for spec (the stems' and the output's format).
func (l *Limiter) Prepare(spec dsp.Spec) {
	l.ch = spec.Channels
	l.final = limiter.New(l.p.Limiter)
	l.final.Prepare(spec)
	l.fgains = make([]float64, spec.MaxBlockSize)
	l.env = envelopes{e: make([]float64, l.k), att: envelope.Coef(attackMS, spec.SampleRate), rel: envelope.Coef(releaseMS, spec.SampleRate)}
	l.sumGR, l.maxGR, l.caused = make([]float64, l.k), make([]float64, l.k), make([]float64, l.k)
	l.share = nil
	n := 0
	if l.p.Aware {
		n = stages
	}
	sp := l.p.Limiter
	sp.ReleaseMS = max(limiter.MinReleaseMS, shareReleaseFactor*sp.ReleaseMS)
	sp.Character = limiter.CharacterPunchy
	for range n {
		l.share = append(l.share, newSharer(sp, spec, l.k))
	}
	l.bufs = make([][]*audio.Buffer, n+1)
	for i := range l.bufs {
		l.bufs[i] = make([]*audio.Buffer, l.k)
		for s := range l.bufs[i] {
			l.bufs[i][s] = audio.NewBuffer(spec.Channels+1, spec.MaxBlockSize)
		}
	}
	l.pending = make([][]float64, l.final.Latency())
	for i := range l.pending {
		l.pending[i] = make([]float64, l.k)
	}
	l.Reset()
}

// Reset clears all state and statistics.
func (l *Limiter) Reset() {
	l.final.Reset()
	for _, sh := range l.share {
		sh.reset()
	}
	for i := range l.pending {
		for s := range l.pending[i] {
			l.pending[i][s] = 1
		}
	}
	l.ppos = 0
	clear(l.env.e)
	clear(l.sumGR)
	clear(l.maxGR)
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
	if len(stems) != l.k {
		panic(fmt.Sprintf("stemlimit: %d stems, prepared for %d", len(stems), l.k))
	}
	n := out.Frames()
	in := l.bufs[0]
	for s, st := range stems {
		b := in[s]
		b.SetFrames(n)
		for c := range l.ch {
			copy(b.Data[c], st.Data[c][:n])
		}
		pilot := b.Data[l.ch]
		for i := range pilot {
			pilot[i] = 1
		}
	}
	for i, sh := range l.share {
		for _, b := range l.bufs[i+1] {
			b.SetFrames(n)
		}
		var caused []float64
		if i == 0 {
			caused = l.caused
		}
		sh.run(l.bufs[i], l.bufs[i+1], l.w, n, l.ch, caused)
	}
	last := l.bufs[len(l.share)]
	for c := range out.Data {
		dst := out.Data[c][:n]
		clear(dst)
		for _, b := range last {
			for i, v := range b.Data[c][:n] {
				dst[i] += v
			}
		}
	}
	fg := l.fgains[:n]
	l.final.ProcessGain(out, fg)
	for i, f := range fg {
		if l.share == nil { // plain: attribute the final limiter's reduction
			tot := l.env.push(in, l.ch, i)
			if f < 1 && tot > 0 {
				gr := -envelope.DBPerLog2 * envelope.Log2(f)
				for s, e := range l.env.e {
					l.caused[s] += gr * e / tot
				}
			}
		}
		// Output frame i carries the pilots of the final limiter's
		// latency before.
		leaving := l.pending[l.ppos]
		for s, g := range leaving {
			gr := 0.0
			if t := g * f; t < 1 {
				gr = -envelope.DBPerLog2 * envelope.Log2(t)
			}
			l.sumGR[s] += gr
			l.maxGR[s] = max(l.maxGR[s], gr)
			leaving[s] = float64(last[s].Data[l.ch][i])
		}
		if l.ppos++; l.ppos == len(l.pending) {
			l.ppos = 0
		}
	}
	l.frames += int64(n)
}

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

// FinalStats are the final limiter's statistics: in stem-aware mode what
// the sharing left for the sum to take.
func (l *Limiter) FinalStats() limiter.Stats { return l.final.Stats() }

// BlockMaxGRDB is the largest reduction of the detector in the last
// Process call.
func (l *Limiter) BlockMaxGRDB() float64 {
	if l.share != nil {
		return l.share[0].det.BlockMaxGRDB()
	}
	return l.final.BlockMaxGRDB()
}

// Render runs stems (equal length and channels) through a fresh limiter
// with p at sampleRate in blocks of block frames, gained by gainDB, and
// returns the output aligned with the input (the latency removed) and the
// limiter for its statistics.
func Render(stems []*audio.Buffer, p Params, sampleRate, gainDB float64, block int) (*audio.Buffer, *Limiter) {
	ch, frames := stems[0].Channels(), stems[0].Frames()
	l := New(p, len(stems))
	l.Prepare(dsp.Spec{SampleRate: sampleRate, MaxBlockSize: block, Channels: ch})
	lat := l.Latency()
	out := audio.NewBuffer(ch, frames+lat)
	g := float32(audio.Amplitude(gainDB))
	views := make([]*audio.Buffer, len(stems))
	for s := range views {
		views[s] = audio.NewBuffer(ch, block)
	}
	ob := &audio.Buffer{Data: make([][]float32, ch)}
	for at := 0; at < frames+lat; at += block {
		n := min(block, frames+lat-at)
		for s, st := range stems {
			views[s].SetFrames(n)
			for c := range ch {
				dst := views[s].Data[c][:n]
				clear(dst)
				if at < frames {
					for i, v := range st.Data[c][at:min(at+n, frames)] {
						dst[i] = v * g
					}
				}
			}
		}
		for c := range ob.Data {
			ob.Data[c] = out.Data[c][at : at+n]
		}
		l.Process(views, ob)
	}
	for c := range out.Data {
		out.Data[c] = out.Data[c][lat:]
	}
	return out, l
}
