// Package saturate is a drive-and-soft-clip stage for the master bus before
// the limiter (or any stem): the signal is raised by DriveDB, oversampled
// 8×, shaped by a smooth nonlinearity, filtered back to the base rate and
// set to OutputDB.
//
// Characters:
//
//   - soft: tanh(x) — odd harmonics only, the classic tape-like soft clip;
//   - warm: tanh(x + b) − tanh(b) with b = 0.25 — an asymmetric curve that
//     adds even harmonics (its DC is removed by a 5 Hz high-pass after the
//     stage);
//   - cubic: 1.5x − 0.5x³ for |x| ≤ 1 and ±1 beyond — its harmonics have a
//     closed form below clipping (for a sine of amplitude A ≤ 1: fundamental
//     1.5A − 0.375A³, third harmonic 0.125A³, nothing else), which the tests
//     check; above clipping its corner (continuous slope, jumping curvature)
//     has harmonics that fall as 1/n³ and alias more than tanh's.
//
// Aliasing: tanh(a·sin θ) has harmonics that fall as exp(−n·asinh(π/2a)),
// so at 8× (the high rate's Nyquist frequency 192 kHz at 48 kHz) the
// harmonics that fold back into the audio band are the 36th and above of a
// 10 kHz tone, below −130 dB for a drive of +12 dB; what remains is the
// oversampling filters' (Kaiser half-bands designed for 100 dB, flat within
// 0.001 dB to 0.44·fs). The tests measure every folded harmonic of a 10 kHz
// tone at −1 dBFS driven +12 dB at about −125 dBFS, against a requirement
// of −90. (At 4× the 17th to 21st harmonics fold back, about −63 dB.)
//
// Oversampling is three cascaded 2× half-band stages each way (see
// stages), run a chunk of a channel at a time on linear buffers (package
// halfband's kernel; the output is that of package oversample's per-sample
// Upsampler and Downsampler, tested); Latency is the round trip,
// 2·(32 + 8/2 + 4/4) = 74 frames.
//
// The curve is a gain that depends on the sample, curve(x)/x, so
// ProcessSidechain applies the gain a key signal gets at 8× to another
// signal: stems saturated each keyed by their sum add up to the saturated
// sum (stem-aware limiting after master saturation).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package saturate

