package stemlimit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/envelope"
	"stemmaster/dsp/limiter"
)

// share is the sharing of one frame as the package doc states it, one
// stem at a time: it writes to gs the stems' gains for the stage gain g (l2 its
// envelope.Log2) from the envelopes e (sum tot) and weights w (see the
// package doc); a is scratch.
func share(g, l2 float64, e []float64, tot float64, w, a, gs []float64) {
	if g >= 1 {
		for s := range gs {
			gs[s] = 1
		}
		return
	}
	if tot <= 0 {
		for s := range gs {
			gs[s] = g
		}
		return
	}
	caps := capsOf(w)
	capMax := slices.Max(caps)
	alphas(e, tot, w, capsAt(caps, capMax, -envelope.DBPerLog2*l2, make([]float64, len(w))), a)
	gr := -l2 // log2 units
	for s, v := range a {
		gs[s] = 1 // Exp2 of ±0, exactly
		if m := max(0, v); m != 0 {
			gs[s] = envelope.Exp2(-gr * m)
		}
	}
}

// TestGainsOfMatchesShare: the block's gains (gainsOf: every limited
// frame's exponents, then one Exp2Block) are share's, frame by frame, bit
// for bit, with frames at gain 1, frames with every envelope 0, quiet and
// capped stems, and the attribution alike.
func TestGainsOfMatchesShare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 1001
	for _, k := range []int{1, 2, 3, 5, 8} {
		sh := newSharer(limiter.DefaultParams(), dsp.Spec{SampleRate: rate, MaxBlockSize: n, Channels: 2}, k, false, false)
		w := make([]float64, k)
		for s := range w {
			w[s] = []float64{MinWeight, 0.2, 1, 2, MaxWeight}[rng.IntN(5)]
		}
		gains := make([]float64, n)
		for i := range gains {
			switch rng.IntN(4) {
			case 0:
				gains[i] = 1
			case 1:
				gains[i] = 1 - 1e-9*rng.Float64()
			default:
				gains[i] = math.Exp2(-6 * rng.Float64())
			}
			zero := rng.IntN(20) == 0
			for s := range k {
				v := rng.Float64() * math.Pow(10, -3*rng.Float64())
				if zero || rng.IntN(8) == 0 {
					v = 0
				}
				sh.eb[i*k+s] = v
			}
		}
		caused, want := make([]float64, k), make([]float64, k)
		if sh.gainsOf(gains, w, capsOf(w), n, k, caused) {
			t.Fatal("no frame limited: nothing tested")
		}
		a, gs := make([]float64, k), make([]float64, k)
		for i, g := range gains {
			e := sh.eb[i*k : (i+1)*k]
			tot := 0.0
			for _, v := range e {
				tot += v
			}
			l2 := envelope.Log2(g)
			if g < 1 && tot > 0 {
				for s, v := range e {
					want[s] += -envelope.DBPerLog2 * l2 * v / tot
				}
			}
			share(g, l2, e, tot, w, a, gs)
			for s, v := range gs {
				if got := sh.gb[s][i]; math.Float32bits(got) != math.Float32bits(float32(v)) {
					t.Fatalf("%d stems, frame %d (gain %v), stem %d: %v, share's %v", k, i, g, s, got, float32(v))
				}
			}
		}
		for s := range caused {
			if caused[s] != want[s] {
				t.Errorf("%d stems: stem %d caused %v, want %v", k, s, caused[s], want[s])
			}
		}
	}
}

