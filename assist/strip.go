package assist

import (
	"math"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dynamics"
	"stemmaster/dsp/dyneq"
	"stemmaster/dsp/multiband"
	"stemmaster/engine"
)

const stripBlock = 4096

// process runs a buffer through gain, EQ and compressor the way the
// engine's channel strip does (gain → EQ → compressor; the same biquad and
// dynamics processors), returning a new buffer. The assistant measures
// what it proposes on this.
func process(in *audio.Buffer, rate int, gainDB float64, eq []stemmaster.EQBand, comp *stemmaster.CompressorParams, extra ...dsp.Processor) *audio.Buffer {
	return processInto(nil, in, rate, gainDB, eq, comp, extra...)
}

// processInto is process writing into dst, which it returns: dst is in
// itself (processed in place), or a buffer of in's size whose content is
// overwritten, or nil for a new one. A stem's strip is rendered several
// times to measure what it proposes (renderScratch): a buffer per pass
// would allocate the stem again for each.
func processInto(dst, in *audio.Buffer, rate int, gainDB float64, eq []stemmaster.EQBand, comp *stemmaster.CompressorParams, extra ...dsp.Processor) *audio.Buffer {
	out := dst
	switch {
	case out == in:
	case out == nil || out.Channels() != in.Channels() || out.Frames() != in.Frames():
		out = in.Clone()
	default:
		for c, ch := range in.Data {
			copy(out.Data[c], ch)
		}
	}
	spec := dsp.Spec{SampleRate: float64(rate), MaxBlockSize: stripBlock, Channels: 2}
	var chain []dsp.Processor
	if len(eq) > 0 {
		bb := make([]biquad.Band, len(eq))
		for i, b := range eq {
			bb[i] = engine.EQBand(b)
		}
		e := biquad.NewEQ(bb...)
		e.Prepare(spec)
		chain = append(chain, e)
	}
	if comp != nil {
		c := dynamics.NewCompressor(engine.CompressorParams(*comp))
		c.Prepare(spec)
		chain = append(chain, c)
	}
	chain = append(chain, extra...)
	g := float32(math.Pow(10, gainDB/20))
	n := out.Frames()
	blk := &audio.Buffer{Data: make([][]float32, 2)}
	for s := 0; s < n; s += stripBlock {
		e := min(s+stripBlock, n)
		for c := range 2 {
			blk.Data[c] = out.Data[c][s:e]
			if gainDB != 0 {
				for i := range blk.Data[c] {
					blk.Data[c][i] *= g
				}
			}
		}
		for _, p := range chain {
			p.Process(blk)
		}
	}
	return out
}

// extras builds the processors after a stem's compressor that the
// assistant sets (de-esser, a width-only multiband, width), as the engine
// orders and maps them.
func extras(sp stemmaster.StemSpec, rate int) []dsp.Processor {
	spec := dsp.Spec{SampleRate: float64(rate), MaxBlockSize: stripBlock, Channels: 2}
	var out []dsp.Processor
	if d := sp.DeEsser; d != nil {
		p := dyneq.New(dyneq.DeEsser(d.FreqHz, d.ThresholdDB, d.RangeDB))
		p.Prepare(spec)
		out = append(out, p)
	}
	if m := sp.Multiband; m != nil {
		mp := multiband.Params{CrossoversHz: m.CrossoversHz}
		for _, b := range m.Bands {
			mp.Bands = append(mp.Bands, multiband.Band{Width: b.BandWidth()})
		}
		p := multiband.New(mp)
		p.Prepare(spec)
		out = append(out, p)
	}
	if sp.Width != nil && *sp.Width != 1 {
		if p, err := dsp.NewWidth(*sp.Width); err == nil {
			p.Prepare(spec)
			out = append(out, p)
		}
	}
	return out
}

// mixInto adds b to sum (sum grows to b's length).
func mixInto(sum, b *audio.Buffer) *audio.Buffer {
	if sum == nil {
		return b.Clone()
	}
	for c := range 2 {
		if len(b.Data[c]) > len(sum.Data[c]) {
			sum.Data[c] = append(sum.Data[c], make([]float32, len(b.Data[c])-len(sum.Data[c]))...)
		}
		for i, v := range b.Data[c] {
			sum.Data[c][i] += v
		}
	}
	return sum
}
