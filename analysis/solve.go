package analysis

import (
	"math"

	"stemmaster/dsp/fir"
)

// Gram accumulates what the least-squares fit of stems to a mix needs,
// without keeping any audio: G[i][j] = Σ sᵢ·sⱼ, B[i] = Σ sᵢ·m and MM = Σ m²,
// summed over every frame and channel. For N stems it holds N² + N + 1
// float64s, whatever the length of the song.
type Gram struct {
	N  int
	G  [][]float64 // upper triangle (j ≥ i) only; read it through Correlation and Energy
	B  []float64
	MM float64

	jobs []fir.Dot4Job // AddBlock's scratch
	outs [][4]*float64
}

// NewGram returns an empty accumulator for n stems.
func NewGram(n int) *Gram {
	g := &Gram{N: n, G: make([][]float64, n), B: make([]float64, n)}
	for i := range g.G {
		g.G[i] = make([]float64, n)
	}
	return g
}

// Reset clears the sums.
func (g *Gram) Reset() {
	for _, row := range g.G {
		clear(row)
	}
	clear(g.B)
	g.MM = 0
}

// AddBlock adds one channel of one block: s[i] is stem i's samples (nil
// for a stem that is not part of the fit, or silent in this block), m the
// mix's (nil when there is no mix). The slices must have equal lengths.
// It allocates nothing once the Gram has seen a block (its jobs are kept
// as scratch).
func (g *Gram) AddBlock(s [][]float64, m []float64) { g.addBlock(s, m, nil) }

// DotMemo holds sums Σ a·b by where a and b start in memory, for a caller
// that adds blocks made of the same vectors again and again (the joint
// fit's rounds, where most stems keep their lag): vectors of one length
// that do not change while the memo is in use.
type DotMemo map[[2]*float64]float64

// AddBlockMemo is AddBlock taking each sum the memo holds from it rather
// than summing it again (the same bits), and keeping the others there.
func (g *Gram) AddBlockMemo(s [][]float64, m []float64, memo DotMemo) { g.addBlock(s, m, memo) }

func (g *Gram) addBlock(s [][]float64, m []float64, memo DotMemo) {
	// Each stem against every later stem and the mix, four sums per job
	// (one pass over si per four sums, the same bits as one by one), all
	// jobs run block by block (fir.DotPortable4Many).
	jobs, outs := g.jobs[:0], g.outs[:0]
	for i, si := range s {
		if si == nil {
			continue
		}
		var out [4]*float64
		var bs [4][]float64
		k := 0
		flush := func() {
			if k == 0 {
				return
			}
			for q := k; q < len(bs); q++ {
				bs[q] = bs[0] // padding, computed and dropped
			}
			jobs = append(jobs, fir.Dot4Job{A: si, B: bs})
			outs = append(outs, out)
			out = [4]*float64{}
			k = 0
		}
		for j := i; j <= len(s); j++ {
			b, dst := m, &g.B[i]
			if j < len(s) {
				b, dst = s[j], &g.G[i][j]
			}
			if b == nil {
				continue
			}
			if v, ok := memo[memoKey(si, b)]; ok {
				*dst += v
				continue
			}
			out[k], bs[k] = dst, b
			if k++; k == len(out) {
				flush()
			}
		}
		flush()
	}
	fir.DotPortable4Many(jobs)
	for n, o := range outs {
		for q, dst := range o {
			if dst != nil {
				*dst += jobs[n].Out[q]
				if memo != nil {
					memo[memoKey(jobs[n].A, jobs[n].B[q])] = jobs[n].Out[q]
				}
			}
		}
	}
	clear(jobs) // no references to the block's samples past the call
	g.jobs, g.outs = jobs, outs
	if m != nil {
		g.MM += fir.DotPortable(m, m)
	}
}

func memoKey(a, b []float64) [2]*float64 {
	if len(a) == 0 || len(b) == 0 {
		return [2]*float64{}
	}
	return [2]*float64{&a[0], &b[0]}
}

// Add adds o's sums (a Gram over the same stems) to g: the Gram of every
// channel is the sum of each channel's.
func (g *Gram) Add(o *Gram) {
	for i, row := range o.G {
		for j, v := range row {
			g.G[i][j] += v
		}
	}
	for i, v := range o.B {
		g.B[i] += v
	}
	g.MM += o.MM
}