// TestBlockSizesSameBits: the limiter gives the same bits and statistics
// in blocks shorter than a stage's delay line (delayed a run at a time)
// and longer (delayBlock), with and without reduction.
func TestBlockSizesSameBits(t *testing.T) {
	t.Parallel()
	stems := synthetic()
	p := Params{Limiter: limiter.DefaultParams(), Aware: true, Weights: []float64{0.2, 2}}
	for _, gainDB := range []float64{0, -30} {
		short, ls := Render(stems, p, rate, gainDB, 97)
		long, ll := Render(stems, p, rate, gainDB, 4096)
		for c := range short.Data {
			for i, v := range short.Data[c] {
				if math.Float32bits(long.Data[c][i]) != math.Float32bits(v) {
					t.Fatalf("gain %g dB, channel %d frame %d: %v in long blocks, %v in short", gainDB, c, i, long.Data[c][i], v)
				}
			}
		}
		if a, b := fmt.Sprint(ls.Stats()), fmt.Sprint(ll.Stats()); a != b {
			t.Errorf("gain %g dB: statistics %s in short blocks, %s in long", gainDB, a, b)
		}
	}
}

// alphasRounds is alphas as the water-filling states it, every round in
// full: the reference for alphas' first round taken with the marking.
func alphasRounds(e []float64, tot float64, w, caps, a []float64) {
	quiet := quietShare * tot
	for s, v := range e {
		a[s] = -1
		if v < quiet {
			a[s] = 0
		}
	}
	waterFill(e, tot, w, caps, a)
}

// TestAlphasFirstRound: alphas gives alphasRounds' bits on random
// envelopes and weights, with quiet stems, stems at their caps, every
// stem quiet but one, and a NaN envelope.
func TestAlphasFirstRound(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	capped, fast := 0, 0
	for trial := range 20000 {
		k := 1 + rng.IntN(8)
		e, w := make([]float64, k), make([]float64, k)
		tot := 0.0
		for s := range e {
			w[s] = []float64{MinWeight, 0.2, 0.7, 1, 2, MaxWeight}[rng.IntN(6)]
			switch rng.IntN(5) {
			case 0:
				e[s] = 0
			case 1:
				e[s] = 1e-4 * rng.Float64() // quiet beside the others
			default:
				e[s] = rng.Float64()
			}
			tot += e[s]
		}
		if trial%997 == 0 {
			e[0] = math.NaN()
		}
		if !(tot > 0) && trial%997 != 0 {
			continue
		}
		caps := capsOf(w)
		got, want := make([]float64, k), make([]float64, k)
		alphas(e, tot, w, caps, got)
		alphasRounds(e, tot, w, caps, want)
		for s := range got {
			if math.Float64bits(got[s]) != math.Float64bits(want[s]) {
				t.Fatalf("e %v w %v: α %v, want %v", e, w, got, want)
			}
			if want[s] == caps[s] {
				capped++
			}
		}
		fast++
	}
	if capped == 0 {
		t.Error("no stem was capped: the rounds after the first went untested")
	}
	t.Logf("%d frames, %d stems capped", fast, capped)
}

// TestFollowMatchesFrames: the envelopes follow runs four stems at a time
// are the frame-by-frame recursion's (envelopes.push, every stem in turn),
// bit for bit, for every stem count and block lengths that cut the
// recursion anywhere.
func TestFollowMatchesFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for k := 1; k <= 9; k++ {
		sh := newSharer(limiter.DefaultParams(), dsp.Spec{SampleRate: rate, MaxBlockSize: 500, Channels: 2}, k, false, false)
		ref := newEnvelopes(k, rate)
		stems := make([]*audio.Buffer, k)
		for s := range stems {
			stems[s] = audio.NewBuffer(2, 500)
		}
		for _, n := range []int{500, 1, 37, 499} {
			for _, st := range stems {
				st.SetFrames(n)
				for _, ch := range st.Data {
					for i := range ch {
						ch[i] = float32(rng.NormFloat64() * math.Exp(-3*rng.Float64()))
					}
				}
			}
			sh.follow(stems, n, 2)
			for i := range n {
				ref.push(stems, 2, i)
				for s := range k {
					if got := sh.eb[i*k+s]; math.Float64bits(got) != math.Float64bits(ref.e[s]) {
						t.Fatalf("%d stems, frame %d stem %d: %v, want %v", k, i, s, got, ref.e[s])
					}
				}
			}
		}
	}
}
