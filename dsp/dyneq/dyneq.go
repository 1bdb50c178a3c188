// Package dyneq is a dynamic EQ band — a band whose gain follows a
// sidechain — and the de-esser built on it.
//
// Mode bell: the band signal b is the cookbook band-pass of 0 dB peak gain
// at FreqHz (Q) and the output y = x + (g − 1)·b, so the signal is
// untouched when the gain g is 1 and a tone at FreqHz is scaled by exactly
// g (the band-pass is 1 there, in phase).
//
// Mode split (the de-esser): an LR8 crossover (48 dB/oct Linkwitz-Riley) at
// FreqHz splits the signal into low L and high b, in phase at every
// frequency with |L| + |b| = 1, and y = L + g·b: at g = 1 the all-pass sum
// (flat magnitude), and a tone 1.8× the split frequency or more is scaled by
// g within 0.2 dB (|b| ≥ 0.99 there). A 4th-order split would leave a tone
// at 1.4× the split only 0.79 in the high band, and cut it 2.5 dB short. The detector follows |b| (linked over the
// channels) with a peak envelope (instant rise, decaying with the release
// time), the static curve cuts (level − ThresholdDB)·(1 − 1/Ratio) dB, at
// most RangeDB, and the cut is smoothed by the attack/release smoother of
// package envelope — at the control rate of package multiband: once per run
// of attack/8 samples (1 … 16) from the run's largest envelope, the gain
// ramping to it over the next run.
//
// Listen mode outputs the band signal b alone (what the detector hears);
// BlockMaxGRDB gives the cut per block for the report's gain-reduction
// picture.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package dyneq

import (
	"cmp"
	"fmt"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/internal/vec"
)

// Modes.
const (
	ModeBell  = "bell"
	ModeSplit = "split"
)

// Limits and defaults.
const (
	MaxRangeDB       = 24.0
	MaxRatio         = 100.0
	MaxTimeMS        = 5000.0
	DeEsserMinHz     = 4000.0
	DeEsserMaxHz     = 10000.0
	DefaultQ         = 2.0 // of a bell whose Q is 0
	DefaultAttackMS  = 1.0
	DefaultReleaseMS = 60.0
	processorName    = "dynamic_eq"
)

// Params set a dynamic band. Zero AttackMS, ReleaseMS and Q mean their
// defaults (1 ms, 60 ms, Q 2).
type Params struct {
	Mode        string  // bell (default) or split
	FreqHz      float64 // centre (bell) or split frequency
	Q           float64 // bell only
	ThresholdDB float64 // band level above which it is cut, dBFS (peak)
	Ratio       float64 // ≥ 1; +Inf-like 100 = the band held at the threshold
	RangeDB     float64 // largest cut, dB (> 0)
	AttackMS    float64
	ReleaseMS   float64
	Listen      bool // output the band signal alone
}

// DeEsser returns the parameters of a split-band de-esser: the band above
// freqHz (4–10 kHz) is cut by up to rangeDB when it exceeds thresholdDB.
func DeEsser(freqHz, thresholdDB, rangeDB float64) Params {
	return Params{Mode: ModeSplit, FreqHz: freqHz, ThresholdDB: thresholdDB, Ratio: 100, RangeDB: rangeDB, AttackMS: 0.5, ReleaseMS: 40}
}

// withDefaults is p with its zero fields given their defaults.
func (p Params) withDefaults() Params {
	p.Mode = cmp.Or(p.Mode, ModeBell)
	p.Q = cmp.Or(p.Q, DefaultQ)
	p.AttackMS = cmp.Or(p.AttackMS, DefaultAttackMS)
	p.ReleaseMS = cmp.Or(p.ReleaseMS, DefaultReleaseMS)
	return p
}

func paramError(name, param string, v float64, format string, args ...any) error {
	return dsp.NewParamError(name, param, v, format, args...)
}

// Validate checks p at sampleRate (0 skips the rate checks); the error is
// a *dsp.ParamError.
func (p Params) Validate(sampleRate float64) error {
	return p.validate(processorName, 20, 0, sampleRate)
}

// ValidateDeEsser is Validate with the de-esser's frequency range.
func (p Params) ValidateDeEsser(sampleRate float64) error {
	return p.validate("de_esser", DeEsserMinHz, DeEsserMaxHz, sampleRate)
}

