package analysis

import "math"

// pairFrames cuts two streams per channel (a residual or a sum, and the
// mix) into frames of n samples that advance by half a frame, for the
// short-time spectra of BandResidual and SpectralFit. Each stream is
// padded with half a frame of silence at each end, so that under a sine
// window (sineWindow: w²(i) + w²(i + n/2) = 1) every sample weighs the
// same and, by Parseval, the energy over all bins is the signal's.
type pairFrames struct {
	n, hop  int
	pend    [][2][]float64 // per channel: the two streams not yet framed
	frame   func(a, b []float64)
	flushed bool
}

func newPairFrames(channels, n int, frame func(a, b []float64)) *pairFrames {
	f := &pairFrames{n: n, hop: n / 2, pend: make([][2][]float64, channels), frame: frame}
	for c := range f.pend {
		for k := range f.pend[c] {
			// Half a frame of silence ahead, so the first samples get
			// their full weight from the two frames over them.
			f.pend[c][k] = make([]float64, f.hop, n)
		}
	}
	return f
}

// add takes one channel's block of both streams (equal lengths). It
// allocates nothing.
func (f *pairFrames) add(ch int, a, b []float64) {
	p := &f.pend[ch]
	for len(a) > 0 {
		k := min(f.n-len(p[0]), len(a))
		p[0] = append(p[0], a[:k]...)
		p[1] = append(p[1], b[:k]...)
		a, b = a[k:], b[k:]
		if len(p[0]) == f.n {
			f.next(p)
		}
	}
}

// next hands a full frame over and moves on by a hop.
func (f *pairFrames) next(p *[2][]float64) {
	f.frame(p[0], p[1])
	for k := range p {
		p[k] = p[k][:copy(p[k], p[k][f.hop:])]
	}
}

// flush pads every channel with silence until each of its samples has
// been in two frames.
func (f *pairFrames) flush() {
	if f.flushed {
		return
	}
	f.flushed = true
	for c := range f.pend {
		p := &f.pend[c]
		for left := len(p[0]); left > 0; left -= f.hop {
			for k := range p {
				p[k] = append(p[k], make([]float64, f.n-len(p[k]))...)
			}
			f.next(p)
		}
	}
}

// sineWindow returns the n-point sine window.
func sineWindow(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Sin(math.Pi * (float64(i) + 0.5) / float64(n))
	}
	return w
}
