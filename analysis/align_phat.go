package analysis

import (
	"math/cmplx"

	"stemmaster/dsp/fft"
)

// The generalized cross-correlation with phase transform (PHAT) the alignment's passes correlate with.

// phat holds the transforms of the chunks of one signal x, so that x can
// be correlated with several stretches of a reference (the exact pass's
// candidates) transforming x only once. The cross-spectrum is accumulated
// over chunks of x, each against the stretch of r it can meet, in
// transforms of fftSize.
type phat struct {
	fft   *fft.Real
	size  int
	x     []float32
	span  int
	chunk int
	X     [][]complex128
	power []float64
	seq   []float64
	R     []complex128
	cross []complex128
	rpow  []float64
}

// refSpectra is a reference's side of a correlation, kept: the transform
// of the stretch of r that each chunk of x meets, and their power summed
// over the chunks in chunk order, as correlate sums it. It depends only on
// r and on x's length and span, so every x of that length and span can be
// correlated with one refSpectra (AlignRef).
type refSpectra struct {
	R   [][]complex128
	pow []float64
	len int // len(r)
}

func newPHAT(x []float32, span int) *phat { return newPHATSize(x, span, fftSize) }

// newPHATSize is newPHAT with transforms of size points (span < size).
func newPHATSize(x []float32, span, size int) *phat {
	p := &phat{fft: fft.NewReal(size), x: x, span: span, chunk: (size - span) / 2, size: size}
	if p.chunk < 1 {
		panic("analysis: correlation span too long for the transform")
	}
	bins := size/2 + 1
	p.power = make([]float64, bins)
	p.seq = make([]float64, size)
	p.R = make([]complex128, bins)
	p.cross = make([]complex128, bins)
	p.rpow = make([]float64, bins)
	for at := 0; at < len(x); at += p.chunk {
		clear(p.seq)
		for i, v := range x[at:min(at+p.chunk, len(x))] {
			p.seq[i] = float64(v)
		}
		X := p.fft.Coefficients(nil, p.seq)
		for k, z := range X {
			p.power[k] += real(z)*real(z) + imag(z)*imag(z)
		}
		p.X = append(p.X, X)
	}
	return p
}

// correlate correlates x with r (len(r) = len(x) + span), one stretch of
// r's transformed at a time.
func (p *phat) correlate(r []float32) (c []float64, ok bool) {
	p.checkRef(len(r))
	clear(p.cross)
	clear(p.rpow)
	for j := range p.X {
		R := p.refChunk(r, j, p.R)
		p.addCross(j, R)
		addPower(p.rpow, R)
	}
	return p.weigh(p.rpow, len(r))
}

// transformRef returns r's side of a correlation with x (len(r) =
// len(x) + span), kept for correlateWith.
func (p *phat) transformRef(r []float32) *refSpectra {
	p.checkRef(len(r))
	rs := &refSpectra{pow: make([]float64, p.size/2+1), len: len(r)}
	for j := range p.X {
		R := p.refChunk(r, j, nil)
		addPower(rs.pow, R)
		rs.R = append(rs.R, R)
	}
	return rs
}

// correlateWith is correlate with r's side from transformRef (of any x of
// this one's length and span): the same bits.
func (p *phat) correlateWith(rs *refSpectra) (c []float64, ok bool) {
	p.checkRef(rs.len)
	clear(p.cross)
	for j, R := range rs.R {
		p.addCross(j, R)
	}
	return p.weigh(rs.pow, rs.len)
}

func (p *phat) checkRef(n int) {
	if n != len(p.x)+p.span {
		panic("analysis: reference of the wrong length")
	}
}

// refChunk transforms the stretch of r that chunk j of x meets, into dst
// (allocated when nil).
func (p *phat) refChunk(r []float32, j int, dst []complex128) []complex128 {
	at := j * p.chunk
	n := min(p.chunk, len(p.x)-at)
	clear(p.seq)
	for i, v := range r[at:min(at+n+p.span, len(r))] {
		p.seq[i] = float64(v)
	}
	return p.fft.Coefficients(dst, p.seq)
}

// addCross adds chunk j's cross-spectrum with R to p.cross.
func (p *phat) addCross(j int, R []complex128) {
	for k, z := range p.X[j] {
		p.cross[k] += complex(real(z), -imag(z)) * R[k]
	}
}

func addPower(pow []float64, R []complex128) {
	for k, rz := range R {
		pow[k] += real(rz)*real(rz) + imag(rz)*imag(rz)
	}
}

// weigh turns p.cross, summed over the chunks against a reference of n
// samples whose power is rpow, into the weighted phase-transform
// correlation.
func (p *phat) weigh(rpow []float64, n int) (c []float64, ok bool) {
	var mean float64
	for _, v := range p.power {
		mean += v
	}
	mean /= float64(len(p.power))
	if mean == 0 {
		return nil, false
	}
	// r's chunks are longer than x's by span: compare power per sample.
	lr := float64(len(p.x)) / float64(n)
	var wsum float64
	for k, v := range p.cross {
		mag := cmplx.Abs(v)
		if p.power[k] < bandFloor*mean || mag == 0 {
			p.cross[k] = 0
			continue
		}
		w := min(1, p.power[k]/(rpow[k]*lr))
		p.cross[k] = v * complex(w/mag, 0)
		wsum += w
	}
	if wsum == 0 {
		return nil, false
	}
	c = p.fft.Sequence(nil, p.cross)
	// An exact copy gives Σ w over the whole spectrum, about twice the half
	// spectrum the real transform keeps.
	scale := 1 / (2 * wsum)
	for i := range c[:p.span+1] {
		c[i] *= scale
	}
	return c[:p.span+1], true
}