func (p Params) validate(name string, minHz, maxHz, sampleRate float64) error {
	p = p.withDefaults()
	bad := func(v, lo, hi float64) bool { return math.IsNaN(v) || v < lo || v > hi }
	if maxHz == 0 {
		maxHz = 20000
	}
	switch {
	case p.Mode != ModeBell && p.Mode != ModeSplit:
		return paramError(name, "mode", math.NaN(), "unknown mode %q (want bell or split)", p.Mode)
	case bad(p.FreqHz, minHz, maxHz):
		return paramError(name, "freq_hz", p.FreqHz, "must be within [%g, %g] Hz", minHz, maxHz)
	case sampleRate > 0 && p.FreqHz >= 0.45*sampleRate:
		return paramError(name, "freq_hz", p.FreqHz, "at or above 0.45 × the sample rate (%g Hz)", 0.45*sampleRate)
	case bad(p.Q, 0.1, 20):
		return paramError(name, "q", p.Q, "must be within [0.1, 20]")
	case bad(p.ThresholdDB, -80, 0):
		return paramError(name, "threshold_db", p.ThresholdDB, "must be within [-80, 0] dBFS")
	case bad(p.Ratio, 1, MaxRatio):
		return paramError(name, "ratio", p.Ratio, "must be within [1, %g]", MaxRatio)
	case bad(p.RangeDB, 0, MaxRangeDB) || p.RangeDB == 0:
		return paramError(name, "range_db", p.RangeDB, "must be within (0, %g] dB", MaxRangeDB)
	case bad(p.AttackMS, 0.01, MaxTimeMS):
		return paramError(name, "attack_ms", p.AttackMS, "must be within [0.01, %g] ms", MaxTimeMS)
	case bad(p.ReleaseMS, 1, MaxTimeMS):
		return paramError(name, "release_ms", p.ReleaseMS, "must be within [1, %g] ms", MaxTimeMS)
	}
	return nil
}

// chunk is how many frames a band filters and detects at a time: the
// filters' per-call state and flushes (biquad) and the kernels' state are
// a small part of a chunk's work.
const chunk = 512

// Band is the dynamic EQ band; it implements dsp.Processor with Latency 0.
type Band struct {
	p      Params
	filter *biquad.Filter // the band (bell) or the high band (split)
	sec    biquad.Section // bell: the band-pass section (bellMono)
	low    *biquad.Filter // split: the low band
	lo     [][]float64    // split: low band per channel, chunk
	b      [][]float64    // band signal per channel, chunk
	gains  []float64
	ms     struct { // ProcessMidSide's chunk: the processed part, what its rounding lost, the other part
		x           []float32
		resid, rest []float64
	}
	smooth envelope.BlockSmoother
	run    int                  // control run (see Process), samples
	ctl    envelope.ControlRate // detector and the ramp of the gain − 1
	slope  float64
	gr     float64 // smoothed cut, dB
	// quietBelow: the envelope under which nothing is cut (see Prepare)
	quietBelow float64
	block      float64 // largest cut in the last Process
	max        float64
	kern       bellArgs // bellMono's kernel (mono.go)
}

var _ dsp.Processor = (*Band)(nil)

// New returns the band; call p.Validate first.
func New(p Params) *Band { return &Band{p: p.withDefaults()} }

