package analysis

import (
	"math"
	"math/cmplx"

	"stemmaster/dsp/fir"

	"stemmaster/dsp/fft"
	"stemmaster/internal/safego"
)

// lagSearch is what searchLag measured.
type lagSearch struct {
	share     float64 // 1 − best residual / ‖r‖²
	best, at0 float64 // residual at the lag found and at lag 0 (NaN outside the search)
	energy    float64 // ‖r‖²
	mixEnergy float64
}

func (l lagSearch) moved(lag int) bool {
	if lag == 0 {
		return false
	}
	if math.IsNaN(l.at0) {
		return true
	}
	return l.best <= movedResidual*l.at0 && l.at0-l.best >= movedFloor*l.mixEnergy
}

// projections holds, at one lag, ⟨x_c, r_mc⟩ for each channel c of a stem
// and each channel mc of the residual, and Σx_c².
type projections struct {
	p [2][2]float64
	e [2]float64
}

// explained returns the energy of r that the stem removes with one gain
// per mix channel, its channels fed directly or exchanged.
func (pr projections) explained(stemCh, mixCh int, swapped bool) float64 {
	var out float64
	for mc := range mixCh {
		c := 0
		if stemCh == 2 {
			c = mc
			if swapped {
				c = 1 - mc
			}
		}
		if pr.e[c] > 0 {
			out += pr.p[c][mc] * pr.p[c][mc] / pr.e[c]
		}
	}
	return out
}

// best returns the larger of the direct and the exchanged layout's
// explained energy (a mono stem or mix has only the direct one).
func (pr projections) best(stemCh, mixCh int) float64 {
	v := pr.explained(stemCh, mixCh, false)
	if stemCh == 2 && mixCh == 2 {
		v = max(v, pr.explained(stemCh, mixCh, true))
	}
	return v
}

// project measures stem k's projections on r at lag. It is the search's
// hot loop, so it takes the machine's fastest dot product (fir.Dot2): the
// last bits of a projection may differ between machines, which moves a lag
// only between two that fit alike to 15 digits.
func (w *JointWindow) project(k, lag int, r [][]float64) projections {
	pr := projections{e: w.Stems[k].energies(lag, len(r[0]))}
	for c := range w.Stems[k].channels() {
		x := w.stemChannel(k, c, lag)
		if len(r) == 2 {
			pr.p[c][0], pr.p[c][1] = fir.Dot2(x, r[0], r[1])
		} else {
			pr.p[c][0] = fir.Dot(x, r[0])
		}
	}
	return pr
}

// projectRun sets ex[i] to the energy stem k explains of r at lags[i]:
// project's figures, the same bits, with each run of lags that share a
// candidate passed to fir.Dot2Shifts in one call per channel, so that the
// residual's window is read from memory once for the run rather than once
// per lag.
func (w *JointWindow) projectRun(k int, lags []int, r [][]float64, ex []float64) {
	s := &w.Stems[k]
	nc, nm := s.channels(), len(r)
	if nm != 2 {
		for i, d := range lags {
			ex[i] = w.project(k, d, r).best(nc, nm)
		}
		return
	}
	n := len(r[0])
	offs := make([]int, len(lags))
	var out [2][]float64 // per stem channel: ⟨x_c, r_0⟩, ⟨x_c, r_1⟩ per lag
	for c := range nc {
		out[c] = make([]float64, 2*len(lags))
	}
	for i := 0; i < len(lags); {
		cd := s.cand(lags[i])
		j := i
		for ; j < len(lags) && s.cand(lags[j]) == cd; j++ {
			offs[j] = lags[j] - cd.Lag0 + s.Radius
		}
		for c := range nc {
			fir.Dot2Shifts(cd.Ch[c], offs[i:j], n, r[0], r[1], out[c][2*i:2*j])
		}
		i = j
	}
	for i, d := range lags {
		pr := projections{e: s.energies(d, n)}
		for c := range nc {
			pr.p[c][0], pr.p[c][1] = out[c][2*i], out[c][2*i+1]
		}
		ex[i] = pr.best(nc, nm)
	}
}

