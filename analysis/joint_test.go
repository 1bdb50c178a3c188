package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// song returns four stereo stems of n frames at rate: a sub bass, a pad
// (slow chords, wide), drum hits and a lead, generated from seed.
func song(seed uint64, n, rate int) [][][]float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	stems := make([][][]float64, 4)
	for k := range stems {
		stems[k] = [][]float64{make([]float64, n), make([]float64, n)}
	}
	var lp [2]float64
	for i := range n {
		t := float64(i) / float64(rate)
		bar := math.Mod(t, 2)
		// Sub bass: 41 → 55 Hz notes, smooth envelope, mono.
		f := 41.2
		if bar >= 1 {
			f = 55
		}
		b := 0.3 * math.Sin(2*math.Pi*f*t) * (0.6 + 0.4*math.Cos(math.Pi*bar))
		stems[0][0][i], stems[0][1][i] = b, b
		// Pad: three slow sines per channel, detuned between channels.
		for c := range 2 {
			d := 1 + 0.003*float64(c)
			stems[1][c][i] = 0.05 * (math.Sin(2*math.Pi*220*d*t) + math.Sin(2*math.Pi*277.2*d*t+1) + math.Sin(2*math.Pi*329.6*d*t+2))
		}
		// Drums: a noise burst every 0.5 s.
		env := math.Exp(-math.Mod(t, 0.5) * 30)
		for c := range 2 {
			lp[c] = 0.7*lp[c] + 0.3*rng.NormFloat64()
			stems[2][c][i] = 0.3 * env * lp[c]
		}
		// Lead: a vibrato tone with harmonics, panned left.
		ph := 2 * math.Pi * (440*t + 3*math.Sin(2*math.Pi*5*t))
		l := 0.1 * (math.Sin(ph) + 0.5*math.Sin(2*ph) + 0.25*math.Sin(3*ph)) * (0.5 + 0.5*math.Sin(2*math.Pi*0.7*t))
		stems[3][0][i], stems[3][1][i] = l, 0.5*l
	}
	return stems
}

// window builds a JointWindow over mix frames a … a+w−1 from stems as
// delivered and the mix.
func window(stems [][][]float64, mix [][]float64, a, w, radius int, lag0 []int) *JointWindow {
	jw := &JointWindow{Mix: [][]float64{mix[0][a : a+w], mix[1][a : a+w]}, MonoGain: math.Sqrt(0.5)}
	for k, s := range stems {
		js := JointStem{Radius: radius, Active: true, Cands: []JointCand{{Lag0: lag0[k]}}}
		for _, ch := range s {
			ex := make([]float64, w+2*radius)
			for i := range ex {
				if f := a + lag0[k] - radius + i; f >= 0 && f < len(ch) {
					ex[i] = ch[f]
				}
			}
			js.Cands[0].Ch = append(js.Cands[0].Ch, ex)
		}
		jw.Stems = append(jw.Stems, js)
	}
	return jw
}

func shift(x []float64, d int) []float64 {
	out := make([]float64, len(x))
	for i := range out {
		if j := i - d; j >= 0 && j < len(x) {
			out[i] = x[j]
		}
	}
	return out
}

// TestJointWindow offsets, swaps and inverts stems of a generated song
// and checks that the joint fit finds exactly that, and nothing on the
// clean song.
func TestJointWindow(t *testing.T) {
	t.Parallel()
	const rate, n = 48000, 48000 * 4
	base := song(3, n, rate)
	tests := []struct {
		name     string
		lags     [4]int
		swap     int // stem with exchanged channels, or -1
		invert   int // stem whose right channel is inverted, or -1
		gain     [4]float64
		polarity int        // stem inverted as a whole, or -1
		leftDB   [4]float64 // gain on the left channel only
	}{
		{name: "clean", swap: -1, invert: -1, polarity: -1},
		{name: "bass 1 late", lags: [4]int{1, 0, 0, 0}, swap: -1, invert: -1, polarity: -1},
		{name: "pad 2 early", lags: [4]int{0, -2, 0, 0}, swap: -1, invert: -1, polarity: -1},
		{name: "drums 64, pad 37", lags: [4]int{0, 37, 64, 0}, swap: -1, invert: -1, polarity: -1},
		{name: "three at once", lags: [4]int{-1, 2, 0, 1000}, swap: -1, invert: -1, polarity: -1},
		{name: "lead swapped", swap: 3, invert: -1, polarity: -1},
		{name: "drums right inverted", swap: -1, invert: 2, polarity: -1},
		{name: "pad inverted, +6 dB bass", swap: -1, invert: -1, polarity: 1, gain: [4]float64{6, 0, 0, 0}},
		// The lead is one source panned (R = L/2): its channels fit the
		// mix either way round with a gain each, and with R inverted its
		// mono fold-down keeps a third of its level.
		{name: "lead right inverted", swap: -1, invert: 3, polarity: -1},
		{name: "drums left +6 dB, lead left -4 dB", swap: -1, invert: -1, polarity: -1, leftDB: [4]float64{0, 0, 6, -4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mix := [][]float64{make([]float64, n), make([]float64, n)}
			delivered := make([][][]float64, 4)
			for k, s := range base {
				for c := range 2 {
					for i, v := range s[c] {
						mix[c][i] += v
					}
				}
				g := math.Pow(10, tc.gain[k]/20)
				d := make([][]float64, 2)
				for c := range 2 {
					src := c
					if k == tc.swap {
						src = 1 - c
					}
					d[c] = shift(s[src], tc.lags[k])
					sg := g
					if k == tc.invert && c == 1 || k == tc.polarity {
						sg = -g
					}
					if c == 0 {
						sg *= math.Pow(10, tc.leftDB[k]/20)
					}
					for i := range d[c] {
						d[c][i] *= sg
					}
				}
				delivered[k] = d
			}
			lag0 := make([]int, 4)
			for k := range lag0 {
				// A coarse estimate a few samples off, as Align gives.
				lag0[k] = tc.lags[k] + []int{3, -2, 0, 5}[k]
			}
			jw := window(delivered, mix, rate, 3*rate, 32, lag0)
			res := jw.Solve()
			for k, r := range res {
				want := fmt.Sprintf("lag %d swapped %v inverted %v negative %v moved %v", tc.lags[k], k == tc.swap, [2]bool{false, k == tc.invert}, k == tc.polarity, tc.lags[k] != 0)
				got := fmt.Sprintf("lag %d swapped %v inverted %v negative %v moved %v", r.Lag, r.Swapped, r.Inverted, r.Gain < 0, r.Moved)
				if got != want {
					t.Errorf("stem %d: %s, want %s (share %.3f)", k, got, want, r.Share)
				}
				for c, g := range r.Gains {
					wantG := -tc.gain[k]
					if c == 0 && k != tc.swap || c == 1 && k == tc.swap {
						wantG -= tc.leftDB[k]
					}
					if math.Abs(20*math.Log10(math.Abs(g))-wantG) > 0.05 {
						t.Errorf("stem %d channel %d: gain %.2f dB, want %.2f", k, c, 20*math.Log10(math.Abs(g)), wantG)
					}
				}
				if !r.Trusted {
					t.Errorf("stem %d: not trusted (share %.3f)", k, r.Share)
				}
			}
		})
	}
}

