package engine

import (
	"math/rand/v2"
	"sync"
	"testing"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// TestAfterMetersGrouped: strips metered in a group, each pushing its
// blocks from its own goroutine (some more blocks than others, the last
// ones short, as a longer latency gives), read the same integrated
// loudness, bit for bit, as meters fed alone.
func TestAfterMetersGrouped(t *testing.T) {
	t.Parallel()
	const fs = 48000
	for _, n := range []int{2, 3, 5} {
		strips := make([]*strip, n+1) // one nil: a muted stem
		blocks := make([][]*audio.Buffer, n+1)
		solo := make([]*loudness.Meter, n+1)
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		for i := range n {
			s := &strip{after: loudness.NewMeter(fs, busChannels, loudness.Options{IntegratedOnly: true})}
			strips[i+1] = s
			solo[i+1] = loudness.NewMeter(fs, busChannels, loudness.Options{IntegratedOnly: true})
			count := 30 + i // blocks, the last one short
			gain := 0.05 * float64(i+1)
			for b := range count {
				frames := BlockSize
				if b == count-1 {
					frames = 1 + rng.IntN(BlockSize)
				}
				buf := audio.NewBuffer(busChannels, frames)
				for c := range buf.Data {
					for j := range buf.Data[c] {
						buf.Data[c][j] = float32(gain * rng.NormFloat64())
					}
				}
				blocks[i+1] = append(blocks[i+1], buf)
			}
		}
		groupAfterMeters(strips)
		var wg sync.WaitGroup
		for i, s := range strips {
			if s == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, b := range blocks[i] {
					s.work = b
					s.meterAfter()
				}
			}()
			for _, b := range blocks[i] {
				solo[i].Process(b)
			}
		}
		wg.Wait()
		for i, s := range strips {
			if s == nil {
				continue
			}
			got, want := s.afterResult().IntegratedLUFS, solo[i].Result().IntegratedLUFS
			if got != want {
				t.Errorf("%d strips: strip %d reads %.17g LUFS grouped, %.17g alone", n, i, got, want)
			}
		}
	}
}