// searchLag finds the lag of stem k within rad of lag (and within its
// excerpt) that leaves the least of r (the mix minus every other stem,
// per channel): the residual after the best gain per channel, with the
// stem's channels direct or exchanged, so that a stem with one channel
// inverted, hot, or exchanged is aligned as surely as any other.
func (w *JointWindow) searchLag(k int, r [][]float64, lag, rad int) (int, lagSearch) {
	s := &w.Stems[k]
	// The lags to try: every candidate's range in the first round, then
	// rad around the current lag within its candidate's.
	var lags []int
	if rad >= s.Radius {
		for _, cd := range s.Cands {
			for d := cd.Lag0 - s.Radius; d <= cd.Lag0+s.Radius; d++ {
				lags = append(lags, d)
			}
		}
	} else {
		cd := s.cand(lag)
		for d := max(lag-rad, cd.Lag0-s.Radius); d <= min(lag+rad, cd.Lag0+s.Radius); d++ {
			lags = append(lags, d)
		}
		// Lag 0 stays measured when it is a candidate, so that a lag
		// elsewhere is "moved" only when it fits clearly better (a
		// periodic stem fits one period away all but as well).
		if (lag-rad > 0 || lag+rad < 0) && s.cand(0) != nil {
			lags = append(lags, 0)
		}
	}
	nl := len(lags)
	ex := make([]float64, nl)
	wg := safego.Group{Stage: "analysis's lag search"}
	workers := min(2, nl)
	for wk := range workers {
		wg.Go(func() {
			lo, hi := wk*nl/workers, (wk+1)*nl/workers
			w.projectRun(k, lags[lo:hi], r, ex[lo:hi])
		})
	}
	wg.Wait()
	var rr float64
	for _, rc := range r {
		rr += fir.DotPortable(rc, rc)
	}
	out := lagSearch{at0: math.NaN(), energy: rr, best: rr}
	out.mixEnergy = w.mixEnergy
	found := lag
	for i, e := range ex {
		v := rr - e
		if lags[i] == 0 {
			out.at0 = v
		}
		if v < out.best {
			out.best, found = v, lags[i]
		}
	}
	if rr > 0 {
		out.share = 1 - max(out.best, 0)/rr
	}
	return found, out
}

// WideCandidates searches a stem against r (Residual: the window's mono
// mix minus the other stems) over a wide range of lags: x is the stem
// (mono, full rate) from frame a + c − wide on, where a is the window's
// first mix frame, so that x[t + d − c + wide] meets r[t] at lag d. Both
// are decimated by AlignDecimation and plainly cross-correlated by FFT
// (against the residual the stem's own material is all there is to match,
// so no whitening is needed); it returns up to n lags that leave the least
// of r (the largest ρ²/energy), each good to a few samples, best first.
func WideCandidates(r []float64, x []float32, c, wide, n int) []int {
	const D = AlignDecimation
	rf := make([]float32, len(r))
	for i, v := range r {
		rf[i] = float32(v)
	}
	rd := decimate(rf, D)
	xd := decimate(x, D)
	if len(xd) < len(rd) {
		return nil
	}
	span := len(xd) - len(rd)
	size := 1 << 10
	for size < len(xd)+len(rd) {
		size <<= 1
	}
	tr := fft.NewReal(size)
	seq := make([]float64, size)
	for i, v := range rd {
		seq[i] = float64(v)
	}
	R := tr.Coefficients(nil, seq)
	clear(seq)
	for i, v := range xd {
		seq[i] = float64(v)
	}
	X := tr.Coefficients(nil, seq)
	for k := range X {
		X[k] *= cmplx.Conj(R[k])
	}
	corr := tr.Sequence(nil, X) // corr[m] = Σ rd[j]·xd[j+m]
	// The energy of xd under the window at each m (sliding sum).
	pre := make([]float64, len(xd)+1)
	for i, v := range xd {
		pre[i+1] = pre[i] + float64(v)*float64(v)
	}
	score := make([]float64, span+1)
	for m := range score {
		e := pre[m+len(rd)] - pre[m]
		if e > 0 {
			score[m] = corr[m] * corr[m] / e
		}
	}
	var out []int
	for _, m := range topPeaks(score, n, 2*LongRadius/D) {
		out = append(out, c-wide+m*D)
	}
	return out
}
