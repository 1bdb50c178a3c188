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
	// extra [frame·(k+1) + stem]: a stage followed by another leaves each
	// stem's reduction beyond its own over the block, log2 units (negative
	// for a stem that took less), and at [frame·(k+1) + k] the largest; a
	// stage after one: exRing delays the stage before's as the stems are
	// (at dpos, lat frames), exb is the block's, aligned with this stage's
	// output (nil in the first stage)
	extra, exRing, exb []float64
	eb                 []float64     // [frame·k + stem]: the envelopes over the block
	yb                 []float64     // [frame·k + stem]: the gains' exponents, then the gains
	direct             []int         // frames whose stems take the stage's gain (gainsOf)
	gb                 [][]float32   // [stem][frame]: the stem gains over the block
	delay              [][][]float32 // [stem][channel incl. pilot][lat]
	dpos               int
}

func newSharer(p limiter.Params, spec dsp.Spec, k int, after, before bool) *sharer {
	sh := &sharer{det: limiter.New(p)}
	sh.det.Prepare(spec)
	sh.lat = sh.det.Latency()
	if before {
		sh.extra = make([]float64, (k+1)*spec.MaxBlockSize)
	}
	if after {
		sh.exRing, sh.exb = make([]float64, (k+1)*sh.lat), make([]float64, (k+1)*spec.MaxBlockSize)
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
	clear(sh.exRing)
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
// stage before's extra over the block (nil in the first stage).
func (sh *sharer) run(in, out []*audio.Buffer, w, caps, up []float64, n, channels int, caused []float64) {
	sum := sh.sum
	sum.SetFrames(n)
	dsp.SumInto(sum, in, n)
	gains := sh.gains[:n]
	sh.det.ProcessGain(sum, gains)
	sh.follow(in, n, channels)
	if sh.exb != nil {
		sh.alignUp(up, n, len(in)+1)
	}
	unity := sh.gainsOf(gains, w, caps, n, len(in), caused)
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

// alignUp delays the stage before's extra up (n frames of k values) as
// run delays the stems, into sh.exb: frame i of it is the stage before's
// at the frame this stage outputs at i. It runs before the stems' delay,
// from the same position.
func (sh *sharer) alignUp(up []float64, n, k int) {
	r, o, lat := sh.exRing, sh.exb[:n*k], sh.lat
	if n >= lat { // as delayBlock, which then starts the line over
		m := copy(o, r[sh.dpos*k:])
		copy(o[m:lat*k], r[:sh.dpos*k])
		copy(o[lat*k:], up[:(n-lat)*k])
		copy(r, up[(n-lat)*k:n*k])
		return
	}
	pos := sh.dpos
	for i := range n {
		a, b := o[i*k:(i+1)*k], r[pos*k:(pos+1)*k]
		copy(a, b)
		copy(b, up[i*k:(i+1)*k])
		if pos++; pos == lat {
			pos = 0
		}
	}
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
	var extra []float64
	if sh.extra != nil {
		extra = sh.extra[:n*(k+1)]
		clear(extra)
	}
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
		if sh.exb == nil {
			alphas(e, tot, w, capsAt(caps, capMax, grDB, sh.capAt), sh.a)
		} else {
			alphas(e, tot, w, sh.capsAfter(caps, capMax, grDB, sh.exb[i*(k+1):(i+1)*(k+1):(i+1)*(k+1)]), sh.a)
		}
		gr := -l2 // log2 units
		vmax := 0.0
		for s, v := range sh.a {
			if v < 0 { // no part: 2^(±0) = 1 (a NaN stays one)
				v = 0
			}
			row[s] = -gr * v
			if v > vmax {
				vmax = v
			}
		}
		if extra != nil {
			ex := extra[i*(k+1) : (i+1)*(k+1) : (i+1)*(k+1)]
			for s, v := range sh.a {
				if v < 0 {
					v = 0
				}
				ex[s] = gr * (v - 1)
			}
			ex[k] = gr * (vmax - 1)
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

// capsAfter returns the caps of a frame in a stage after the first, which
// reduces it by grDB, from ex, each stem's reduction beyond the stage
// before's at the frame (log2 units, the largest last): what is left of
// maxExtraDB after it, but never under 1, the sum's own reduction, which
// every stem may take. With capsAt's bound on the first stage, no stem
// takes more than maxExtraDB beyond the stages' reductions. Most frames
// leave every stem enough for its cap (the check on the largest).
func (sh *sharer) capsAfter(caps []float64, capMax, grDB float64, ex []float64) []float64 {
	if (capMax-1)*grDB <= maxExtraDB-envelope.DBPerLog2*ex[len(caps)] {
		return caps
	}
	for s, c := range caps {
		sh.capAt[s] = c
		if left := maxExtraDB - envelope.DBPerLog2*ex[s]; (c-1)*grDB > left { // 1 + left/grDB < c
			sh.capAt[s] = max(1, 1+left/grDB)
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
