package loudness

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestWindowsMatchPlainSums checks the batched window computation against
// the plain definition bit for bit: every momentary and short-term window's
// energy summed oldest sub-block first over its exact frame count, the
// gating blocks every 100 ms, the series and both maxima, for rates whose
// sub-blocks are and are not whole frames, fed in irregular blocks, with
// Result called mid-stream.
func TestWindowsMatchPlainSums(t *testing.T) {
	t.Parallel()
	for _, fs := range []float64{48000, 44100, 22050.5 * 2} {
		sig := audiotest.PinkNoise(3, 2, int(fs*9.37), -12)
		m := NewMeter(fs, 2, Options{Series: true})
		var energy []float64 // per sub-block, harvested from the meter
		view := &audio.Buffer{Data: make([][]float32, 2)}
		sizes := []int{1, 480, 4096, 333, 17, 12000}
		for off, i := 0, 0; off < sig.Frames(); i++ {
			end := min(off+sizes[i%len(sizes)], sig.Frames())
			view.Data[0], view.Data[1] = sig.Data[0][off:end], sig.Data[1][off:end]
			m.Process(view)
			for j, e := range m.hist {
				k := int(m.histBase) + j
				for len(energy) <= k {
					energy = append(energy, math.NaN())
				}
				energy[k] = e
			}
			if i == 7 {
				_ = m.Result()
			}
			off = end
		}
		r := m.Result()
		mean := func(k, w int) float64 {
			var s float64
			for i := k - w; i < k; i++ {
				s += energy[i]
			}
			return s / float64(m.frameAt(int64(k))-m.frameAt(int64(k-w)))
		}
		var blocks, st []float64
		momMax, stMax := -1.0, -1.0
		for k := 1; k <= len(energy); k++ {
			want := math.NaN()
			if k >= momentarySubBlocks {
				want = mean(k, momentarySubBlocks)
				momMax = max(momMax, want)
				if (k-momentarySubBlocks)%gatingStepSubBlocks == 0 {
					blocks = append(blocks, want)
				}
			}
			if got := r.MomentaryLUFS[k-1]; math.Float64bits(got) != math.Float64bits(LUFS(want)) {
				t.Fatalf("fs %v: momentary at sub-block %d = %v, plain sum %v", fs, k, got, LUFS(want))
			}
			if k >= shortTermSubBlocks {
				v := mean(k, shortTermSubBlocks)
				stMax = max(stMax, v)
				st = append(st, v)
			}
		}
		same := func(name string, got, want []float64) {
			if len(got) != len(want) {
				t.Fatalf("fs %v: %d %s, plain sums give %d", fs, len(got), name, len(want))
			}
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("fs %v: %s %d = %v, plain sum %v", fs, name, i, got[i], want[i])
				}
			}
		}
		same("gating blocks", m.blocks, blocks)
		same("short-term windows", m.shortTerm, st)
		same("maxima", []float64{m.momMax, m.stMax}, []float64{momMax, stMax})
	}
}
