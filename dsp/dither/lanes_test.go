package dither

import (
	"math"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestJumpIsEightSteps holds the lanes' jump to eight steps of the
// generator, from several states.
func TestJumpIsEightSteps(t *testing.T) {
	t.Parallel()
	for _, p := range []pcg{{}, {hi: 1, lo: 2}, {hi: math.MaxUint64, lo: math.MaxUint64}, {hi: 0x0123456789abcdef, lo: 0xfedcba9876543210}} {
		want := p
		want.skip(laneCount)
		hi, lo := mul128(p.hi, p.lo, jump[0], jump[1])
		lo2, c := lo+jump[3], uint64(0)
		if lo2 < lo {
			c = 1
		}
		if got := (pcg{hi: hi + jump[2] + c, lo: lo2}); got != want {
			t.Errorf("from %v: jump gives %v, eight steps %v", p, got, want)
		}
	}
}

// TestFlatKernelMatchesGo holds processFlat (the kernel where the
// processor has one, then the Go loop for the rest) to processFlatGo bit
// for bit, and the generator's state after it, at every word length the
// encoders take, for lengths around the kernel's step, in consecutive
// blocks (the state carried from one to the next), on signals that clip,
// sit on the grid, and hold zeros of both signs, infinities and NaN.
func TestFlatKernelMatchesGo(t *testing.T) {
	t.Parallel()
	if !lanesAccelerated {
		t.Log("no kernel on this machine: processFlat is processFlatGo")
	}
	src := audiotest.WhiteNoise(3, 1, 3000, 0).Data[0]
	for i := range src {
		src[i] *= 1.3 // clips at both ends
	}
	for i, v := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-30, -1e-30} {
		src[100+i] = v
	}
	for _, bits := range []int{8, 16, 20, 24} {
		d := prepared(t, bits, 99, false, 48000, 1)
		p, q := pcg{hi: 5, lo: 6}, pcg{hi: 5, lo: 6}
		got, want := append([]float32(nil), src...), append([]float32(nil), src...)
		off := 0
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 64, 1000, 4096} {
			if off+n > len(src) {
				break
			}
			d.processFlat(got[off:off+n], &p)
			d.processFlatGo(want[off:off+n], &q)
			off += n
		}
		for i := range got[:off] {
			if !sameSample(got[i], want[i]) {
				t.Fatalf("%d bits, sample %d (input %v): %v, want %v", bits, i, src[i], got[i], want[i])
			}
		}
		if p != q {
			t.Fatalf("%d bits: generator at %v after the blocks, want %v", bits, p, q)
		}
		// Two channels at once: each as processFlatGo gives it alone.
		p2, q2 := pcg{hi: 7, lo: 8}, pcg{hi: 9, lo: 10}
		ga, gb := append([]float32(nil), src...), append([]float32(nil), src[1:]...)
		wa, wb := append([]float32(nil), src...), append([]float32(nil), src[1:]...)
		pa, pb := p2, q2
		off = 0
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 64, 1000, 1500} {
			d.processFlat2(ga[off:off+n], gb[off:off+n], &p2, &q2)
			d.processFlatGo(wa[off:off+n], &pa)
			d.processFlatGo(wb[off:off+n], &pb)
			off += n
		}
		for i := range off {
			if !sameSample(ga[i], wa[i]) || !sameSample(gb[i], wb[i]) {
				t.Fatalf("%d bits, two channels, frame %d: %v, %v; want %v, %v", bits, i, ga[i], gb[i], wa[i], wb[i])
			}
		}
		if p2 != pa || q2 != pb {
			t.Fatalf("%d bits, two channels: generators at %v, %v; want %v, %v", bits, p2, q2, pa, pb)
		}
	}
}

// sameSample reports whether a and b have the same bits, or are both NaN.
func sameSample(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || math.IsNaN(float64(a)) && math.IsNaN(float64(b))
}

// BenchmarkFlat dithers a 4096-sample channel to 24 bits: the kernel (with
// the Go loop for the rest) against the Go loop alone.
func BenchmarkFlat(b *testing.B) {
	src := audiotest.WhiteNoise(1, 1, 4096, -6).Data[0]
	buf := make([]float32, len(src))
	d := prepared(b, 24, 1, false, 48000, 1)
	p := pcg{hi: 1, lo: 2}
	for _, c := range []struct {
		name string
		run  func([]float32, *pcg)
	}{{"kernel", d.processFlat}, {"go", d.processFlatGo}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				copy(buf, src)
				c.run(buf, &p)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/sample")
		})
	}
}
