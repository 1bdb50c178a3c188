package check

import (
	"math/rand/v2"
	"testing"
)

func TestMostCommon(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	key := func(v int) (int, bool) { return v, v != 0 } // 0 is not counted
	expect := func(name string, values []int, prefer, want int, wantOK bool) {
		t.Helper()
		values = append([]int(nil), values...)
		for range 20 { // in any order
			rng.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
			if got, ok := mostCommon(values, key, prefer); got != want || ok != wantOK {
				t.Fatalf("%s: mostCommon(%v, %d) = %d, %v; want %d, %v", name, values, prefer, got, ok, want, wantOK)
			}
		}
	}
	expect("nothing counted", []int{0, 0}, 48000, 0, false)
	expect("most wins over prefer and size", []int{44100, 48000, 44100, 96000, 48000, 44100}, 48000, 44100, true)
	expect("a tie goes to prefer", []int{96000, 44100, 48000, 44100, 48000, 96000}, 48000, 48000, true)
	expect("a tie without prefer goes to the largest", []int{44100, 48000, 0, 44100, 48000, 96000}, -1, 48000, true)
	expect("prefer not among the tied", []int{44100, 48000, 44100, 96000, 48000}, 96000, 48000, true)
	expect("prefer no item has", []int{44100}, 48000, 44100, true)
}
