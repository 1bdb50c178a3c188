package stemlimit

import (
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/limiter"
)

// sharer is one sharing stage: stems (audio channels and a pilot) in,
// the same stems delayed by the detector's latency and gained out.
type sharer struct {
	det   *limiter.TruePeakLimiter
	lat   int
	sum   *audio.Buffer
	gains []float64
	env   envelopes
	gs, a []float64
	capAt []float64 // [stem]: the caps of a frame whose reduction bounds them (gainsOf)
	// A stage after the first: the stage before's gains, the ring upRing
	// delaying them as the stems are (at dpos), and upb the block's, aligned
	// with this stage's output (nil in the first stage); in: the block's
	// input, whose delayed pilots are the stems' gains so far
	upRing, upb []float64
	in          []*audio.Buffer
	eb          []float64     // [frame·k + stem]: the envelopes over the block
	yb          []float64     // [frame·k + stem]: the gains' exponents, then the gains
	direct      []int         // frames whose stems take the stage's gain (gainsOf)
	gb          [][]float32   // [stem][frame]: the stem gains over the block
	delay       [][][]float32 // [stem][channel incl. pilot][lat]
	dpos        int
}

func newSharer(p limiter.Params, spec dsp.Spec, k int, after bool) *sharer {
	sh := &sharer{det: limiter.New(p)}
	sh.det.Prepare(spec)
	sh.lat = sh.det.Latency()
	if after {
		sh.upRing, sh.upb = make([]float64, sh.lat), make([]float64, spec.MaxBlockSize)
	}
	sh.sum = audio.NewBuffer(spec.Channels, spec.MaxBlockSize)
	sh.gains = make([]float64, spec.MaxBlockSize)
	sh.env = newEnvelopes(k, spec.SampleRate)
	sh.gs, sh.a, sh.capAt = make([]float64, k), make([]float64, k), make([]float64, k)
	sh.eb, sh.gb = make([]float64, k*spec.MaxBlockSize), make([][]float32, k)
	sh.yb, sh.direct = make([]float64, k*spec.MaxBlockSize), make([]int, 0, spec.MaxBlockSize)
	for s := range k {
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
	for i := range sh.upRing {
		sh.upRing[i] = 1
	}
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
// channel a pilot) among the stems into out, by their weights w and caps
// (capsOf); caused, when not nil, accumulates the attribution. up is the
// stage before's gains over the block (nil in the first stage).
func (sh *sharer) run(in, out []*audio.Buffer, w, caps, up []float64, n, channels int, caused []float64) {
	sum := sh.sum
	sum.SetFrames(n)
	dsp.SumInto(sum, in, n)
	gains := sh.gains[:n]
	sh.det.ProcessGain(sum, gains)
	sh.follow(in, n, channels)
	if sh.upb != nil {
		sh.alignUp(up, n)
	}
	sh.in = in
	unity := sh.gainsOf(gains, w, caps, n, len(in), caused)
	sh.in = nil
	if n >= sh.lat {
		sh.delayBlock(in, out, n, unity)
		return
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
				if unity { // every gain is 1: a plain delay, the same values
					copy(yy, dd)
					copy(dd, xx)
				} else {
					for k, v := range xx {
						yy[k] = dd[k] * gg[k]
						dd[k] = v
					}
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

// alignUp delays the stage before's gains up (n frames) as run delays the
// stems, into sh.upb: frame i of it is the gain the stage before applied
// to the frame this stage outputs at i. It runs before the stems' delay,
// from the same position.
func (sh *sharer) alignUp(up []float64, n int) {
	r, o, lat := sh.upRing, sh.upb[:n], sh.lat
	if n >= lat { // as delayBlock, which then starts the line over
		k := copy(o, r[sh.dpos:])
		copy(o[k:lat], r[:sh.dpos])
		copy(o[lat:], up[:n-lat])
		copy(r, up[n-lat:n])
		return
	}
	pos := sh.dpos
	for i, g := range up[:n] {
		o[i], r[pos] = r[pos], g
		if pos++; pos == lat {
			pos = 0
		}
	}
}

// pilots returns where the stems' pilots of the frame this stage outputs
// at i are: the delay line's slot j when in is nil, else frame j of in (the
// stems' gains before this stage, delayed). It reads the delay line as run
// finds it, before the block's delay.
func (sh *sharer) pilots(i int) (in []*audio.Buffer, j int) {
	if i >= sh.lat {
		return sh.in, i - sh.lat
	}
	if j = sh.dpos + i; j >= sh.lat {
		j -= sh.lat
	}
	return nil, j
}

// pilot is stem s's pilot where pilots found it.
func (sh *sharer) pilot(in []*audio.Buffer, s, j int) float64 {
	pc := len(sh.delay[s]) - 1
	if in == nil {
		return float64(sh.delay[s][pc][j])
	}
	return float64(in[s].Data[pc][j])
}

// delayBlock is run's delay and gain for a block at least as long as the
// delay line: the line's frames, oldest first, then the block's own but
// the last lat, which become the line (from its start); then each frame
// times its gain unless every gain is 1. The same values as the delay a
// frame at a time, in three copies per stem and channel.
func (sh *sharer) delayBlock(in, out []*audio.Buffer, n int, unity bool) {
	lat := sh.lat
	for s, st := range in {
		gb := sh.gb[s][:n]
		for c, dl := range sh.delay[s] {
			x, y := st.Data[c][:n], out[s].Data[c][:n]
			k := copy(y, dl[sh.dpos:])
			copy(y[k:lat], dl[:sh.dpos])
			copy(y[lat:], x[:n-lat])
			copy(dl, x[n-lat:])
			if !unity {
				for i, g := range gb {
					y[i] *= g
				}
			}
		}
	}
	sh.dpos = 0
}

// gainsOf sets sh.gb to the k stems' gains over the block from the
// stage's gains and the envelopes in sh.eb (see share), accumulating the
// attribution into caused when it is not nil, and reports whether every
// gain is 1 (then sh.gb is left as it was). Each limited frame's exponents
// go to a row of sh.yb, and one Exp2Block takes the whole block's: the
// values of share's Exp2 one by one, 2^0 = 1 exactly where the detector
// leaves the gain at 1 or a stem takes no part.
func (sh *sharer) gainsOf(gains, w, caps []float64, n, k int, caused []float64) bool {
	unity := true
	for _, g := range gains {
		if !(g >= 1) {
			unity = false
			break
		}
	}
	if unity {
		return true
	}
	yb := sh.yb[:n*k]
	direct := sh.direct[:0] // frames whose stems all take the stage's gain
	capMax := 0.0
	for _, c := range caps {
		capMax = max(capMax, c)
	}
	for i, g := range gains {
		row := yb[i*k : (i+1)*k : (i+1)*k]
		if g >= 1 {
			clear(row)
			continue
		}
		e := sh.eb[i*k : (i+1)*k : (i+1)*k]
		tot := 0.0
		for _, v := range e {
			tot += v
		}
		l2 := envelope.Log2(g)
		if tot <= 0 {
			direct = append(direct, i)
			continue
		}
		grDB := -envelope.DBPerLog2 * l2
		if caused != nil {
			for s, v := range e {
				caused[s] += grDB * v / tot
			}
		}
		if sh.upb == nil {
			alphas(e, tot, w, capsAt(caps, capMax, grDB, sh.capAt), sh.a)
		} else {
			alphas(e, tot, w, sh.capsAfter(caps, capMax, grDB, i), sh.a)
		}
		gr := -l2 // log2 units
		for s, v := range sh.a {
			if v < 0 { // no part: 2^(±0) = 1 (a NaN stays one)
				v = 0
			}
			row[s] = -gr * v
		}
	}
	envelope.Exp2Block(yb, yb, 1)
	for s, gb := range sh.gb {
		gb = gb[:n]
		for i := range gb {
			gb[i] = float32(yb[i*k+s])
		}
	}
	for _, i := range direct {
		for _, gb := range sh.gb {
			gb[i] = float32(gains[i])
		}
	}
	sh.direct = direct[:0]
	return false
}

// absMask clears a float32's sign bit.
const absMask = 1<<31 - 1

// follow runs the stems' envelopes over the block into sh.eb, frame by
// frame with every stem in a frame side by side: each stem's recursion
// waits on its own previous value, so stepping all of them per frame lets
// them overlap.
func (sh *sharer) follow(in []*audio.Buffer, n, channels int) {
	env := &sh.env
	k := len(in)
	eb := sh.eb[:n*k]
	for s, st := range in {
		// the level first, a stem at a time: the largest |x| of its
		// channels, as the largest of their bits with the sign cleared
		// (which order as the values do; a NaN's exceed +Inf's, so a NaN
		// wins, as in max)
		if channels == 2 {
			l, r := st.Data[0][:n], st.Data[1][:n]
			for i := range l {
				eb[i*k+s] = float64(math.Float32frombits(max(math.Float32bits(l[i])&absMask, math.Float32bits(r[i])&absMask)))
			}
			continue
		}
		for i := range n {
			a := uint32(0)
			for _, ch := range st.Data[:channels] {
				a = max(a, math.Float32bits(ch[i])&absMask)
			}
			eb[i*k+s] = float64(math.Float32frombits(a))
		}
	}
	e := env.e[:k]
	for i := 0; i < len(eb); i += k {
		f := eb[i : i+k : i+k]
		for s, v := range e {
			v = env.follow(v, f[s])
			e[s] = v
			f[s] = v
		}
	}
}

// alphas sets a to the stems' shares α_s of a stage's reduction (in dB,
// as multiples of it) from their envelopes e (sum tot > 0), weights w and
// caps (capsOf): 0 for a stem that takes no part.
func alphas(e []float64, tot float64, w, caps, a []float64) {
	// α_s = w_s·k with Σ c_s·α_s = 1 (c_s = e_s/Σe), α_s ≤ caps[s]:
	// water-filling over the stems that are not capped.
	// A stem under quietShare of the peak's level is not part of it and is
	// left alone (its reduction would change nothing but its own level).
	//
	// Most frames cap no stem: the first round of the water-filling
	// (waterFill) is taken here with the marking, its sum in the same
	// order, and ends it when no stem is over its cap.
	quiet := quietShare * tot
	var wc float64
	for s, v := range e {
		a[s] = -1
		if v < quiet {
			a[s] = 0
			continue
		}
		wc += w[s] * v / tot
	}
	if wc > 0 {
		k := 1 / wc
		over := false
		for s, cs := range caps[:len(a)] {
			over = over || a[s] < 0 && k*w[s] > cs
		}
		if !over {
			for s, v := range a {
				if v < 0 {
					a[s] = k * w[s]
				}
			}
			return
		}
	}
	waterFill(e, tot, w, caps, a)
}

// waterFill is alphas from the stems marked in a (−1 takes part, 0 not):
// rounds that cap the stems over their caps and share what is left among
// the others, until none is over.
func waterFill(e []float64, tot float64, w, caps, a []float64) {
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
			if cs := caps[s]; a[s] < 0 && k*w[s] > cs {
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
}

// capsAt returns the caps of a frame the stage reduces by grDB: caps, but
// none above 1 + maxExtraDB/grDB, so that no stem takes more than maxExtraDB
// beyond the stage's own reduction (into buf when that bounds any of the
// caps, whose largest is capMax). A heavy peak is then taken by the other
// stems and, past their caps, by the next stage and the final limiter on
// the sum, rather than by one stem alone.
func capsAt(caps []float64, capMax, grDB float64, buf []float64) []float64 {
	if !((capMax-1)*grDB > maxExtraDB) { // 1 + maxExtraDB/grDB ≥ capMax
		return caps
	}
	lim := 1 + maxExtraDB/grDB
	for s, c := range caps {
		buf[s] = min(c, lim)
	}
	return buf
}

// capsAfter returns the caps of output frame i in a stage after the first,
// which reduces it by grDB: what is left of maxExtraDB beyond the stage
// before's reduction (from sh.upb) after the stem's reduction so far (its
// pilot p), but never under 1, the sum's own reduction, which every stem
// may take. With capsAt's bound on the first stage, no stem takes more
// than maxExtraDB beyond the stages' reductions. In dB what is left is
// maxExtraDB + 20·log10(p/g1) (g1 the stage before's gain); it bounds no
// cap at or under capMax unless p/g1 is under 10^((left needed)/20), the
// left that keeps the largest cap, so only those stems pay for a log.
func (sh *sharer) capsAfter(caps []float64, capMax, grDB float64, i int) []float64 {
	g1 := min(1, sh.upb[i])
	in, j := sh.pilots(i)
	pmin := 1.0
	for s := range caps {
		pmin = min(pmin, sh.pilot(in, s, j))
	}
	// No stem's cap binds when every pilot is at or over
	// t = g1·2^x; most frames clear 2^x ≤ 1/(1 − x·ln 2) (x ≤ 0), which
	// needs no Exp2.
	x := ((capMax-1)*grDB - maxExtraDB) * (1 / envelope.DBPerLog2)
	if x <= 0 && pmin*(1-x*math.Ln2) >= g1 {
		return caps
	}
	t := g1 * envelope.Exp2(x)
	if !(pmin < t) {
		return caps
	}
	for s, c := range caps {
		sh.capAt[s] = c
		if p := sh.pilot(in, s, j); p < t {
			left := maxExtraDB + envelope.DBPerLog2*envelope.Log2(p/g1)
			sh.capAt[s] = min(c, max(1, 1+left/grDB))
		}
	}
	return sh.capAt
}

// capsOf returns each stem's cap for alphas: capFactor·min(1, w).
func capsOf(w []float64) []float64 {
	caps := make([]float64, len(w))
	for s, v := range w {
		caps[s] = capFactor * min(1, v)
	}
	return caps
}