// TestLongAlign offsets a stem by seconds and finds it within the long
// search's resolution.
func TestLongAlign(t *testing.T) {
	t.Parallel()
	const rate, n = 48000, 48000 * 20
	stems := song(5, n, rate)
	for _, lag := range []int{144000, -100000, 37} {
		mix := make([]float32, n)
		for _, s := range stems {
			for i := range mix {
				mix[i] += float32((s[0][i] + s[1][i]) / 2)
			}
		}
		d := NewDecimator()
		for at := 0; at < n; at += 4096 {
			d.Add(mix[at:min(at+4096, n)])
		}
		low, env := d.Finish()
		// The drum stem, delivered lag samples late: its frame f is the
		// mix's f − lag.
		x := make([]float32, 10*rate)
		start := int64(6 * rate)
		for i := range x {
			if f := int(start) + i - lag; f >= 0 && f < n {
				x[i] = float32((stems[2][0][f] + stems[2][1][f]) / 2)
			}
		}
		cands := LongAlign(x, start, low, env, 30*rate, 3)
		if len(cands) == 0 || math.Abs(float64(cands[0].Lag-lag)) > LongDecimation || math.Abs(cands[0].Peak) < MinAlignPeak {
			t.Errorf("lag %d: found %+v", lag, cands)
		}
	}
}

// eightStems is a 3 s window over two generated songs' stems (eight
// stereo stems) and their mix, every stem at lag 0, and a fit state with
// a gain a little off unity in each channel.
func eightStems() (*JointWindow, []jstate) {
	const rate, n = 48000, 48000 * 4
	stems := append(song(3, n, rate), song(4, n, rate)...)
	mix := [][]float64{make([]float64, n), make([]float64, n)}
	for _, s := range stems {
		for c := range 2 {
			for i, v := range s[c] {
				mix[c][i] += v
			}
		}
	}
	jw := window(stems, mix, rate, 3*rate, 32, make([]int, len(stems)))
	jw.prepare()
	st := make([]jstate, len(stems))
	for k := range st {
		st[k] = jstate{gain: [2]float64{1.01, 0.99}}
	}
	return jw, st
}

// TestOthers: the mix less every other stem's fit, formed from the
// residual of all (others), is what subtracting each other stem gives, to
// the rounding of the sums, also after a stem's exchange changes (layOut).
func TestOthers(t *testing.T) {
	t.Parallel()
	jw, st := eightStems()
	jw.rest(st)
	for step := range 2 {
		if step == 1 {
			jw.layOut(st, 2, true)
		}
		for k := range st {
			want := jw.channelsLike()
			for c, m := range jw.Mix {
				copy(want[c], m)
			}
			for j := range st {
				if j != k {
					jw.addFit(want, j, st[j], -1)
				}
			}
			got := jw.others(st, k)
			var d, e float64
			for c := range want {
				for i, v := range want[c] {
					d += (got[c][i] - v) * (got[c][i] - v)
					e += v * v
				}
			}
			if !(d <= 1e-24*e) {
				t.Errorf("step %d stem %d: differs by %.1f dB of the residual", step, k, 10*math.Log10(d/e))
			}
		}
	}
}

// BenchmarkChannelFaults times the channel-fault decision over eight
// stereo stems in a 3 s window: one residual per stem (others) and its
// projections.
func BenchmarkChannelFaults(b *testing.B) {
	jw, st := eightStems()
	for b.Loop() {
		jw.channelFaults(st)
	}
}
