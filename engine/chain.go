package engine

import (
	"fmt"

	"stemmaster"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dynamics"
	"stemmaster/dsp/limiter"
)

// CompressorParams turns a session's compressor into the dynamics
// package's parameters, its defaults applied, as the render uses them.
func CompressorParams(p stemmaster.CompressorParams) dynamics.CompressorParams {
	return dynamics.CompressorParams{
		ThresholdDB: p.ThresholdDB, Ratio: p.Ratio, KneeDB: p.KneeDB,
		AttackMS: p.Attack(), ReleaseMS: p.Release(), MakeupDB: p.MakeupDB,
		SidechainHPFHz: p.SidechainHPFHz,
	}
}

// EQBand turns a session's EQ band into the biquad package's, its default
// Q applied, as the render uses it.
func EQBand(b stemmaster.EQBand) biquad.Band {
	return biquad.Band{Type: b.Type, FreqHz: b.FreqHz, GainDB: b.GainDB, Q: b.DefaultQ(), Slope: b.Slope}
}

// newCompressor builds a feed-forward compressor.
func newCompressor(p stemmaster.CompressorParams, rate float64) (dsp.Processor, error) {
	dp := CompressorParams(p)
	if err := dp.Validate(rate); err != nil {
		return nil, fmt.Errorf("compressor: %w", err)
	}
	return onChannel(dynamics.NewCompressor(dp), p.Channel, rate), nil
}

// stemChain is a stem's processors: EQ and compressor, then de-esser,
// dynamic EQ, multiband and width (stemExtras). Polarity, gain and pan are
// applied while placing the stem on the bus.
func stemChain(sp stemmaster.StemSpec, rate float64) ([]dsp.Processor, error) {
	chain, err := processors(sp.EQ, sp.Compressor, rate, true)
	if err != nil {
		return nil, err
	}
	extra, err := stemExtras(sp, rate)
	return append(chain, extra...), err
}

// masterChain is the master bus's processors before the limiter: rumble
// filter, match EQ, EQ and glue compressor, then multiband, width and
// saturation (masterExtras).
func masterChain(m stemmaster.Master, rate float64) ([]dsp.Processor, error) {
	chain, err := processors(m.EQ, m.Compressor, rate, false)
	if err != nil {
		return nil, err
	}
	if me := newMatchEQ(m.MatchEQ, rate); me != nil {
		chain = append([]dsp.Processor{me}, chain...)
	}
	if rf := newRumbleFilter(m.RumbleFilterHz, rate); rf != nil {
		chain = append([]dsp.Processor{rf}, chain...)
	}
	extra, err := masterExtras(m, rate)
	return append(chain, extra...), err
}

// processors builds the EQ and the compressor; fuseEQ lets a stereo run of
// EQ bands and a mid/side run after it be one processor (newEQChain): the
// stems' chains, not the master's, whose mid/side stages stem-aware
// limiting groups (stemaware_chains.go).
func processors(eq []stemmaster.EQBand, comp *stemmaster.CompressorParams, rate float64, fuseEQ bool) ([]dsp.Processor, error) {
	var chain []dsp.Processor
	if len(eq) > 0 {
		p, err := newEQChain(eq, rate, fuseEQ)
		if err != nil {
			return nil, err
		}
		chain = append(chain, p...)
	}
	if comp != nil {
		p, err := newCompressor(*comp, rate)
		if err != nil {
			return nil, err
		}
		chain = append(chain, p)
	}
	return chain, nil
}

// LimiterParams turns the session's limiter block and ceiling into the
// limiter package's parameters, as the render uses them.
func LimiterParams(m stemmaster.Master, ceiling float64) limiter.Params {
	return limiterParams(m, ceiling)
}

func limiterParams(m stemmaster.Master, ceiling float64) limiter.Params {
	lp := stemmaster.LimiterParams{}
	if m.Limiter != nil {
		lp = *m.Limiter
	}
	return limiter.Params{CeilingDBTP: ceiling, LookaheadMS: lp.LookaheadMS, ReleaseMS: lp.ReleaseMS, Character: lp.Character}.WithDefaults()
}

// newLimiter builds and prepares a true-peak limiter.
func newLimiter(p limiter.Params, rate float64, block int) (*limiter.TruePeakLimiter, error) {
	if err := p.Validate(); err != nil {
		return nil, err // a *limiter.ParamError, which names the limiter
	}
	l := limiter.New(p)
	l.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: block, Channels: busChannels})
	return l, nil
}

// maxBlock is the largest block any engine stage feeds a processor: a stem
// block, or one curve step (0.1 s) on the master bus.
func maxBlock(rate float64) int { return max(BlockSize, stepFrames(rate)) }

// stepFrames is the number of frames in one curve step (0.1 s).
func stepFrames(rate float64) int { return int(rate/10 + 0.5) }

// DefaultMaster is the master chain of a render without a session file: a
// gentle, transparent chain a mastering engineer would start from —
//
//   - rumble filter: a linear-phase high-pass, −6 dB at 20 Hz, 80 dB or
//     more down below 10 Hz and flat within ±0.001 dB from 30 Hz, that
//     removes DC (which only eats limiter headroom) and rumble without
//     moving the bass's phase: a minimum-phase 20 Hz 12 dB/oct high-pass
//     raised the peaks of bass-heavy mixes by 0.3–1.9 dB, headroom the
//     limiter then had to take back (TestDefaultMasterKeepsBassPeaks);
//   - glue compressor: 1.5:1 above -12 dBFS with a 6 dB soft knee, 30 ms
//     attack, 200 ms release, its detector high-passed at 100 Hz so the low
//     end does not pump the mix (1–3 dB on the peaks of a mix delivered
//     with the usual headroom);
//   - true-peak limiter: 5 ms look-ahead, 80 ms release, at the target's
//     ceiling; the target is the streaming preset (-14 LUFS, -1 dBTP).
func DefaultMaster() stemmaster.Master {
	return stemmaster.Master{
		RumbleFilterHz: 20,
		Compressor:     &stemmaster.CompressorParams{ThresholdDB: -12, Ratio: 1.5, KneeDB: 6, AttackMS: 30, ReleaseMS: 200, SidechainHPFHz: 100},
		Limiter:        &stemmaster.LimiterParams{LookaheadMS: 5, ReleaseMS: 80},
	}
}

// StereoMaster is the master chain of a stereo master (one finished mix)
// without a session of its own, in the CLI (--stereo) and on the server (a
// project's mix mastered alone): DefaultMaster without its glue
// compressor. Glue is what the sum of stems lacks and a finished mix
// already has from its mix bus; compressing it again by default changes
// the dynamics the mix engineer chose, so the limiter alone brings it to
// the target, and compression is an engineer's (or the assistant's)
// decision on hearing it.
func StereoMaster() stemmaster.Master {
	m := DefaultMaster()
	m.Compressor = nil
	return m
}
