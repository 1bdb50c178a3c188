package multiband

import "stemmaster/dsp/envelope"

// laneGroup steps the detectors of the bands whose dynamics run together
// (envelope.Lanes, one band per vector lane) where their runs agree (the
// bands' attack times give the same run): each band's envelope is a
// recursion bound by its latency, so four of them side by side cost about
// what one does alone. Each band gets the bits of its own detector.
type laneGroup struct {
	lanes   envelope.Lanes
	ctl     []*envelope.ControlRate
	det     [][][]float64
	g       [][]float64
	band    []int // the band of each lane
	control func(lane int, peak float64) float64
}

func newLaneGroup(m *Processor) laneGroup {
	n := min(len(m.bands), envelope.MaxLanes)
	l := laneGroup{
		ctl: make([]*envelope.ControlRate, 0, n), det: make([][][]float64, 0, n),
		g: make([][]float64, 0, n), band: make([]int, 0, n),
	}
	l.control = func(lane int, peak float64) float64 { return m.bands[m.lanes.band[lane]].control(peak) }
	return l
}

// detect runs the detectors of the bands on k frames of their band
// signals (key: the key's bands), writing each band's gains: the bands
// whose dynamics run stepped together where they can, alone otherwise.
func (m *Processor) detect(key bool, k int) {
	l := &m.lanes
	l.ctl, l.det, l.g, l.band = l.ctl[:0], l.det[:0], l.g[:0], l.band[:0]
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
	}
	if len(l.band) >= 2 && envelope.SameRun(l.ctl) {
		l.lanes.Process(l.ctl, l.det, l.g, l.control)
		return
	}
	for j, bi := range l.band {
		m.bands[bi].dynamics(l.det[j], k)
	}
}
