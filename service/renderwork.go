package service

import (
	"stemmaster"
	"stemmaster/store"
)

// BusWork is what one version's master bus weighs in a render's work
// against one stem's strip: the bus runs the master chain, measures the
// loudness and true peak of every gain the render tries, and its
// true-peak limiter detects at 4× the rate; a strip is one pass of its
// EQ and dynamics (nothing at all at unity).
const BusWork = 8

// DefaultRenderWork is the work budget of one render (RenderWork.Units):
// a 10-minute song at 192 kHz with 16 stems and all four versions, or a
// 20-minute one at 96 kHz, and every song of the usual lengths at those
// rates and below, fit; a 20-minute song at 384 kHz with 16 stems (3.7 GB
// of master bus and about half an hour of CPU) does not.
const DefaultRenderWork = 10 * (192_000 / 48_000) * (16 + BusWork*4)

// RenderWork is a render's estimated work, in stem-minutes at 48 kHz:
// the song's minutes, times its rate over 48 kHz, times its stems plus
// BusWork for each version it renders. Memory (the master bus, 8 bytes a
// frame) grows with the same minutes and rate.
type RenderWork struct {
	Minutes  float64 // the song's length, its longest stem's with its offset
	Rate     int     // the rate it renders at: its stems' highest
	Stems    int     // stems the render reads (a stereo master: 1)
	Versions int     // versions it renders (main, instrumental…)
	Units    float64 // the work: Minutes × Rate/48 kHz × (Stems + BusWork × Versions)
}

// RenderWork estimates the work of a render of sess over fs from the
// files' stored infos, before any of them is read.
func (fs Files) RenderWork(sess *stemmaster.Session) RenderWork {
	infos := map[string]FileInfo{}
	mix := ""
	for _, f := range fs {
		infos[f.Name] = DecodeFileInfo(f)
		if f.Kind == store.KindMix {
			mix = f.Name
		}
	}
	stems := sess.Stems
	if len(stems) == 0 && mix != "" {
		stems = []stemmaster.StemSpec{{File: mix}} // a stereo master
	}
	var w RenderWork
	for _, st := range stems {
		if fi, ok := infos[st.File]; ok && fi.SampleRate > 0 {
			w.Rate = max(w.Rate, fi.SampleRate)
			w.Stems++
		}
	}
	if w.Rate == 0 {
		return w
	}
	var frames int64
	for _, st := range stems {
		fi, ok := infos[st.File]
		if !ok || fi.SampleRate <= 0 {
			continue
		}
		// A stem at a lower rate is resampled up to the song's.
		n := max(fi.Frames, 0) * int64(w.Rate) / int64(fi.SampleRate)
		frames = max(frames, n+max(st.OffsetSamples, 0))
	}
	w.Versions = max(len(sess.Versions), 1)
	w.Minutes = float64(frames) / float64(w.Rate) / 60
	w.Units = w.Minutes * float64(w.Rate) / 48_000 * float64(w.Stems+BusWork*w.Versions)
	return w
}
