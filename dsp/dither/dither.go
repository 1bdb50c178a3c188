// Package dither quantises float samples to a target word length (16, 20 or
// 24 bits) with TPDF dither and optional noise shaping, the last step before
// an integer encoder.
//
// # Dither
//
// TPDF (triangular probability density) dither is the sum of two
// independent uniform variables of ±½ LSB each, so ±1 LSB peak with variance
// LSB²/6, added before rounding to the target grid. It is the least noisy
// dither that makes both the mean and the variance of the total error
// independent of the signal: no truncation distortion, no noise modulation.
// The total error (rounding plus dither) is white with variance LSB²/4.
// See S. P. Lipshitz, R. A. Wannamaker and J. Vanderkooy, "Quantization and
// dither: a theoretical survey", J. Audio Eng. Soc. 40(5), 355–375 (1992).
//
// # Noise shaping
//
// With shaping on, the total error is fed back through a 9-tap FIR, so the
// error reaching the output is filtered by 1 − H(z), H(z) = Σ cᵢ·z⁻ⁱ: the
// "F-weighted" coefficients of R. A. Wannamaker, "Psychoacoustically optimal
// noise shaping", J. Audio Eng. Soc. 40(7/8), 611–620 (1992), designed for
// 44.1 kHz (the same set SoX ships as its f-weighted shaper). At 44.1 kHz
// the noise is 12 dB down at low frequencies and 18–25 dB down from 2 to
// 5 kHz, where hearing is most sensitive, and rises above 15 kHz (+27 dB at
// Nyquist). Shaping applies only at 44.1 and 48 kHz (at 48 kHz the curve
// sits 9 % higher in frequency); at other rates the dither stays flat.
// The fed-back error is limited to ±4 LSB so a clipped sample cannot
// drive the loop unstable.
//
// # Output contract
//
// Process leaves every sample exactly on the target grid, as the float32
// value k / 2^(bits−1) for an integer code k in [−2^(bits−1), 2^(bits−1)−1]
// (values beyond the largest code clamp to it). Such values are exact in
// float32 for bits ≤ 24, so an integer WAV or FLAC encoder of the same word
// length that scales by 2^(bits−1) and rounds reproduces k exactly: the
// encoder sees values already on its grid and adds no second quantisation.
//
// # Determinism
//
// The noise comes from PCG-DXSM generators (the algorithm and constants of
// math/rand/v2's PCG, run inline: pcg.go), one per channel,
// seeded from the session's seed and the channel index: the same seed gives
// byte-identical output, Reset restarts the same sequence, and the channels'
// dither is independent. Where the processor has AVX-512, flat dither draws
// eight numbers of a generator at once, in lanes a jump of eight steps
// apart (lanes.go), and quantises eight samples with them: the same draws
// and the same operations, so the same bits (TestFlatKernelMatchesGo).
//
// # Auto-mute on digital silence
//
// Like mastering dithers, the ditherer stays silent on digital silence:
// once the input has been exactly 0.0 (either sign) on every channel for
// the hold time, DefaultAutoMute (10 ms), it outputs exact zeros, so the
// silence before the downbeat and after the fade is not turned into
// −96 dBFS of noise. The first
// non-zero sample on any channel resumes the dither at once. The decision
// is causal and per frame: frame n is muted when frames n−N+1…n are all
// zero, N the hold in frames, counting frames across blocks.
//
// Before the first frame (after Prepare or Reset) the input counts as
// having been silent for the whole hold, so leading silence is muted from
// frame 0, not after N frames of noise: a file that starts in digital
// silence starts with exact zeros. A run of zeros shorter than N inside
// the music is dithered throughout.
//
// While muted, the noise-shaping error history is held at zero, so the
// first sample after the silence starts from a clean loop, and every
// channel's PCG generator still advances by one draw per frame: the noise
// for frame n is the same whether or not earlier frames were muted, so the
// output does not depend on how the input was cut into blocks.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package dither

