package envelope

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"stemmaster/dsp/internal/dsptest"
)

// TestControlRateKernel: where the kernel runs, process2 gives the Go
// loop's gains, gain computer calls and state bit for bit, on two channels
// of noise with level steps, silences, and NaNs in either channel beside a
// new peak in the other, over
// blocks of uneven lengths crossing the runs, for runs of 8, 9 and 16.
// ControlRate's fields are where the kernel's assembly reads them.
func TestControlRateKernel(t *testing.T) {
	t.Parallel()
	// The state the kernel reads and writes, as controlrate_amd64.s reads it.
	var c0 ControlRate
	dsptest.CheckOffsets(t, "ControlRate", "decay env peak pos from step", []uintptr{
		unsafe.Offsetof(c0.decay), unsafe.Offsetof(c0.env), unsafe.Offsetof(c0.peak), unsafe.Offsetof(c0.pos), unsafe.Offsetof(c0.from), unsafe.Offsetof(c0.step),
	}, 16, 24, 32, 40, 48, 56)
	if !controlAccelerated {
		t.Skip("no control kernel on this machine or build")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, run := range []int{kernelMinRun, 9, 16} {
		asm, def := NewControlRate(run, 0.9995), NewControlRate(run, 0.9995)
		asm.Reset(1)
		def.Reset(1)
		var pa, pd []float64
		computer := func(peaks *[]float64) func(float64) float64 {
			return func(p float64) float64 { *peaks = append(*peaks, p); return 1 / (1 + 10*p) }
		}
		for blk, n := range []int{1, 7, 300, 256, 513, 0, 3, 1000, 16, 15} {
			x0, x1 := make([]float64, n), make([]float64, n)
			for i := range x0 {
				lvl := math.Pow(10, -float64((i+blk)/97%5))
				x0[i], x1[i] = (2*rng.Float64()-1)*lvl, (2*rng.Float64()-1)*lvl/2
				switch i % 101 { // NaNs beside a new peak in the other channel
				case 5:
					x0[i], x1[i] = math.NaN(), 2*lvl
				case 17:
					x0[i], x1[i] = -2*lvl, math.NaN()
				case 40:
					x0[i], x1[i] = 0, math.Copysign(0, -1)
				}
			}
			ga, gd := make([]float64, n), make([]float64, n)
			asm.process2(x0, x1, ga, computer(&pa))
			def.process2Go(x0, x1, gd, computer(&pd))
			for i := range ga {
				if math.Float64bits(ga[i]) != math.Float64bits(gd[i]) {
					t.Fatalf("run %d, block %d, frame %d: gain %v from the kernel, %v from the Go loop", run, blk, i, ga[i], gd[i])
				}
			}
		}
		if asm != def || len(pa) != len(pd) || len(pa) < 100 {
			t.Fatalf("run %d: state %+v from the kernel, %+v from the Go loop; %d and %d calls", run, asm, def, len(pa), len(pd))
		}
		for i := range pa {
			if math.Float64bits(pa[i]) != math.Float64bits(pd[i]) {
				t.Fatalf("run %d: call %d: peak %v from the kernel, %v from the Go loop", run, i, pa[i], pd[i])
			}
		}
	}
}