// sym returns G[i][j] from the upper triangle.
func (g *Gram) sym(i, j int) float64 {
	if i > j {
		i, j = j, i
	}
	return g.G[i][j]
}

// Correlation returns the normalised correlation Gᵢⱼ/√(Gᵢᵢ·Gⱼⱼ) of stems
// i and j, or 0 when either is silent.
func (g *Gram) Correlation(i, j int) float64 {
	d := g.sym(i, i) * g.sym(j, j)
	if d <= 0 {
		return 0
	}
	return g.sym(i, j) / math.Sqrt(d)
}

// Energy returns Σ sᵢ².
func (g *Gram) Energy(i int) float64 { return g.sym(i, i) }

// Fit is the least-squares solution of mix ≈ Σ gᵢ·sᵢ.
type Fit struct {
	// Gains are the solved linear gains (negative: inverted polarity);
	// 0 for stems left out of the fit.
	Gains []float64
	// ResidualEnergy is ‖m − Σ gᵢ·sᵢ‖² = Σm² − 2gᵀb + gᵀGg, never below 0.
	ResidualEnergy float64
	// MixEnergy is Σm².
	MixEnergy float64
}

// ResidualDB is the residual energy relative to the mix's, in dB
// (−Inf for a perfect null, NaN for a silent mix).
func (f Fit) ResidualDB() float64 {
	if f.MixEnergy <= 0 {
		return math.NaN()
	}
	return 10 * math.Log10(f.ResidualEnergy/f.MixEnergy)
}

// Solve fits the stems marked in use (nil: all) to the mix. The system is
// equilibrated (scaled to a unit diagonal) and solved by Cholesky
// factorisation with a ridge of 1e-12 on the diagonal, which only matters
// for near-duplicate stems — leave duplicates out of use, or their gains
// split between them. Stems with zero energy are left out.
func (g *Gram) Solve(use []bool) Fit {
	var idx []int
	for i := 0; i < g.N; i++ {
		if (use == nil || use[i]) && g.sym(i, i) > 0 {
			idx = append(idx, i)
		}
	}
	k := len(idx)
	scale := make([]float64, k)
	a := make([][]float64, k)
	rhs := make([]float64, k)
	for p, i := range idx {
		scale[p] = 1 / math.Sqrt(g.sym(i, i))
	}
	for p, i := range idx {
		a[p] = make([]float64, k)
		for q, j := range idx {
			a[p][q] = g.sym(i, j) * scale[p] * scale[q]
		}
		a[p][p] += 1e-12
		rhs[p] = g.B[i] * scale[p]
	}
	x := choleskySolve(a, rhs)
	fit := Fit{Gains: make([]float64, g.N), MixEnergy: g.MM}
	for p, i := range idx {
		fit.Gains[i] = x[p] * scale[p]
	}
	fit.ResidualEnergy = g.ResidualEnergy(fit.Gains)
	return fit
}

// ResidualEnergy returns Σm² − 2gᵀb + gᵀGg for any gains (for instance all
// ones: the plain sum as delivered), clamped at 0.
func (g *Gram) ResidualEnergy(gains []float64) float64 {
	r := g.MM
	for i, gi := range gains {
		if gi == 0 {
			continue
		}
		r -= 2 * gi * g.B[i]
		for j, gj := range gains {
			if gj != 0 {
				r += gi * gj * g.sym(i, j)
			}
		}
	}
	return max(r, 0)
}

// choleskySolve solves a·x = b for a symmetric positive-definite a, which
// it overwrites. A pivot that is not positive (a singular system) gives
// that unknown 0.
func choleskySolve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for j := 0; j < n; j++ {
		d := a[j][j]
		for k := 0; k < j; k++ {
			d -= a[j][k] * a[j][k]
		}
		if d <= 0 {
			d = math.Inf(1) // drops the unknown: its column becomes 0
		}
		a[j][j] = math.Sqrt(d)
		for i := j + 1; i < n; i++ {
			s := a[i][j]
			for k := 0; k < j; k++ {
				s -= a[i][k] * a[j][k]
			}
			a[i][j] = s / a[j][j]
		}
	}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= a[i][k] * y[k]
		}
		y[i] = s / a[i][i]
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= a[k][i] * x[k]
		}
		x[i] = s / a[i][i]
	}
	return x
}
