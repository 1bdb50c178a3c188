package assist

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"stemmaster"
	"stemmaster/dsp/lineq"
)

// curveModel predicts the smoothed third-octave spectrum a programme
// reads after the master EQ and a match curve, from the programme's
// long-term power spectrum: each band's power is the sum of its FFT bins'
// power times the curve's gain there, exactly as the analysis bins them.
// The match is solved against this model rather than point by point
// because the measured levels are smoothed over neighbouring bands and a
// steep programme slope weighs one side of a band more than the other: a
// correction at one point moves its neighbours' levels too, and a
// point-by-point correction rings between bands.
type curveModel struct {
	freqs []float64    // the match points' frequencies
	bins  [][]curveBin // per third-octave band, the bins that make it up
	half  int          // smoothing: bands averaged each side
	band  []int        // each point's third-octave band
	shape []float64    // the difference curve the curvature is taken against
}

// curveBin is one FFT bin: its power after the fixed EQ, and where it
// sits on the curve (the points j and j+1 and the weight t of j+1, in log
// frequency; held at the ends).
type curveBin struct {
	pow float64
	j   int
	t   float64
}

func newCurveModel(p *psd, preEQ []stemmaster.EQBand, freqs []float64, smoothing, rate float64) *curveModel {
	m := &curveModel{freqs: freqs, bins: make([][]curveBin, len(thirdCentres)), half: int(math.Round(smoothing * 3 / 2))}
	for _, f := range freqs {
		m.band = append(m.band, nearestBand(f))
	}
	place := func(f float64) (int, float64) {
		if f <= freqs[0] {
			return 0, 0
		}
		last := len(freqs) - 1
		if f >= freqs[last] {
			return last, 0
		}
		j := 0
		for freqs[j+1] < f {
			j++
		}
		return j, math.Log(f/freqs[j]) / math.Log(freqs[j+1]/freqs[j])
	}
	bin := func(k int, share float64) curveBin {
		f := float64(k) * p.binHz
		g := 0.0
		for _, b := range preEQ {
			g += bandDB(b, math.Min(math.Max(f, 1), rate/2*0.999), rate)
		}
		j, t := place(math.Max(f, 1))
		return curveBin{pow: (p.mid[k] + p.side[k]) * share * math.Pow(10, g/10), j: j, t: t}
	}
	for i, c := range thirdCentres {
		if c >= rate/2 {
			continue
		}
		lo, hi := c*math.Pow(2, -0.5/3), c*math.Pow(2, 0.5/3)
		// The same bins as psd.band takes.
		k0, k1 := int(math.Ceil(lo/p.binHz)), min(int(math.Floor(hi/p.binHz)), len(p.mid)-1)
		if k0 <= k1 {
			for k := k0; k <= k1; k++ {
				m.bins[i] = append(m.bins[i], bin(k, 1))
			}
			continue
		}
		k := min(int(math.Round((lo+hi)/2/p.binHz)), len(p.mid)-1)
		m.bins[i] = append(m.bins[i], bin(k, (hi-lo)/p.binHz))
	}
	return m
}

// eval returns the smoothed band levels (dB) for the point gains g and
// their derivatives d[band][point].
func (m *curveModel) eval(g []float64) (level []float64, d [][]float64) {
	n := len(thirdCentres)
	raw := make([]float64, n)
	draw := make([][]float64, n)
	for k, bs := range m.bins {
		raw[k] = math.NaN()
		var total float64
		dk := make([]float64, len(g))
		for _, b := range bs {
			gb := g[b.j]
			if b.t > 0 {
				gb += b.t * (g[b.j+1] - g[b.j])
			}
			pw := b.pow * math.Pow(10, gb/10)
			total += pw
			dk[b.j] += pw * (1 - b.t)
			if b.t > 0 {
				dk[b.j+1] += pw * b.t
			}
		}
		if total <= 1e-30 {
			continue
		}
		raw[k] = 10 * math.Log10(total)
		for j := range dk {
			dk[j] /= total // dB per dB: the band's power-weighted share of the point
		}
		draw[k] = dk
	}
	level = make([]float64, n)
	d = make([][]float64, n)
	for k := range raw {
		level[k] = math.NaN()
		var s float64
		cnt := 0
		dk := make([]float64, len(g))
		for i := max(0, k-m.half); i <= min(n-1, k+m.half); i++ {
			if math.IsNaN(raw[i]) {
				continue
			}
			s += raw[i]
			for j, v := range draw[i] {
				dk[j] += v
			}
			cnt++
		}
		if cnt == 0 {
			continue
		}
		level[k] = s / float64(cnt)
		for j := range dk {
			dk[j] /= float64(cnt)
		}
		d[k] = dk
	}
	return level, d
}

// matchCurvature weighs the match curve's second difference, taken
// against the plain difference curve's (the target less the programme's
// levels, band by band), against the band errors: the curve turns as
// sharply as the difference does (a mix that stops at 16 kHz against a
// reference that does not), and no more, so the points do not wiggle to
// chase the programme's own peaks inside the smoothing.
const matchCurvature = 1e-3