import (
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// Characters.
const (
	CharacterSoft  = "soft"
	CharacterWarm  = "warm"
	CharacterCubic = "cubic"
)

// Limits.
const (
	MaxDriveDB  = 24.0
	MaxOutputDB = 24.0
	warmBias    = 0.25
)

// Params set the stage. The zero Character is soft.
type Params struct {
	DriveDB   float64 // gain before the curve, 0 … 24 dB
	OutputDB  float64 // gain after, ±24 dB
	Character string
}

// Validate returns a *dsp.ParamError naming the first bad parameter.
func (p Params) Validate() error {
	switch {
	case math.IsNaN(p.DriveDB) || p.DriveDB < 0 || p.DriveDB > MaxDriveDB:
		return dsp.NewParamError("saturation", "drive_db", p.DriveDB, "must be within [0, %g] dB", MaxDriveDB)
	case math.IsNaN(p.OutputDB) || math.Abs(p.OutputDB) > MaxOutputDB:
		return dsp.NewParamError("saturation", "output_db", p.OutputDB, "must be within ±%g dB", MaxOutputDB)
	case p.Character != "" && p.Character != CharacterSoft && p.Character != CharacterWarm && p.Character != CharacterCubic:
		return dsp.NewParamError("saturation", "character", math.NaN(), "unknown character %q (want soft, warm or cubic)", p.Character)
	}
	return nil
}

// Saturator is the stage; it implements dsp.Processor.
type Saturator struct {
	p          Params
	drive, out float64
	st         [3]halfBand // base↔2×, 2×↔4×, 4×↔8×
	ch         []satChannel
	khi        []float64 // one chunk of the key at 8×
	ratio      []float64 // ProcessSidechain: curve(key), then the gain
	tmp        []float64 // scratch for 4n values
	dcA        float64   // DC blocker pole (warm)
	warmOffset float64
	curve      *tanhConsts // the tanh kernel's constants for the character
	channels   int
}

// A Saturator works keyed by another signal, and as a group of stems keyed
// by their sum (stem-aware limiting).
var (
	_ dsp.Sidechained = (*Saturator)(nil)
	_ dsp.KeyGroup    = (*Saturator)(nil)
)

// satChannel is one channel's oversampling buffers, each its stage's
// history followed by one chunk: base (the driven input), up2 and up4
// (the interpolated 2× and 4× streams) on the way up; d8, d4, d2 (the 8×
// stream after the curve, then the decimated 4× and 2× streams, split for
// their down stages) on the way down; dcX, dcY the DC blocker's memory.
type satChannel struct {
	up, keyUp  upChain // the channel's, and its key's (ProcessSidechain)
	d8, d4, d2 decimator
	y          []float64 // one chunk's output at the base rate
	dcX, dcY   float64
}

// upChain is the way up: base (the driven input), up2 and up4.
type upChain struct {
	base, up2, up4 []float64
}

// chunkFrames is how many base frames run through the stages at once: the
// six buffers (about 9 KiB per 64 frames) stay in the L1 cache.
const chunkFrames = 128

// New returns the stage; call p.Validate first.
func New(p Params) *Saturator {
	if p.Character == "" {
		p.Character = CharacterSoft
	}
	return &Saturator{p: p}
}

// cubic is 1.5x − 0.5x³ on x clamped to ±1 (which gives ±1 beyond).
func cubic(x float64) float64 {
	x = clamp(x, 1)
	return 1.5*x - 0.5*x*x*x
}

// Prepare allocates the oversampling buffers; it panics on invalid
// parameters.
func (s *Saturator) Prepare(spec dsp.Spec) {
	if err := s.p.Validate(); err != nil {
		panic("saturate: Prepare: " + err.Error())
	}
	s.channels = spec.Channels
	s.drive, s.out = audio.Amplitude(s.p.DriveDB), audio.Amplitude(s.p.OutputDB)
	for i, st := range stages {
		s.st[i] = newHalfBand(st.k, st.db)
	}
	s1, s2, s3 := s.st[0], s.st[1], s.st[2]
	const n = chunkFrames
	s.ch = make([]satChannel, spec.Channels)
	for c := range s.ch {
		newUp := func() upChain {
			return upChain{
				base: make([]float64, s1.upHistory()+n),
				up2:  make([]float64, s2.upHistory()+2*n),
				up4:  make([]float64, s3.upHistory()+4*n),
			}
		}
		s.ch[c] = satChannel{
			up:    newUp(),
			keyUp: newUp(),
			d8:    s3.newDecimator(4 * n),
			d4:    s2.newDecimator(2 * n),
			d2:    s1.newDecimator(n),
			y:     make([]float64, n),
		}
	}
	s.khi, s.ratio, s.tmp = make([]float64, 8*n), make([]float64, 8*n), make([]float64, 4*n)
	s.dcA = math.Exp(-2 * math.Pi * 5 / spec.SampleRate)
	s.warmOffset = tanh(warmBias)
	s.curve = newTanhConsts(0, 0)
	if s.p.Character == CharacterWarm {
		s.curve = newTanhConsts(warmBias, s.warmOffset)
	}
	s.Reset()
}

// Reset clears the filters.
func (s *Saturator) Reset() {
	for c := range s.ch {
		ch := &s.ch[c]
		for _, b := range [][]float64{ch.up.base, ch.up.up2, ch.up.up4, ch.keyUp.base, ch.keyUp.up2, ch.keyUp.up4, ch.d8.v0, ch.d8.v1, ch.d4.v0, ch.d4.v1, ch.d2.v0, ch.d2.v1} {
			clear(b)
		}
		ch.dcX, ch.dcY = 0, 0
	}
}

// Latency is the oversampling round trip in frames.
func (s *Saturator) Latency() int { return 2 * latency() }

// stages are the three 2× half-band stages (oversample.DesignNyquist), the
// sharp one at the base rate: it alone must separate 0 … 0.4535·fs from its
// image; each later stage passes the same audio band at a higher rate, so
// its transition band is wider and a short filter reaches the same
// rejection. Zero crossings K of stage i count at its lower rate, so the
// latency K1 + K2/2 + K3/4 is whole base frames.
var stages = [3]struct {
	k  int
	db float64
}{{32, 100}, {8, 100}, {4, 100}}

func latency() int { return stages[0].k + stages[1].k/2 + stages[2].k/4 }

// Process saturates buf in place, a chunk of each channel at a time.
func (s *Saturator) Process(buf *audio.Buffer) { s.process(buf, nil) }

// ProcessSidechain multiplies buf, at 8×, by the gain the curve gives key
// there (curve(k)/k), and filters it back down: the curve is a
// sample-by-sample gain, so signals processed each keyed by their sum add
// up to the saturated sum (to the rounding of the oversampling filters).
// key must have buf's channels and frames.
func (s *Saturator) ProcessSidechain(buf, key *audio.Buffer) { s.process(buf, key) }

// process is Process (key nil) or ProcessSidechain.
func (s *Saturator) process(buf, key *audio.Buffer) {
	if key != nil {
		dsp.CheckKey("saturate", buf, key)
	}
	if buf.Channels() != s.channels {
		panic(fmt.Sprintf("saturate: Process of %d channels, prepared for %d", buf.Channels(), s.channels))
	}
	if len(buf.Data) == 2 {
		s.process2(buf, key)
		return
	}
	for c, x := range buf.Data {
		for at := 0; at < len(x); at += chunkFrames {
			end := min(at+chunkFrames, len(x))
			var k []float32
			if key != nil {
				k = key.Data[c][at:end]
			}
			s.chunk(&s.ch[c], x[at:end], k)
			s.finish(&s.ch[c], x[at:end])
		}
	}
}

// process2 is process for a stereo pair: both channels' chunks through
// the stages, then their DC blockers and output gains in one loop (finish2:
// the two blockers' recursions overlap).
func (s *Saturator) process2(buf, key *audio.Buffer) {
	l, r := buf.Data[0], buf.Data[1]
	for at := 0; at < len(l); at += chunkFrames {
		end := min(at+chunkFrames, len(l))
		for c, x := range [2][]float32{l[at:end], r[at:end]} {
			var k []float32
			if key != nil {
				k = key.Data[c][at:end]
			}
			s.chunk(&s.ch[c], x, k)
		}
		s.finish2(l[at:end], r[at:end])
	}
}

// upsample drives x and interpolates it to 8× into hi (8·len(x) values).
func (s *Saturator) upsample(u *upChain, x []float32, hi []float64) {
	s.upsampleWith(u, x, func(s3 halfBand, up4 []float64, n int) { s3.up(up4, hi, s.tmp, n) })
}

// upsampleSplit is upsample into the 8× stage's decimator: the 8× stream's
// even samples into d.v0's chunk, its odd samples into d.v1's, without
// writing the stream whole.
func (s *Saturator) upsampleSplit(u *upChain, x []float32, d decimator) {
	s.upsampleWith(u, x, func(s3 halfBand, up4 []float64, n int) { s3.upSplit(up4, d, n) })
}

// upsampleWith drives x, interpolates it to 4× and calls last with the
// third stage, its input (history and chunk) and the chunk's length; last
// runs the third 2× stage.
func (s *Saturator) upsampleWith(u *upChain, x []float32, last func(s3 halfBand, up4 []float64, n int)) {
	n := len(x)
	s1, s2, s3 := s.st[0], s.st[1], s.st[2]
	h1, h2, h3 := s1.upHistory(), s2.upHistory(), s3.upHistory()
	base := u.base[h1 : h1+n]
	for i, v := range x {
		base[i] = float64(v) * s.drive
	}
	s1.up(u.base, u.up2[h2:], s.tmp, n)
	s2.up(u.up2, u.up4[h3:], s.tmp, 2*n)
	last(s3, u.up4, 4*n)
	keep(u.base, h1, n)
	keep(u.up2, h2, 2*n)
	keep(u.up4, h3, 4*n)
}

// chunk runs one channel's samples x (at most chunkFrames) up to 8×,
// through the curve (or the gain the curve gives key, when set) and back
// down into ch.y (finish then writes them to x). The 8× stream goes straight into the first down stage's
// halves: the curve and the key's gain act sample by sample, so they apply
// to the halves as they would to the whole stream.
func (s *Saturator) chunk(ch *satChannel, x, key []float32) {
	n := len(x)
	s.upsampleSplit(&ch.up, x, ch.d8)
	v0, v1 := s.st[2].halves(ch.d8, 4*n)
	if key != nil {
		khi := s.khi[:8*n]
		s.upsample(&ch.keyUp, key, khi)
		scaleHalves(v0, v1, s.keyFactor(khi))
	} else {
		s.shape(v0)
		s.shape(v1)
	}
	s.down(ch, x)
}

// down filters the 8× stream, loaded in ch.d8, back to the base rate into
// ch.y (len(x) values).
func (s *Saturator) down(ch *satChannel, x []float32) {
	n := len(x)
	s1, s2, s3 := s.st[0], s.st[1], s.st[2]
	s3.downSplit(ch.d8, s2, ch.d4, s.tmp, 4*n)
	s2.downSplit(ch.d4, s1, ch.d2, s.tmp, 2*n)
	s1.down(ch.d2, ch.y[:n], n)
}

// finish writes ch.y, through the DC blocker (warm) and the output gain,
// to x.
func (s *Saturator) finish(ch *satChannel, x []float32) {
	y := ch.y[:len(x)]
	if s.p.Character == CharacterWarm { // one-pole DC blocker: y = x − x₁ + a·y₁
		dx, dy, a := ch.dcX, ch.dcY, s.dcA
		for i, v := range y {
			dy = v - dx + a*dy
			dx = v
			y[i] = dy
		}
		ch.dcX, ch.dcY = dx, dy
	}
	s.output(x, y)
}

// finish2 is finish on channels 0 and 1 into l and r, the two DC
// blockers in one loop (the same arithmetic per channel).
func (s *Saturator) finish2(l, r []float32) {
	c0, c1 := &s.ch[0], &s.ch[1]
	y0, y1 := c0.y[:len(l)], c1.y[:len(l)]
	if s.p.Character == CharacterWarm {
		dx0, dy0, dx1, dy1, a := c0.dcX, c0.dcY, c1.dcX, c1.dcY, s.dcA
		for i, v := range y0 {
			w := y1[i]
			dy0 = v - dx0 + a*dy0
			dy1 = w - dx1 + a*dy1
			dx0, dx1 = v, w
			y0[i], y1[i] = dy0, dy1
		}
		c0.dcX, c0.dcY, c1.dcX, c1.dcY = dx0, dy0, dx1, dy1
	}
	s.output(l, y0)
	s.output(r, y1)
}

// output writes y·out, rounded to float32, to x.
func (s *Saturator) output(x []float32, y []float64) {
	y = y[:len(x)]
	for i, v := range y {
		x[i] = float32(v * s.out)
	}
}

// keyFactor returns the gain curve(k)/k for every value k of the 8× key
// stream (key is overwritten), in s.ratio. Near k = 0 the ratio is taken
// at |k| = 1e-6 (it tends to the curve's slope there; the difference,
// under 3e-7, multiplies a key that small).
func (s *Saturator) keyFactor(key []float64) []float64 {
	r := s.ratio[:len(key)]
	for i, k := range key {
		k = math.Copysign(max(math.Abs(k), 1e-6), k)
		key[i], r[i] = k, k
	}
	s.shape(r)
	for i, k := range key {
		r[i] /= k
	}
	return r
}

// scaleHalves multiplies the even samples v0 and the odd samples v1 of a
// stream by the same samples of f (the whole stream's gains).
func scaleHalves(v0, v1, f []float64) {
	v1 = v1[:len(v0)]
	f = f[:2*len(v0)]
	for i := range v0 {
		g := f[2*i : 2*i+2 : 2*i+2]
		v0[i] *= g[0]
		v1[i] *= g[1]
	}
}

// ProcessKeyGroup is ProcessSidechain(bufs[i], key) on every peers[i] (each
// a *Saturator prepared as s), interpolating the key and computing its
// gain once, in s.
func (s *Saturator) ProcessKeyGroup(peers []dsp.Processor, bufs []*audio.Buffer, key *audio.Buffer) {
	dsp.CheckKeyGroup("saturate", peers, bufs, key, s.channels)
	for _, p := range peers {
		if p.(*Saturator).channels != s.channels {
			panic("saturate: ProcessKeyGroup with a peer prepared for other channels")
		}
	}
	for c, k := range key.Data {
		for at := 0; at < len(k); at += chunkFrames {
			end := min(at+chunkFrames, len(k))
			n := end - at
			khi := s.khi[:8*n]
			s.upsample(&s.ch[c].keyUp, k[at:end], khi)
			f := s.keyFactor(khi)
			for i, p := range peers {
				q := p.(*Saturator)
				x, ch := bufs[i].Data[c][at:end], &q.ch[c]
				q.upsampleSplit(&ch.up, x, ch.d8)
				v0, v1 := q.st[2].halves(ch.d8, 4*n)
				scaleHalves(v0, v1, f)
				q.down(ch, x)
				q.finish(ch, x)
			}
		}
	}
}

// shape applies the character's curve to the 8× stream in place.
func (s *Saturator) shape(v []float64) {
	switch s.p.Character {
	case CharacterCubic:
		for i, x := range v {
			v[i] = cubic(x)
		}
	default: // soft is tanh(x + 0) − 0: the same bits as tanh(x)
		tanhShift(v, s.curve)
	}
}