import (
	"fmt"
	"math"
	"time"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// fWeighted44 are Wannamaker's 9-tap F-weighted error-feedback coefficients
// for 44.1 kHz (JAES 1992; SoX's fwe44 table): the output error is
// (1 − Σ cᵢ·z⁻ⁱ)·e.
var fWeighted44 = [9]float64{2.412, -3.370, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847}

// errorLimit bounds the fed-back error, in LSB. In normal operation the
// error stays within ±1.5 LSB (½ rounding + 1 dither); only clipping goes
// beyond.
const errorLimit = 4.0

// DefaultAutoMute is the hold time of digital silence after which the
// output is muted.
const DefaultAutoMute = 10 * time.Millisecond

// BitsError reports a word length the ditherer does not produce.
type BitsError struct {
	Bits int
}

func (e *BitsError) Error() string {
	return fmt.Sprintf("dither: %d-bit target (want 8 to 24 bits)", e.Bits)
}

// Ditherer quantises to bits with TPDF dither. It implements dsp.Processor
// with no latency.
type Ditherer struct {
	bits    int
	seed    uint64
	shaping bool // asked for
	shaped  bool // asked for and the rate allows it
	scale   float64
	maxCode float64
	minCode float64

	rngs []pcg
	errs [][len(fWeighted44)]float64 // per channel: the last errors, newest first

	hold    int // auto-mute hold in frames, DefaultAutoMute at the prepared rate; 0: off
	zeroRun int // consecutive all-zero input frames so far, at most hold
}

var _ dsp.Processor = (*Ditherer)(nil)

// New returns a ditherer to a bits-bit grid (8 to 24; 16, 20 and 24 are the
// delivery formats) seeded with seed, with F-weighted noise shaping when
// shaping is true and the rate is 44.1 or 48 kHz.
func New(bits int, seed uint64, shaping bool) (*Ditherer, error) {
	if bits < 8 || bits > 24 {
		return nil, &BitsError{Bits: bits}
	}
	q := math.Ldexp(1, bits-1)
	return &Ditherer{
		bits: bits, seed: seed, shaping: shaping,
		scale: q, maxCode: q - 1, minCode: -q,
	}, nil
}

// Prepare implements dsp.Processor.
func (d *Ditherer) Prepare(spec dsp.Spec) {
	d.shaped = d.shaping && (spec.SampleRate == 44100 || spec.SampleRate == 48000)
	d.hold = max(1, int(math.Round(spec.SampleRate*DefaultAutoMute.Seconds())))
	d.rngs = make([]pcg, spec.Channels)
	d.errs = make([][len(fWeighted44)]float64, spec.Channels)
	d.Reset()
}

// Shaped reports whether Prepare turned noise shaping on: asked for, at
// 44.1 or 48 kHz.
func (d *Ditherer) Shaped() bool { return d.shaped }

// Reset implements dsp.Processor: it restarts every channel's noise
// sequence from the seed, clears the shaping filter and counts the input
// as silent for the auto-mute hold (leading silence is muted).
func (d *Ditherer) Reset() {
	d.zeroRun = d.hold
	for c := range d.rngs {
		// A distinct, fixed stream per channel (odd constant: the golden ratio).
		d.rngs[c] = pcg{hi: d.seed, lo: uint64(c+1) * 0x9e3779b97f4a7c15}
		d.errs[c] = [len(fWeighted44)]float64{}
	}
}

// Latency implements dsp.Processor: none.
func (d *Ditherer) Latency() int { return 0 }

// Process implements dsp.Processor: it quantises buf in place.
func (d *Ditherer) Process(buf *audio.Buffer) {
	if buf.Channels() != len(d.rngs) {
		panic(fmt.Sprintf("dither: Process with %d channels, prepared for %d", buf.Channels(), len(d.rngs)))
	}
	n := buf.Frames()
	if d.hold == 0 {
		d.dither(buf.Data, 0, n)
		return
	}
	// Cut the block into runs of frames that are all muted or all
	// dithered, and treat each run on every channel. A frame is muted when
	// the run of all-zero frames ending with it is at least hold long.
	data := buf.Data
	for i := 0; i < n; {
		if d.zeroRun >= d.hold {
			// Muted: the run lasts up to the next frame that is not zero.
			j := nextNonZero(data, i, n)
			d.mute(data, i, j)
			i = j
			if i < n {
				d.zeroRun = 0 // frame i is not zero, so dithered
			}
			continue
		}
		// Dithered up to the frame that completes hold zero frames.
		j, zr := holdEnd(data, i, n, d.zeroRun, d.hold)
		d.zeroRun = zr
		d.dither(data, i, j)
		i = j
	}
}

// holdEnd scans frames from i, counting the run of zero frames from zr on,
// and returns the frame at which the run reaches hold (or n) and the run's
// length there.
func holdEnd(data [][]float32, i, n, zr, hold int) (int, int) {
	if len(data) == 2 {
		// Stereo, the common case, without the loop over channels.
		a, b := data[0][:n], data[1][:n]
		for ; i < n; i++ {
			if (math.Float32bits(a[i])|math.Float32bits(b[i]))<<1 != 0 {
				zr = 0
			} else if zr++; zr >= hold {
				return i, zr
			}
		}
		return n, zr
	}
	for ; i < n; i++ {
		if !frameZero(data, i) {
			zr = 0
		} else if zr++; zr >= hold {
			return i, zr
		}
	}
	return n, zr
}

// frameZero reports whether frame i is exactly zero (either sign) on every
// channel.
func frameZero(data [][]float32, i int) bool {
	for _, ch := range data {
		if math.Float32bits(ch[i])<<1 != 0 {
			return false
		}
	}
	return true
}

// nextNonZero returns the first frame in [i, n) that is not zero on every
// channel, or n.
func nextNonZero(data [][]float32, i, n int) int {
	if len(data) == 2 {
		a, b := data[0][:n], data[1][:n]
		for ; i < n; i++ {
			if (math.Float32bits(a[i])|math.Float32bits(b[i]))<<1 != 0 {
				break
			}
		}
		return i
	}
	for ; i < n && frameZero(data, i); i++ {
	}
	return i
}

// mute outputs exact zeros for frames [from, to) of every channel.
func (d *Ditherer) mute(data [][]float32, from, to int) {
	if from == to {
		return
	}
	for c, ch := range data {
		// Advance the noise by the draws the frames would have had, so the
		// sequence stays aligned to the frame index whatever the muting.
		d.rngs[c].skip(to - from)
		clear(ch[from:to]) // +0 even for a −0 input
		d.errs[c] = [len(fWeighted44)]float64{}
	}
}

// dither quantises frames [from, to) of every channel.
func (d *Ditherer) dither(data [][]float32, from, to int) {
	if from == to {
		return
	}
	if d.shaped {
		for c, ch := range data {
			d.processShaped(ch[from:to], &d.rngs[c], &d.errs[c])
		}
		return
	}
	c := 0
	for ; c+1 < len(data); c += 2 {
		d.processFlat2(data[c][from:to], data[c+1][from:to], &d.rngs[c], &d.rngs[c+1])
	}
	if c < len(data) {
		d.processFlat(data[c][from:to], &d.rngs[c])
	}
}

// tpdf maps one 64-bit draw to a triangular random value in (−1, 1) LSB:
// the difference of two independent uniform values (its high and low 32
// bits), which has the same density as the sum of two ±½ LSB uniforms. The
// integer difference is exact, so this equals the difference of the two
// halves converted separately.
func tpdf(x uint64) float64 {
	return float64(int64(x>>32)-int64(x&0xffffffff)) * 0x1p-32
}

// quantiseCode returns the dithered code of v (the sample times the scale)
// as a float64 integer: floor(v + t + ½) clamped to [lo, hi]. Clamping
// before the floor gives the same code, as lo and hi are integers.
func quantiseCode(v, t, lo, hi float64) float64 {
	return math.Floor(min(max(v+t+0.5, lo), hi))
}

func (d *Ditherer) processFlat(ch []float32, rng *pcg) {
	d.processFlatGo(ch[d.flatFast(ch, rng):], rng)
}

// processFlatGo is processFlat in plain Go, sample by sample: the
// reference the kernel is held to.
func (d *Ditherer) processFlatGo(ch []float32, rng *pcg) {
	scale, inv, lo, hi := d.scale, 1/d.scale, d.minCode, d.maxCode
	r := *rng
	for i, s := range ch {
		ch[i] = float32(quantiseCode(float64(s)*scale, tpdf(r.next()), lo, hi) * inv)
	}
	*rng = r
}

// processFlat2 is processFlat over two channels at once: their generators
// are independent chains, so the processor overlaps them.
func (d *Ditherer) processFlat2(a, b []float32, ra, rb *pcg) {
	b = b[:len(a)]
	n := d.flatFast2(a, b, ra, rb)
	d.processFlat2Go(a[n:], b[n:], ra, rb)
}

// processFlat2Go is processFlat2 in plain Go, frame by frame.
func (d *Ditherer) processFlat2Go(a, b []float32, ra, rb *pcg) {
	b = b[:len(a)]
	scale, inv, lo, hi := d.scale, 1/d.scale, d.minCode, d.maxCode
	p, q := *ra, *rb
	for i := range a {
		ta, tb := tpdf(p.next()), tpdf(q.next())
		a[i] = float32(quantiseCode(float64(a[i])*scale, ta, lo, hi) * inv)
		b[i] = float32(quantiseCode(float64(b[i])*scale, tb, lo, hi) * inv)
	}
	*ra, *rb = p, q
}

func (d *Ditherer) processShaped(ch []float32, rng *pcg, e *[len(fWeighted44)]float64) {
	c := &fWeighted44
	scale, inv, lo, hi := d.scale, 1/d.scale, d.minCode, d.maxCode
	r := *rng
	// The error history lives in locals for the block (e0 newest).
	e0, e1, e2, e3, e4, e5, e6, e7, e8 := e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8]
	for i, s := range ch {
		// v = x − Σ cᵢ·e[n−i]; the error that reaches the output is then
		// (1 − H(z))·e.
		fb := ((c[0]*e0 + c[1]*e1) + (c[2]*e2 + c[3]*e3)) + ((c[4]*e4 + c[5]*e5) + (c[6]*e6 + c[7]*e7)) + c[8]*e8
		v := float64(s)*scale - fb
		y := quantiseCode(v, tpdf(r.next()), lo, hi)
		e8, e7, e6, e5, e4, e3, e2, e1 = e7, e6, e5, e4, e3, e2, e1, e0
		e0 = min(max(y-v, -errorLimit), errorLimit)
		ch[i] = float32(y * inv)
	}
	*rng = r
	*e = [len(fWeighted44)]float64{e0, e1, e2, e3, e4, e5, e6, e7, e8}
}
