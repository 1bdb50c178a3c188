package assist

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/loudness"
)

// render applies the strip at amount a: EQ gains and compressor ratio
// scaled, the gain found so that the stem ends at its scaled loudness. It
// records the decisions as they land in the session.
func (w *stemWork) render(a float64) {
	rate := w.t.Rate
	name := w.t.base()
	w.spec.EQ, w.spec.Compressor, w.spec.GainDB = nil, nil, 0
	// The notes hold the check's corrections (applyCheck), which are the
	// delivery's repair, not a decision of taste: they hold at every amount.
	w.done = append([]Decision(nil), w.notes...)
	for i, b := range w.eqFull {
		d := w.bandWhy[i]
		d.Amount = a
		b.GainDB = round(b.GainDB*a, 1)
		switch b.Type {
		case stemmaster.EQHighPass:
			b.FreqHz = round(20*math.Pow(b.FreqHz/20, a), 0)
			d.Value = fmt.Sprintf("high-pass %s", hz(b.FreqHz))
			if a == 0 {
				b.GainDB = math.NaN() // dropped below
			}
		default:
			d.Value = fmt.Sprintf("%s %s %+.1f dB Q %.2g", strings.ReplaceAll(b.Type, "_", " "), hz(b.FreqHz), b.GainDB, b.DefaultQ())
		}
		if b.GainDB == 0 && b.Type != stemmaster.EQHighPass || math.IsNaN(b.GainDB) {
			d.Path, d.Value = "eq", "off ("+d.Value+")"
			w.done = append(w.done, d)
			continue
		}
		d.Path = fmt.Sprintf("eq[%d]", len(w.spec.EQ))
		w.spec.EQ = append(w.spec.EQ, b)
		w.done = append(w.done, d)
	}
	l := w.a.IntegratedLUFS
	if math.IsInf(l, 0) || math.IsNaN(l) || a == 0 {
		w.out = w.t.Buf
		if len(w.spec.EQ) > 0 {
			w.out = processInto(w.reusableOut(), w.t.Buf, rate, 0, w.spec.EQ, nil)
		}
		w.final = l
		if w.balWhy != "" {
			w.done = append(w.done, Decision{Path: "gain_db", Kind: "balance", File: name, Amount: a, Value: "0 dB", Reason: w.balWhy})
		}
		if w.comp != nil {
			w.done = append(w.done, Decision{Path: "compressor", Kind: "dynamics", File: name, Amount: a, Value: "off", Reason: w.compWhy})
		}
		if w.deEss != nil {
			w.done = append(w.done, Decision{Path: "de_esser", Kind: "de_esser", File: name, Amount: a, Value: "off", Reason: w.deEssWhy})
		}
		if w.widthFull != 0 {
			w.done = append(w.done, Decision{Path: "width", Kind: "width", File: name, Amount: a, Value: "off", Reason: w.widthWhy})
		}
		if w.lowMono {
			w.done = append(w.done, Decision{Path: "multiband", Kind: "width", File: name, Amount: a, Value: "off", Reason: w.lowWhy})
		}
		return
	}
	w.final = l + a*(w.target-l)
	pre := w.pass(w.t.Buf, 0, w.spec.EQ, nil)
	lp := loudness.Measure(pre, float64(rate), loudness.Options{}).IntegratedLUFS
	gain := round(w.final-lp, 2)
	if math.Abs(gain) < 0.005 {
		gain = 0
	}
	if w.comp != nil {
		c := *w.comp
		c.Ratio = round(1+a*(c.Ratio-1), 2)
		c.ThresholdDB = round(w.final+compOffset(stemDynamics[w.t.Role].crestMax), 1)
		out := w.pass(w.t.Buf, gain, w.spec.EQ, &c)
		lo := loudness.Measure(out, float64(rate), loudness.Options{}).IntegratedLUFS
		c.MakeupDB = round(math.Max(0, w.final-lo), 2)
		w.spec.Compressor = &c
		w.done = append(w.done, Decision{Path: "compressor", Kind: "dynamics", File: name, Amount: a,
			Value:  fmt.Sprintf("%.2f:1 at %.1f dBFS, makeup %.1f dB", c.Ratio, c.ThresholdDB, c.MakeupDB),
			Reason: w.compWhy})
	}
	gain = w.extras(a, gain)
	w.spec.GainDB = gain
	why := w.balWhy
	if why == "" {
		why = fmt.Sprintf("keeps %s at its delivered loudness (%.1f LUFS) through its EQ and compressor", name, l)
	} else if w.comp != nil || len(w.spec.EQ) > 0 {
		why += "; the gain also makes up for the EQ and compressor"
	}
	w.done = append(w.done, Decision{Path: "gain_db", Kind: "balance", File: name, Amount: a,
		Value: fmt.Sprintf("%+.2f dB (ends at %.1f LUFS)", gain, w.final), Reason: why})
	w.out = processInto(w.reusableOut(), w.t.Buf, rate, w.spec.GainDB, w.spec.EQ, w.spec.Compressor, extras(w.spec, rate)...)
}

// pass renders the strip into the proposal's scratch buffer, for a
// measurement: the result is good until the next pass.
func (w *stemWork) pass(in *audio.Buffer, gainDB float64, eq []stemmaster.EQBand, comp *stemmaster.CompressorParams) *audio.Buffer {
	w.scratch.pass = processInto(w.scratch.pass, in, w.t.Rate, gainDB, eq, comp)
	return w.scratch.pass
}

