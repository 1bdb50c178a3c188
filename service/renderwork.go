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

// RenderBusBytes is the memory a render holds for each frame of the song
// at its rate: the engine's one stereo float32 bus of the song's length
// (the sum, then the master before gain and limiter; see package engine).
// The stems stream in blocks, the stem-aware classes spool to disk, the
// check beside the render and the deliverables stream: nothing else grows
// with the song, nor does this with its stems, versions or outputs.
const RenderBusBytes = 8

// RenderBaseBytes is a render's memory beside its bus and its inputs,
// whatever the song: `stemmaster master` peaked at 44 MB over its bus for
// a minute of one stem at 192 kHz and at 50 MB for three minutes of two
// stems and three versions with the checks (/usr/bin/time -v, maximum
// resident set size less 8 bytes a frame); 64 MiB holds both with a
// margin.
const RenderBaseBytes = 64 << 20

// RenderInputBytes is what a render holds for each file it reads: the
// read-ahead of a stem read in place from S3 (store.InputReadAhead) and
// its decoder's and strip's blocks (16 stems of 30 s at 48 kHz peaked
// 9.5 MB over one: 0.6 MB a stem; 1 MiB counted).
const RenderInputBytes = store.InputReadAhead + 1<<20

// DefaultRenderMemory is the memory one render may take
// (RenderWork.MemoryBytes), 2 GiB: a 20-minute song at 192 kHz (1.9 GB)
// fits, at 384 kHz (3.8 GB, which the work budget lets through for one
// stem) does not.
const DefaultRenderMemory = 2 << 30

// RenderWork is a render's estimated work, in stem-minutes at 48 kHz:
// the song's minutes, times its rate over 48 kHz, times its stems plus
// BusWork for each version it renders; and its estimated peak memory,
// which grows with the same minutes and rate (RenderBusBytes), a few MiB
// with each file read, and not with the versions.
type RenderWork struct {
	Minutes     float64 // the song's length, its longest stem's with its offset
	Rate        int     // the rate it renders at: its stems' highest
	Stems       int     // stems the render reads (a stereo master: 1)
	Versions    int     // versions it renders (main, instrumental…)
	Units       float64 // the work: Minutes × Rate/48 kHz × (Stems + BusWork × Versions)
	MemoryBytes int64   // the peak memory: RenderBaseBytes, RenderInputBytes a file read, RenderBusBytes a frame
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
	inputs := w.Stems
	if mix != "" && len(sess.Stems) > 0 {
		inputs++ // the mix, which the checks beside the render read
	}
	w.MemoryBytes = RenderBaseBytes + RenderInputBytes*int64(inputs) + RenderBusBytes*frames
	return w
}