// Prepare designs the filter and allocates; it panics on invalid parameters.
func (d *Band) Prepare(spec dsp.Spec) {
	if err := d.p.Validate(spec.SampleRate); err != nil {
		panic("dyneq: Prepare: " + err.Error())
	}
	fs := spec.SampleRate
	var cs biquad.Cascade
	d.low, d.lo = nil, nil
	if d.p.Mode == ModeSplit {
		cs = biquad.LinkwitzRileyHighPass(nil, fs, d.p.FreqHz, 8)
		d.low = biquad.NewFilter(spec.Channels, biquad.LinkwitzRileyLowPass(nil, fs, d.p.FreqHz, 8))
		d.lo = make([][]float64, spec.Channels)
		for c := range d.lo {
			d.lo[c] = make([]float64, chunk)
		}
	} else {
		cs = biquad.Cascade{biquad.BandPass(fs, d.p.FreqHz, d.p.Q)}
	}
	d.filter = biquad.NewFilter(spec.Channels, cs)
	d.sec = d.filter.Section(0)
	d.b = make([][]float64, spec.Channels)
	for c := range d.b {
		d.b[c] = make([]float64, chunk)
	}
	d.gains = make([]float64, chunk)
	d.ms.x, d.ms.resid, d.ms.rest = make([]float32, chunk), make([]float64, chunk), make([]float64, chunk)
	d.smooth = envelope.NewBlockSmoother(d.p.AttackMS, d.p.ReleaseMS, fs)
	d.run = envelope.Run(d.p.AttackMS, fs)
	d.ctl = envelope.NewControlRate(d.run, 1-envelope.Coef(d.p.ReleaseMS, fs))
	d.slope = 1 - 1/d.p.Ratio
	// Under the threshold (a hard knee's QuietLevel) the target is exactly
	// 0: with no cut under way the gain is exactly that of the full path,
	// 2^0 − 1 = 0.
	d.quietBelow = envelope.QuietLevel(d.p.ThresholdDB, 0, envelope.DBPerLog2)
	d.setKernel()
	d.Reset()
}

// Params returns the parameters in use (defaults filled in).
func (d *Band) Params() Params { return d.p }

// Reset clears the filter, detector and meters.
func (d *Band) Reset() {
	d.filter.Reset()
	if d.low != nil {
		d.low.Reset()
	}
	d.gr, d.block, d.max = 0, 0, 0
	d.ctl.Reset(0)
}

// Latency is 0.
func (d *Band) Latency() int { return 0 }

// BlockMaxGRDB is the largest cut (dB, ≥ 0) during the last Process.
func (d *Band) BlockMaxGRDB() float64 { return d.block }

// MaxGRDB is the largest cut since Reset.
func (d *Band) MaxGRDB() float64 { return d.max }

// control advances the cut by one run towards the target for the run's
// peak envelope and returns the band's gain − 1 for it.
func (d *Band) control(peak float64) float64 {
	gr := d.gr
	if gr == 0 && peak < d.quietBelow {
		return 0 // no cut under way, none asked for
	}
	lev := envelope.DBPerLog2 * envelope.Log2(envelope.MaxPos(peak, 1e-12))
	gr = d.smooth.Step(gr, min(d.slope*envelope.Relu(lev-d.p.ThresholdDB), d.p.RangeDB), d.run)
	d.block = max(d.block, gr)
	if gr < 1e-9 {
		gr = 0
	}
	d.gr = gr
	if gr == 0 {
		return 0
	}
	return envelope.Exp2(-gr*envelope.Log2PerDB) - 1
}

// Process applies the band in place.
func (d *Band) Process(buf *audio.Buffer) { d.process(buf, true, bellAccelerated) }

// process is Process; fuse lets a bell on one channel run bellMono (the
// same bits as the separate passes, which the tests compare), and asm lets
// the detector run in its kernel (detect).
func (d *Band) process(buf *audio.Buffer, fuse, asm bool) {
	if buf.Channels() != len(d.b) {
		panic(fmt.Sprintf("dyneq: Process of %d channels, prepared for %d", buf.Channels(), len(d.b)))
	}
	d.block = 0
	n := buf.Frames()
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		k := end - start
		if fuse && d.monoBell(len(buf.Data)) {
			d.bellMono(buf.Data[0][start:end])
			continue
		}
		for c, ch := range buf.Data {
			b := d.b[c][:k]
			biquad.Widen(b, ch[start:end])
			if d.lo != nil {
				copy(d.lo[c][:k], b)
			}
		}
		d.filter.ProcessChannels(d.b, k)
		if d.low != nil {
			d.low.ProcessChannels(d.lo, k)
		}
		g := d.gains[:k]
		// Control rate (as package multiband): the envelope follows every
		// sample, the cut is computed once per run from the run's largest
		// envelope, and the gain ramps to it over the next run.
		d.detect(g, asm)
		for c, ch := range buf.Data {
			b, x := d.b[c][:k], ch[start:end]
			switch {
			case d.p.Listen:
				biquad.Narrow(x, b)
			case d.lo != nil:
				vec.SplitOut(x, d.lo[c][:k], b, g)
			default:
				vec.BellOut(x, b, g)
			}
		}
	}
	d.max = max(d.max, d.block)
}
