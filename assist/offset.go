package assist

import (
	"fmt"
	"path/filepath"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// The check is the one measurement of where a stem plays against the mix,
// of its polarity, its channels and its sample rate: the proposal reads its
// findings through analysis.Resolve (the rule the page's ✓, the render
// gate and report.json read) and measures none of them again, so that a
// borderline lag cannot come out one sample apart in `check` and `assist`.

// applyCheck writes into each stem's session fields the corrections the
// check's findings name for it (an offset, a polarity of the stem or of
// one channel, exchanged channels, a sample-rate conversion; a gain is the
// balance's to decide), and makes them on the track the proposal analyses,
// as master makes them when it reads the stem. It returns how many frames
// late every stem plays against the mix when the check finds the mix
// itself shifted against stems aligned with each other (an offset finding
// on the mix, which no stem's offset corrects), for the balance's fit.
func applyCheck(work []*stemWork, rep *stemmaster.CheckReport, mix *Track) (mixLag int) {
	if rep == nil {
		return 0
	}
	s := &stemmaster.Session{Stems: make([]stemmaster.StemSpec, len(work))}
	byStrip := map[*stemmaster.StemSpec]*stemWork{}
	for i, w := range work {
		s.Stems[i] = w.spec
		byStrip[&s.Stems[i]] = w
	}
	for _, r := range analysis.Resolve(rep.Findings, s, false) {
		if mix != nil && r.Code == stemmaster.CodeOffset && r.Value != nil && filepath.Base(r.File) == mix.base() {
			mixLag = -int(*r.Value)
		}
		c := r.Correction
		if c == nil || c.Field == "gain_db" {
			continue
		}
		// Resolve matched the finding to the strips it names: correct
		// each.
		for _, st := range r.Stems {
			w := byStrip[st]
			c.Set(&w.spec)
			w.notes = append(w.notes, Decision{Path: c.Field, Kind: correctionKind(c.Field), File: w.t.base(), Amount: 1,
				Value: correctionValue(c), Reason: fmt.Sprintf("the check: %s; %s", r.Message, c.Label)})
		}
	}
	for _, w := range work {
		w.t = corrected(w.t, w.spec)
	}
	return mixLag
}

// correctionKind is the decision kind of a correction's field.
func correctionKind(field string) string {
	switch field {
	case "offset_samples":
		return "offset"
	case "polarity", "swap_channels":
		return "polarity"
	}
	return "note"
}

// correctionValue is the session value a correction writes, as the
// decision shows it.
func correctionValue(c *analysis.Correction) string {
	switch {
	case c.Setting != "":
		return c.Setting
	case c.Field == "swap_channels" || c.Field == "resample":
		return "true"
	}
	return fmt.Sprint(c.Value)
}

// corrected returns t as master reads it with st's offset, polarity and
// channel swap (each file channel's sign applied, then the channels
// exchanged, as the engine folds them), over t's own frames: an offset
// moves the stem within them (an excerpt keeps its window). It is t itself
// when st corrects nothing.
func corrected(t *Track, st stemmaster.StemSpec) *Track {
	l, r := st.Polarity.Signs()
	off := int(st.OffsetSamples)
	if off == 0 && l == 1 && r == 1 && !st.SwapChannels {
		return t
	}
	n := t.Buf.Frames()
	out := audio.NewBuffer(2, n)
	signs := [2]float32{float32(l), float32(r)}
	for c := range 2 {
		dst := out.Data[c]
		if st.SwapChannels {
			dst = out.Data[1-c]
		}
		for i := range dst {
			if j := i - off; j >= 0 && j < n {
				dst[i] = signs[c] * t.Buf.Data[c][j]
			}
		}
	}
	return &Track{Name: t.Name, Role: t.Role, Rate: t.Rate, Buf: out}
}
