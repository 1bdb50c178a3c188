package dither

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/internal/audiotest"
)

func TestPCGMatchesStandardLibrary(t *testing.T) {
	t.Parallel()
	for _, seed := range [][2]uint64{{0, 0}, {1, 0x9e3779b97f4a7c15}, {^uint64(0), 12345}} {
		want := rand.NewPCG(seed[0], seed[1])
		got := pcg{hi: seed[0], lo: seed[1]}
		for i := range 100000 {
			if w, g := want.Uint64(), got.next(); w != g {
				t.Fatalf("seed %v, draw %d: %#x, math/rand/v2 %#x", seed, i, g, w)
			}
		}
		got.skip(777)
		for range 777 {
			want.Uint64()
		}
		if w, g := want.Uint64(), got.next(); w != g {
			t.Fatalf("seed %v after skip: %#x, math/rand/v2 %#x", seed, g, w)
		}
	}
}

// refDither is the ditherer written plainly, sample by sample, with
// math/rand/v2's PCG: the definition the fast paths must reproduce bit for
// bit (auto-mute, flat and shaped).
type refDither struct {
	scale, minCode, maxCode float64
	shaped                  bool
	hold, zeroRun           int
	rngs                    []*rand.PCG
	errs                    [][len(fWeighted44)]float64
}

func newRef(bits int, seed uint64, shaped bool, channels, hold int) *refDither {
	q := math.Ldexp(1, bits-1)
	r := &refDither{scale: q, minCode: -q, maxCode: q - 1, shaped: shaped, hold: hold, zeroRun: hold,
		errs: make([][len(fWeighted44)]float64, channels)}
	for c := range channels {
		r.rngs = append(r.rngs, rand.NewPCG(seed, uint64(c+1)*0x9e3779b97f4a7c15))
	}
	return r
}

func (r *refDither) process(data [][]float32) {
	for i := range data[0] {
		zero := true
		for _, ch := range data {
			zero = zero && ch[i] == 0
		}
		if zero {
			r.zeroRun = min(r.zeroRun+1, r.hold)
		} else {
			r.zeroRun = 0
		}
		muted := r.hold > 0 && r.zeroRun >= r.hold
		for c, ch := range data {
			x := r.rngs[c].Uint64()
			if muted {
				ch[i] = 0
				r.errs[c] = [len(fWeighted44)]float64{}
				continue
			}
			tp := (float64(x>>32) - float64(x&0xffffffff)) * 0x1p-32
			e := &r.errs[c]
			var fb float64
			if r.shaped {
				k := &fWeighted44
				fb = ((k[0]*e[0] + k[1]*e[1]) + (k[2]*e[2] + k[3]*e[3])) + ((k[4]*e[4] + k[5]*e[5]) + (k[6]*e[6] + k[7]*e[7])) + k[8]*e[8]
			}
			v := float64(ch[i])*r.scale - fb
			y := math.Floor(v + tp + 0.5)
			y = min(max(y, r.minCode), r.maxCode)
			if r.shaped {
				copy(e[1:], e[:8])
				e[0] = min(max(y-v, -errorLimit), errorLimit)
			}
			ch[i] = float32(y / r.scale)
		}
	}
}

// TestMatchesReference pins the ditherer's output to refDither bit for bit
// on music-like noise with clipping, digital silence of several lengths
// and -0, in odd block sizes, for 1 to 3 channels, flat and shaped.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	for _, shaped := range []bool{false, true} {
		for _, channels := range []int{1, 2, 3} {
			for _, hold := range []int{0, 48} {
				src := audiotest.WhiteNoise(5, channels, 20000, 3) // peaks over full scale
				for c := range src.Data {
					for _, run := range [][2]int{{0, 100}, {3000, 3030}, {5000, 5200}, {9000, 9048}, {15000, 20000}} {
						for i := run[0]; i < run[1]; i++ {
							src.Data[c][i] = float32(math.Copysign(0, float64(i%2*2-1)))
						}
					}
					src.Data[c][7000] = float32(math.Inf(1))
				}
				d := prepared(t, 16, 77, shaped, 48000, channels)
				setHold(d, hold)
				got := processBlocks(d, src, []int{1, 17, 4096, 333, 1000})
				want := src.Clone()
				newRef(16, 77, shaped, channels, hold).process(want.Data)
				for c := range want.Data {
					for i, w := range want.Data[c] {
						if g := got.Data[c][i]; math.Float32bits(g) != math.Float32bits(w) {
							t.Fatalf("shaped=%v channels=%d hold=%d: channel %d frame %d = %v, reference %v", shaped, channels, hold, c, i, g, w)
						}
					}
				}
			}
		}
	}
}
