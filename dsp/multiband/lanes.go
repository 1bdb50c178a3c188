package multiband

import "stemmaster/dsp/envelope"

// laneGroup steps the detectors of the bands whose dynamics run together
// with their gain computers (envelope.Lanes.ProcessCurves, one band per
// vector lane, in one kernel call per chunk) where two or more run and
// their runs agree (the bands' attack times give the same run; one band
// alone runs faster on its own kernel): each band's envelope is a
// recursion bound by its latency, so four of them side by side cost about
// what one does alone, and no call is made per run. Each band gets the
// bits of its own detector and gain computer.
type laneGroup struct {
	lanes  envelope.Lanes
	ctl    []*envelope.ControlRate
	det    [][][]float64
	g      [][]float64
	band   []int // the band of each lane
	curves []*envelope.BandCurve
	st     []*envelope.CurveState
}

func newLaneGroup(m *Processor) laneGroup {
	n := min(len(m.bands), envelope.MaxLanes)
	return laneGroup{
		ctl: make([]*envelope.ControlRate, 0, n), det: make([][][]float64, 0, n), g: make([][]float64, 0, n),
		band: make([]int, 0, n), curves: make([]*envelope.BandCurve, 0, n), st: make([]*envelope.CurveState, 0, n),
	}
}

// detect runs the detectors of the bands on k frames of their band
// signals (key: the key's bands), writing each band's gains: the bands
// whose dynamics run stepped together where they can, alone otherwise.
func (m *Processor) detect(key bool, k int) {
	l := &m.lanes
	l.ctl, l.det, l.g, l.band, l.curves, l.st = l.ctl[:0], l.det[:0], l.g[:0], l.band[:0], l.curves[:0], l.st[:0]
	for bi := range m.bands {
		b := &m.bands[bi]
		det := b.x
		if key {
			det = b.kx
		}
		if b.idle() || len(l.band) == cap(l.band) || len(det) > 2 {
			b.dynamics(det, k)
			continue
		}
		l.ctl, l.det, l.g, l.band = append(l.ctl, &b.ctl), append(l.det, det), append(l.g, b.gains[:k]), append(l.band, bi)
		l.curves, l.st = append(l.curves, &b.curve), append(l.st, &b.st)
	}
	if len(l.band) >= 2 && envelope.SameRun(l.ctl) {
		l.lanes.ProcessCurves(l.ctl, l.det, l.g, l.curves, l.st)
		return
	}
	for j, bi := range l.band {
		m.bands[bi].dynamics(l.det[j], k)
	}
}
