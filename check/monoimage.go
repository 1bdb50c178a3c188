package check

import (
	"math"

	"stemmaster/analysis"
)

// A stereo part exported as a mono stem (the track folded down in the
// export dialog) cannot sum to a stereo mix: its mid is there, at a gain
// the pan law and the fold-down set, but what differs between its
// channels is lost. The residual is then almost all side (left minus
// right), where a missing stem leaves a good part of its energy in the
// mid (real stereo material has left and right positively correlated; a
// wide reverb return about uncorrelated, half side), and it sits where
// that stem plays.
//
// monoImage measures both over 20 ms blocks: the share of the residual's
// energy that is side, and for each mono stem the share of the side
// energy that lies in the blocks where the stem plays (its block energy
// within monoImageActiveDB of its loudest block). Level correlations would
// not do: a stereo part's side and its fold-down trade energy as its
// channels drift in and out of phase (a chorus, a detuned voice).
type monoImage struct {
	block int
	mono  []int // indices (into the sum) of the mono stems in the fit
	n     int   // frames in the block being filled
	side  float64
	mid   float64
	stem  []float64 // per mono stem: its energy in the block being filled
	// per block: the residual's side energy, and each mono stem's energy
	sides      []float64
	stems      [][]float64
	totS, totM float64
}

// MonoImageMinSideShare and MonoImageMinPresence are where a residual
// reads as a stereo part delivered in mono: nearly all side, and nearly
// all of it where that stem plays.
const (
	MonoImageMinSideShare = 0.8
	MonoImageMinPresence  = 0.9
	monoImageActiveDB     = -50.0
)

func newMonoImage(rate int, mono []int) *monoImage {
	return &monoImage{block: max(int(math.Round(analysis.BusGainBlockSeconds*float64(rate))), 1), mono: mono,
		stem: make([]float64, len(mono)), stems: make([][]float64, len(mono))}
}

// add takes frames of the loaded block: the residual of each channel
// (left, right) and the summer whose mono stems it reads.
func (mi *monoImage) add(sm *summer, resL, resR []float64, i0 int) {
	for i := range resL {
		s, m := (resL[i]-resR[i])/2, (resL[i]+resR[i])/2
		mi.side += s * s
		mi.mid += m * m
		for j, k := range mi.mono {
			v := sm.Conv[k][0][i0+i]
			mi.stem[j] += v * v
		}
		if mi.n++; mi.n == mi.block {
			mi.endBlock()
		}
	}
}

func (mi *monoImage) endBlock() {
	mi.totS += mi.side
	mi.totM += mi.mid
	mi.sides = append(mi.sides, mi.side)
	for j, e := range mi.stem {
		mi.stems[j] = append(mi.stems[j], e)
		mi.stem[j] = 0
	}
	mi.n, mi.side, mi.mid = 0, 0, 0
}

// found returns the index (into the sum) of the mono stem the residual
// belongs to, or −1: the one holding the most of the side energy where it
// plays, when that is at least MonoImageMinPresence.
func (mi *monoImage) found() int {
	if mi.n > 0 {
		mi.endBlock()
	}
	if mi.totS <= 0 || mi.totS/(mi.totS+mi.totM) < MonoImageMinSideShare {
		return -1
	}
	best, bestShare := -1, MonoImageMinPresence
	for j, es := range mi.stems {
		var peak float64
		for _, e := range es {
			peak = max(peak, e)
		}
		floor := peak * math.Pow(10, monoImageActiveDB/10)
		var in float64
		for b, e := range es {
			if e > floor {
				in += mi.sides[b]
			}
		}
		if share := in / mi.totS; peak > 0 && share >= bestShare {
			best, bestShare = mi.mono[j], share
		}
	}
	return best
}
