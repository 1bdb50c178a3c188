package engine

import (
	"math/rand/v2"
	"sync"
	"testing"

	"stemmaster/audio"
	"stemmaster/loudness"
)

// TestMeterGroups: strips metered in groups, each pushing its blocks from
// its own goroutine, read the same loudness, bit for bit, as meters fed
// alone. The after-meters see stereo blocks, some strips more of them than
// others with a short last one (as a longer latency gives); the
// before-meters see the files' channels (mono and stereo) in blocks of
// uneven lengths, some copied into the group, some handed over, so that
// rows mix pairs, quads and lone meters.
func TestMeterGroups(t *testing.T) {
	t.Parallel()
	const fs = 48000
	for _, n := range []int{2, 3, 5, 8} {
		strips := make([]*strip, n+1) // one nil: a muted stem
		after := make([][]*audio.Buffer, n+1)
		before := make([][]*audio.Buffer, n+1)
		rng := rand.New(rand.NewPCG(uint64(n), 9))
		block := func(ch, frames int, gain float64) *audio.Buffer {
			buf := audio.NewBuffer(ch, frames)
			for c := range buf.Data {
				for j := range buf.Data[c] {
					buf.Data[c][j] = float32(gain * rng.NormFloat64())
				}
			}
			return buf
		}
		for i := 1; i <= n; i++ {
			ch := 1 + i%2
			s := &strip{lat: 1} // the summer meters the strips without latency
			s.after.m = loudness.NewMeter(fs, busChannels, loudness.Options{IntegratedOnly: true})
			s.before.m = loudness.NewMeter(fs, ch, loudness.Options{})
			strips[i] = s
			count := 30 + i
			for b := range count {
				frames := BlockSize
				if b == count-1 {
					frames = 1 + rng.IntN(BlockSize)
				}
				after[i] = append(after[i], block(busChannels, frames, 0.05*float64(i)))
				frames = BlockSize
				if rng.IntN(4) == 0 {
					frames = 1 + rng.IntN(BlockSize)
				}
				before[i] = append(before[i], block(ch, frames, 0.03*float64(i)))
			}
		}
		groupMeters(strips)
		var wg sync.WaitGroup
		for i, s := range strips {
			if s == nil {
				continue
			}
			wg.Go(func() {
				for j := range after[i] {
					if i%2 == 0 {
						s.before.process(before[i][j])
					} else {
						// Handed over, not copied (a lone meter
						// gives the block back); the spare is left
						// unused, as the blocks are the
						// reference's too.
						b := before[i][j]
						if c := s.before.hand(b); c != b && (c.Cap() < BlockSize || c.Channels() != b.Channels()) {
							t.Errorf("strip %d: a spare of %d channels and %d frames", i, c.Channels(), c.Cap())
						}
					}
					s.after.process(after[i][j])
				}
			})
		}
		wg.Wait()
		for i, s := range strips {
			if s == nil {
				continue
			}
			for _, tc := range []struct {
				name   string
				sm     *stripMeter
				blocks []*audio.Buffer
			}{{"after", &s.after, after[i]}, {"before", &s.before, before[i]}} {
				alone := loudness.NewMeter(fs, tc.blocks[0].Channels(), loudness.Options{})
				for _, b := range tc.blocks {
					alone.Process(b)
				}
				if got, want := tc.sm.result().IntegratedLUFS, alone.Result().IntegratedLUFS; got != want {
					t.Errorf("%d strips: strip %d %s: %.17g LUFS grouped, %.17g alone", n, i, tc.name, got, want)
				}
			}
		}
	}
}

// TestSumMeters: the summer meters the after-meters of the strips without
// latency in groups of four from the blocks it sums; each reads the same
// loudness, bit for bit, as a meter fed alone, and the strips with latency
// are left to their own groups.
func TestSumMeters(t *testing.T) {
	t.Parallel()
	const fs = 48000
	for _, n := range []int{1, 3, 6, 9} {
		strips := make([]*strip, n)
		for i := range strips {
			s := &strip{}
			if i%4 == 2 {
				s.lat = 64
			}
			s.after.m = loudness.NewMeter(fs, busChannels, loudness.Options{IntegratedOnly: true})
			strips[i] = s
		}
		groupMeters(strips)
		sm := newSumMeters(strips)
		alone := make([]*loudness.Meter, n)
		for i, s := range strips {
			if s.after.bySum != (s.lat == 0) || (sm.of[i] != nil) != s.after.bySum {
				t.Fatalf("%d strips: strip %d (latency %d): metered by the summer %v, in a summer group %v", n, i, s.lat, s.after.bySum, sm.of[i] != nil)
			}
			alone[i] = loudness.NewMeter(fs, busChannels, loudness.Options{})
		}
		rng := rand.New(rand.NewPCG(uint64(n), 3))
		const blocks = 24
		for b := range blocks {
			want := BlockSize
			if b == blocks-1 {
				want = 1 + rng.IntN(BlockSize)
			}
			for i, s := range strips {
				// A block longer than the row, as the summer's buffers are.
				buf := audio.NewBuffer(busChannels, BlockSize)
				for c := range buf.Data {
					for j := range buf.Data[c] {
						buf.Data[c][j] = float32(0.04 * float64(i+1) * rng.NormFloat64())
					}
				}
				view := &audio.Buffer{Data: [][]float32{buf.Data[0][:want], buf.Data[1][:want]}}
				alone[i].Process(view)
				s.after.process(view) // a no-op for the summer's strips
				if _, full := sm.hold(i, buf, want); full != nil {
					full.meter()
				}
			}
		}
		for i, s := range strips {
			if got, want := s.after.result().IntegratedLUFS, alone[i].Result().IntegratedLUFS; got != want {
				t.Errorf("%d strips: strip %d: %.17g LUFS, %.17g alone", n, i, got, want)
			}
		}
	}
}
