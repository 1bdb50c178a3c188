package resample

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestParallelBits converts noise in blocks of random length (small ones
// that stay on the caller's goroutine, large ones that split) with and
// without Parallel and wants the same bits, for a pair of channels with a
// third left over, and for a lone channel.
func TestParallelBits(t *testing.T) {
	t.Parallel()
	for _, r := range []struct{ in, out, ch int }{{48000, 44100, 3}, {44100, 96000, 1}, {96000, 44100, 2}} {
		par, err := New(r.in, r.out, r.ch)
		if err != nil {
			t.Fatal(err)
		}
		par.Parallel()
		one, _ := New(r.in, r.out, r.ch)
		src := audiotest.WhiteNoise(9, r.ch, 60000, -3)
		rng := rand.New(rand.NewPCG(uint64(r.in), uint64(r.out)))
		var dp, d1 *audio.Buffer
		for pos, n := 0, 0; pos < src.Frames(); pos += n {
			n = min(1+rng.IntN(6000), src.Frames()-pos)
			blk := &audio.Buffer{Data: make([][]float32, r.ch)}
			for c := range blk.Data {
				blk.Data[c] = src.Data[c][pos : pos+n]
			}
			dp, d1 = par.Process(dp, blk), one.Process(d1, blk)
			equalBits(t, r.in, r.out, pos, dp, d1)
		}
		equalBits(t, r.in, r.out, src.Frames(), par.Flush(dp), one.Flush(d1))
		par.Close()
		par.Close() // a second Close does nothing
	}
}

func equalBits(t *testing.T, in, out, pos int, a, b *audio.Buffer) {
	t.Helper()
	if a.Frames() != b.Frames() {
		t.Fatalf("%d→%d at input frame %d: %d frames in parallel, %d alone", in, out, pos, a.Frames(), b.Frames())
	}
	for c := range a.Data {
		for i, v := range a.Data[c][:a.Frames()] {
			if w := b.Data[c][i]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%d→%d at input frame %d, channel %d, output %d: %v in parallel, %v alone", in, out, pos, c, i, v, w)
			}
		}
	}
}