// solve returns point gains (within ±matchLimitDB, starting from g0)
// whose modelled levels follow target where weight is set, up to a
// common offset (the match is loudness-normalised). The curve is solved
// free first, then centred between its extremes so that it spends its
// ±matchLimitDB on shape; the points still beyond the limit are held
// there and the others solved again around them.
func (m *curveModel) solve(g0, target, weight []float64) []float64 {
	flat, _ := m.eval(make([]float64, len(g0)))
	shape := make([]float64, len(g0))
	for j, k := range m.band {
		shape[j] = target[k] - flat[k]
		if math.IsNaN(shape[j]) {
			shape[j] = 0
		}
	}
	m.shape = shape
	g := m.gaussNewton(g0, target, weight, nil, 3*matchLimitDB)
	lo, hi := slices.Min(g), slices.Max(g)
	fixed := make([]bool, len(g))
	any := false
	for j := range g {
		g[j] -= (lo + hi) / 2
		if math.Abs(g[j]) > matchLimitDB {
			g[j] = math.Copysign(matchLimitDB, g[j])
			fixed[j], any = true, true
		}
	}
	if any {
		g = m.gaussNewton(g, target, weight, fixed, matchLimitDB)
	}
	return g
}

// gaussNewton minimises the squared band errors (plus the curvature
// term) over the points not fixed and a common offset, each point held
// within ±limit.
func (m *curveModel) gaussNewton(g0, target, weight []float64, fixed []bool, limit float64) []float64 {
	n := len(g0)
	g := append([]float64(nil), g0...)
	for range 12 {
		level, d := m.eval(g)
		a := mat.NewSymDense(n+1, nil)
		rhs := mat.NewVecDense(n+1, nil)
		for k := range target {
			if weight[k] <= 0 || math.IsNaN(level[k]) || math.IsNaN(target[k]) {
				continue
			}
			r := target[k] - level[k]
			row := append(append([]float64(nil), d[k]...), 1) // the last unknown is the offset
			for i := range row {
				rhs.SetVec(i, rhs.AtVec(i)+row[i]*r)
				for j := i; j < len(row); j++ {
					a.SetSym(i, j, a.At(i, j)+row[i]*row[j])
				}
			}
		}
		for j := 1; j+1 < n; j++ {
			c := [3]float64{1, -2, 1}
			curv := g[j-1] - 2*g[j] + g[j+1] - (m.shape[j-1] - 2*m.shape[j] + m.shape[j+1])
			for x := range 3 {
				rhs.SetVec(j-1+x, rhs.AtVec(j-1+x)-matchCurvature*c[x]*curv)
				for y := x; y < 3; y++ {
					a.SetSym(j-1+x, j-1+y, a.At(j-1+x, j-1+y)+matchCurvature*c[x]*c[y])
				}
			}
		}
		// The curve's common level is free (the offset takes it): the
		// step keeps the mean.
		for i := range n {
			for j := i; j < n; j++ {
				a.SetSym(i, j, a.At(i, j)+1/float64(n*n))
			}
		}
		for j := range fixed {
			if !fixed[j] {
				continue
			}
			for i := range n + 1 {
				a.SetSym(i, j, 0)
			}
			a.SetSym(j, j, 1)
			rhs.SetVec(j, 0)
		}
		var step mat.VecDense
		if err := step.SolveVec(a, rhs); err != nil {
			break
		}
		moved := 0.0
		for j := range g {
			ng := math.Max(-limit, math.Min(limit, g[j]+step.AtVec(j)))
			moved = math.Max(moved, math.Abs(ng-g[j]))
			g[j] = ng
		}
		if moved < 0.005 {
			break
		}
	}
	return g
}

// fitCurve returns match-EQ points at the third-octave centres where
// weight is set whose modelled result follows target there (see
// curveModel.solve); points whose band carries no weight are left out
// (the curve interpolates over them). It returns nil for a flat curve.
func fitCurve(p *psd, preEQ []stemmaster.EQBand, target, weight []float64, smoothing, rate float64) ([]stemmaster.MatchPoint, *curveModel) {
	var freqs []float64
	for k := range target {
		if weight[k] > 0 {
			freqs = append(freqs, round(thirdCentres[k], 1))
		}
	}
	if len(freqs) == 0 {
		return nil, nil
	}
	model := newCurveModel(p, preEQ, freqs, smoothing, rate)
	g := model.solve(make([]float64, len(freqs)), target, weight)
	return matchPoints(freqs, g), model
}

// matchPoints rounds gains to 0.1 dB, nil when all are 0.
func matchPoints(freqs, g []float64) []stemmaster.MatchPoint {
	out := make([]stemmaster.MatchPoint, len(freqs))
	allZero := true
	for j := range freqs {
		out[j] = stemmaster.MatchPoint{FreqHz: freqs[j], GainDB: round(g[j], 1)}
		allZero = allZero && out[j].GainDB == 0
	}
	if allZero {
		return nil
	}
	return out
}

func linePoints(pts []stemmaster.MatchPoint) []lineq.Point {
	out := make([]lineq.Point, len(pts))
	for i, p := range pts {
		out[i] = lineq.Point{FreqHz: p.FreqHz, GainDB: p.GainDB}
	}
	return out
}

func nearestBand(f float64) int {
	best := 0
	for k, c := range thirdCentres {
		if math.Abs(math.Log(c/f)) < math.Abs(math.Log(thirdCentres[best]/f)) {
			best = k
		}
	}
	return best
}
