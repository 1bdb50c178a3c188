package engine

import (
	"fmt"

	"stemmaster"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dyneq"
	"stemmaster/dsp/multiband"
	"stemmaster/dsp/saturate"
)

// The mastering engineer's processors beyond EQ and compressor
// (session_chain.go): mid/side EQ bands and compressors, and per stem
// de-esser → dynamic EQ → multiband → width, on the master multiband →
// width → saturation, all before the gain and the limiter.

func stereoSpec(rate float64) dsp.Spec {
	return dsp.Spec{SampleRate: rate, MaxBlockSize: maxBlock(rate), Channels: busChannels}
}

// onChannel prepares p for the stereo pair, or wraps it to work on the mid
// or the side (then p is prepared for one channel by the wrapper).
func onChannel(p dsp.Processor, channel string, rate float64) dsp.Processor {
	if channel == stemmaster.ChannelMid || channel == stemmaster.ChannelSide {
		p = dsp.NewMidSide(p, channel)
	}
	p.Prepare(stereoSpec(rate))
	return p
}

// newEQChain builds the EQ for session bands: runs of consecutive bands on
// the same channel become one equaliser, on the stereo pair or wrapped to
// work on the mid or side. With fuse, a stereo run followed by a run on the
// mid or side is one biquad.StereoMidSide (the same bits, the mid/side
// band's recursion overlapped with the stereo bands').
func newEQChain(bands []stemmaster.EQBand, rate float64, fuse bool) ([]dsp.Processor, error) {
	type run struct {
		channel string
		bands   []biquad.Band
	}
	var runs []run
	for i, b := range bands {
		ch := b.Channel
		if ch == stemmaster.ChannelStereo {
			ch = ""
		}
		bb := EQBand(b)
		if err := bb.Validate(rate); err != nil {
			return nil, fmt.Errorf("eq[%d]: %w", i, err)
		}
		if len(runs) == 0 || runs[len(runs)-1].channel != ch {
			runs = append(runs, run{channel: ch})
		}
		runs[len(runs)-1].bands = append(runs[len(runs)-1].bands, bb)
	}
	var out []dsp.Processor
	for i := 0; i < len(runs); i++ {
		if r := runs[i]; fuse && r.channel == "" && i+1 < len(runs) {
			p := biquad.NewStereoMidSide(r.bands, runs[i+1].bands, runs[i+1].channel)
			p.Prepare(stereoSpec(rate))
			out = append(out, p)
			i++
			continue
		}
		out = append(out, onChannel(biquad.NewEQ(runs[i].bands...), runs[i].channel, rate))
	}
	return out, nil
}

func newMultiband(m stemmaster.MultibandParams, rate float64) (dsp.Processor, error) {
	p := multiband.Params{CrossoversHz: m.CrossoversHz}
	for _, b := range m.Bands {
		p.Bands = append(p.Bands, multiband.Band{
			ThresholdDB: b.ThresholdDB, Ratio: b.Ratio, KneeDB: b.KneeDB, AttackMS: b.AttackMS, ReleaseMS: b.ReleaseMS,
			MakeupDB: b.MakeupDB, ExpandThresholdDB: b.ExpandThresholdDB, ExpandRatio: b.ExpandRatio, RangeDB: b.RangeDB,
			Width: b.BandWidth(),
		})
	}
	if err := p.Validate(rate); err != nil {
		return nil, fmt.Errorf("multiband: %w", err)
	}
	mb := multiband.New(p)
	mb.Prepare(stereoSpec(rate))
	return mb, nil
}

func newWidth(w float64, rate float64) (dsp.Processor, error) {
	p, err := dsp.NewWidth(w)
	if err != nil {
		return nil, err
	}
	p.Prepare(stereoSpec(rate))
	return p, nil
}

// stemExtras builds a stem's de-esser, dynamic EQ, multiband and width.
func stemExtras(sp stemmaster.StemSpec, rate float64) ([]dsp.Processor, error) {
	var out []dsp.Processor
	if d := sp.DeEsser; d != nil {
		p := dyneq.DeEsser(d.FreqHz, d.ThresholdDB, d.RangeDB)
		p.Listen = d.Listen
		if err := p.ValidateDeEsser(rate); err != nil {
			return nil, fmt.Errorf("de_esser: %w", err)
		}
		out = append(out, onChannel(dyneq.New(p), "", rate))
	}
	for i, b := range sp.DynamicEQ {
		p := dyneq.Params{Mode: dyneq.ModeBell, FreqHz: b.FreqHz, Q: b.Q, ThresholdDB: b.ThresholdDB, Ratio: b.Ratio,
			RangeDB: b.RangeDB, AttackMS: b.AttackMS, ReleaseMS: b.ReleaseMS}
		if err := p.Validate(rate); err != nil {
			return nil, fmt.Errorf("dynamic_eq[%d]: %w", i, err)
		}
		out = append(out, onChannel(dyneq.New(p), b.Channel, rate))
	}
	return appendMultibandWidth(out, sp.Multiband, sp.Width, rate)
}

// appendMultibandWidth appends the multiband (mb, when set) and the width
// (w, when set and not 1) to out, in that order, as a strip and the master
// both run them.
func appendMultibandWidth(out []dsp.Processor, mb *stemmaster.MultibandParams, w *float64, rate float64) ([]dsp.Processor, error) {
	if mb != nil {
		p, err := newMultiband(*mb, rate)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if w != nil && *w != 1 {
		p, err := newWidth(*w, rate)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// masterExtras builds the master's multiband, width and saturation.
func masterExtras(m stemmaster.Master, rate float64) ([]dsp.Processor, error) {
	out, err := appendMultibandWidth(nil, m.Multiband, m.Width, rate)
	if err != nil {
		return nil, err
	}
	if s := m.Saturation; s != nil {
		p := saturate.Params{DriveDB: s.DriveDB, OutputDB: s.OutputDB, Character: s.Character}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("saturation: %w", err)
		}
		sat := saturate.New(p)
		sat.Prepare(stereoSpec(rate))
		out = append(out, sat)
	}
	return out, nil
}

// processorReport collects the largest gain reductions of a chain's
// de-esser, dynamic EQ bands and multiband; nil when it has none.
func processorReport(chain []dsp.Processor) *stemmaster.ProcessorReport {
	var pr stemmaster.ProcessorReport
	any := false
	for _, p := range chain {
		if ms, ok := p.(*dsp.MidSide); ok {
			p = ms.Inner()
		}
		switch q := p.(type) {
		case *dyneq.Band:
			gr := stemmaster.Level(q.MaxGRDB())
			if q.Params().Mode == dyneq.ModeSplit {
				pr.DeEsserMaxGRDB = &gr
			} else {
				pr.DynamicEQMaxGRDB = append(pr.DynamicEQMaxGRDB, gr)
			}
			any = true
		case *multiband.Processor:
			for _, v := range q.MaxGainReductionDB() {
				pr.MultibandMaxGRDB = append(pr.MultibandMaxGRDB, stemmaster.Level(v))
			}
			any = true
		}
	}
	if !any {
		return nil
	}
	return &pr
}
