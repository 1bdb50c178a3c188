package analysis

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"stemmaster/dsp/fir"
)

// decimatePlain is decimate written as its definition: every tap, those
// outside x counting as zero, one sum per output in tap order.
func decimatePlain(x []float32, factor int) []float32 {
	half := 4 * factor
	h, sum := fir.BlackmanSinc(half, 0.45/float64(factor))
	out := make([]float32, (len(x)+factor-1)/factor)
	for j := range out {
		var s float64
		for i, hv := range h {
			if k := j*factor + i - half; k >= 0 && k < len(x) {
				s += hv * float64(x[k])
			}
		}
		out[j] = float32(s / sum)
	}
	return out
}

// TestDecimateSameBits checks that decimate's interior loops (four outputs
// at a time, no test per tap) give the plain definition's bits, for
// lengths around the transitions between edge and interior.
func TestDecimateSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, factor := range []int{8, 16} {
		for _, n := range []int{0, 1, 7, 31, 32, 33, 64, 65, 66, 100, 129, 200, 1000, 4099} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			got, want := decimate(x, factor), decimatePlain(x, factor)
			if len(got) != len(want) {
				t.Fatalf("factor %d, n %d: %d outputs, want %d", factor, n, len(got), len(want))
			}
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("factor %d, n %d: output %d = %v, want %v", factor, n, j, got[j], want[j])
				}
			}
		}
	}
}

// TestAxpyAndEnvelopeSameBits checks axpy (a vector kernel) and
// highEnvelope (carried neighbours) against their plain loops, bit for bit.
func TestAxpyAndEnvelopeSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 3, 9, 16, 17, 1001} {
		x, d := make([]float64, n), make([]float64, n)
		xf := make([]float32, n)
		for i := range x {
			x[i], d[i], xf[i] = rng.NormFloat64(), rng.NormFloat64(), float32(rng.NormFloat64())
		}
		want := append([]float64(nil), d...)
		for i, v := range x {
			want[i] += 0.37 * v
		}
		axpy(d, 0.37, x)
		for i := range want {
			if math.Float64bits(d[i]) != math.Float64bits(want[i]) {
				t.Fatalf("axpy, n %d: element %d = %v, want %v", n, i, d[i], want[i])
			}
		}
		env := make([]float32, n)
		var mean float64
		for i := 2; i < n; i++ {
			v := xf[i] - 2*xf[i-1] + xf[i-2]
			if v < 0 {
				v = -v
			}
			env[i] = v
			mean += float64(v)
		}
		m := float32(mean / float64(max(n, 1)))
		got := highEnvelope(xf)
		for i := range env {
			if math.Float32bits(got[i]) != math.Float32bits(env[i]-m) {
				t.Fatalf("highEnvelope, n %d: element %d = %v, want %v", n, i, got[i], env[i]-m)
			}
		}
	}
}

// TestGramAddBlockAllocatesNothing: the check streams whole songs through
// AddBlock block by block.
func TestGramAddBlockAllocatesNothing(t *testing.T) {
	s := [][]float64{make([]float64, 4096), make([]float64, 4096), nil, make([]float64, 4096), make([]float64, 4096), make([]float64, 4096)}
	m := make([]float64, 4096)
	g := NewGram(len(s))
	g.AddBlock(s, m)
	if n := testing.AllocsPerRun(10, func() { g.AddBlock(s, m) }); n != 0 {
		t.Errorf("AddBlock allocates %v times per block", n)
	}
}

// TestAlignRefSameBits aligns several stems against one shared AlignRef at
// once and wants, stem for stem, the bits Align gives the stem alone: the
// shared coarse transforms and exact-pass segments are the ones each stem
// would have computed. The short excerpts (under fineSpan, where every
// stem's exact pass starts at its first sample) share segments, more of
// them than an AlignRef keeps; the long ones each start at their own
// loudest span.
func TestAlignRefSameBits(t *testing.T) {
	t.Parallel()
	const rate = 48000
	const maxLag = rate / 2
	for _, n := range []int{rate, 3 * rate} {
		lags := []int{0, 0, 0, 1, 37, -480, 4800, 0, 3, -3, 200, 0, 9000, -9000, 64, 0}
		mix := make([]float32, n+2*maxLag)
		xs := make([][]float32, len(lags))
		for k, lag := range lags {
			s := burstyNoise(uint64(k+1), n+4*maxLag, rate)
			g := float32(0.3 + 0.1*float64(k%4))
			if k%5 == 4 {
				g = -g // inverted in the mix
			}
			// x is the stem at [2·maxLag, 2·maxLag+n); the mix holds it lag
			// samples earlier.
			xs[k] = s[2*maxLag : 2*maxLag+n]
			for i := range mix {
				mix[i] += g * s[maxLag+i+lag]
			}
		}
		want := make([]Alignment, len(xs))
		for k, x := range xs {
			want[k] = Align(x, mix, maxLag)
			if want[k].Lag != lags[k] {
				t.Errorf("n %d, stem %d: Align's lag %d, want %d (%+v)", n, k, want[k].Lag, lags[k], want[k])
			}
		}
		ref := NewAlignRef(mix, maxLag)
		got := make([]Alignment, len(xs))
		var wg sync.WaitGroup
		for k, x := range xs {
			wg.Go(func() { got[k] = ref.Align(x) })
		}
		wg.Wait()
		for k := range xs {
			g, w := got[k], want[k]
			if g.Lag != w.Lag || math.Float64bits(g.Peak) != math.Float64bits(w.Peak) ||
				math.Float64bits(g.Confidence) != math.Float64bits(w.Confidence) || math.Float64bits(g.FineConfidence) != math.Float64bits(w.FineConfidence) {
				t.Errorf("n %d, stem %d: shared %+v, alone %+v", n, k, g, w)
			}
		}
		if n < fineSpan && len(ref.fine) != maxFineSegs {
			t.Errorf("n %d: %d exact-pass segments kept, want the cap %d", n, len(ref.fine), maxFineSegs)
		}
	}
}