// reusableOut is the last render's strip when a new render may write over
// it: the stem's own buffer (w.out at amount 0 without EQ) never is, and
// the rest no one holds past the render that replaces it (the masking and
// the proposed sums add it into their own buffers; the proposal's
// processed strips take the new one).
func (w *stemWork) reusableOut() *audio.Buffer {
	if w.out == w.t.Buf {
		return nil
	}
	return w.out
}

// extras sets the de-esser and width at amount a (a > 0) on the strip
// rendered with gain, EQ and compressor, and returns the gain that keeps
// the stem at its final loudness through them. The de-esser's threshold
// is read on the signal it receives; the loudness they take is made up
// where it shifts the de-esser's input and the width's alike (the
// compressor's makeup, else the gain), so the threshold moves with it.
func (w *stemWork) extras(a, gain float64) float64 {
	if w.deEss == nil && w.widthFull == 0 && !w.lowMono {
		return gain
	}
	rate := w.t.Rate
	name := w.t.base()
	pre := w.pass(w.t.Buf, gain, w.spec.EQ, w.spec.Compressor)
	w.spec.DeEsser, w.spec.Width, w.spec.Multiband = nil, nil, nil
	if w.deEss != nil {
		d := *w.deEss
		d.RangeDB = round(a*d.RangeDB, 1)
		var th float64
		th, w.scratch.band = bandThreshold(w.scratch.band, pre, rate, d.FreqHz)
		d.ThresholdDB = round(th, 1)
		if d.RangeDB > 0 {
			w.spec.DeEsser = &d
		}
	}
	if w.widthFull != 0 {
		if v := round(math.Pow(w.widthFull, a), 2); v != 1 {
			w.spec.Width = &v
		}
	}
	if w.lowMono {
		if v := round(1-a, 2); v != 1 {
			w.spec.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{lowMonoHz}, Bands: []stemmaster.MultibandBand{{Width: &v}, {}}}
		}
	}
	out := processInto(pre, pre, rate, 0, nil, nil, extras(w.spec, rate)...)
	lo := loudness.Measure(out, float64(rate), loudness.Options{}).IntegratedLUFS
	if delta := round(w.final-lo, 2); delta != 0 && !math.IsNaN(delta) && !math.IsInf(delta, 0) {
		if c := w.spec.Compressor; c != nil {
			c.MakeupDB = round(c.MakeupDB+delta, 2)
		} else {
			gain = round(gain+delta, 2)
		}
		if d := w.spec.DeEsser; d != nil {
			d.ThresholdDB = round(d.ThresholdDB+delta, 1)
		}
	}
	if w.deEss != nil {
		dd := Decision{Path: "de_esser", Kind: "de_esser", File: name, Amount: a, Reason: w.deEssWhy, Value: "off"}
		if d := w.spec.DeEsser; d != nil {
			dd.Value = fmt.Sprintf("from %s, %.1f dB above %.1f dBFS", hz(d.FreqHz), d.RangeDB, d.ThresholdDB)
		}
		w.done = append(w.done, dd)
	}
	if w.lowMono {
		dd := Decision{Path: "multiband", Kind: "width", File: name, Amount: a, Reason: w.lowWhy, Value: "off"}
		if mb := w.spec.Multiband; mb != nil {
			dd.Value = fmt.Sprintf("width %.2f under %g Hz", *mb.Bands[0].Width, lowMonoHz)
		}
		w.done = append(w.done, dd)
	}
	if w.widthFull != 0 {
		dd := Decision{Path: "width", Kind: "width", File: name, Amount: a, Reason: w.widthWhy, Value: "off"}
		if v := w.spec.Width; v != nil {
			dd.Value = fmt.Sprintf("%.2f", *v)
		}
		w.done = append(w.done, dd)
	}
	return gain
}

// bandThreshold returns the de-esser threshold for a strip's output: the
// deEssPercentile point of its 20 ms frames' peaks above freq (a 4th-order
// high-pass standing in for the de-esser's split), over the frames within
// 60 dB of the loudest, bounded to the session's −80 … 0 dBFS. The band
// is rendered into scratch (processInto), returned for the next call.
func bandThreshold(scratch, b *audio.Buffer, rate int, freq float64) (float64, *audio.Buffer) {
	hp := stemmaster.EQBand{Type: stemmaster.EQHighPass, FreqHz: freq, Q: 0.7071}
	band := processInto(scratch, b, rate, 0, []stemmaster.EQBand{hp, hp}, nil)
	n := rate / 50
	var peaks []float64
	for s := 0; s+n <= band.Frames(); s += n {
		var pk float32
		for c := range 2 {
			for _, v := range band.Data[c][s : s+n] {
				pk = max(pk, v, -v)
			}
		}
		if pk > 0 {
			peaks = append(peaks, 20*math.Log10(float64(pk)))
		}
	}
	if len(peaks) == 0 {
		return -80, band
	}
	slices.Sort(peaks)
	top := peaks[len(peaks)-1]
	i := sort.SearchFloat64s(peaks, top-60)
	act := peaks[i:]
	return math.Max(-80, math.Min(0, act[min(len(act)-1, int(deEssPercentile*float64(len(act))))])), band
}
