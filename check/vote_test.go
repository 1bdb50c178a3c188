package check

import (
	"math/rand/v2"
	"testing"
)

func TestMostCommon(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		values []int // 0 is not counted
		prefer int
		want   int
		ok     bool
	}{
		{"nothing counted", []int{0, 0}, 48000, 0, false},
		{"most wins over prefer and size", []int{44100, 48000, 44100, 96000, 48000, 44100}, 48000, 44100, true},
		{"a tie goes to prefer", []int{96000, 44100, 48000, 44100, 48000, 96000}, 48000, 48000, true},
		{"a tie without prefer goes to the largest", []int{44100, 48000, 0, 44100, 48000, 96000}, -1, 48000, true},
		{"prefer not among the tied", []int{44100, 48000, 44100, 96000, 48000}, 96000, 48000, true},
		{"prefer no item has", []int{44100}, 48000, 44100, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			key := func(v int) (int, bool) { return v, v != 0 }
			rng := rand.New(rand.NewPCG(1, 2))
			values := append([]int(nil), c.values...)
			for range 20 { // in any order
				rng.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
				got, ok := mostCommon(values, key, c.prefer)
				if got != c.want || ok != c.ok {
					t.Fatalf("mostCommon(%v, %d) = %d, %v; want %d, %v", values, c.prefer, got, ok, c.want, c.ok)
				}
			}
		})
	}
}
