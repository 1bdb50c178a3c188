package check

import "testing"

func TestMostCommon(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		count  map[int]int
		prefer int
		want   int
		ok     bool
	}{
		{"nothing counted", map[int]int{}, 48000, 0, false},
		{"most wins over prefer and size", map[int]int{44100: 3, 48000: 2, 96000: 1}, 48000, 44100, true},
		{"a tie goes to prefer", map[int]int{44100: 2, 48000: 2, 96000: 2}, 48000, 48000, true},
		{"a tie without prefer goes to the largest", map[int]int{44100: 2, 48000: 2, 96000: 1}, -1, 48000, true},
		{"prefer not among the tied", map[int]int{44100: 2, 48000: 2, 96000: 1}, 96000, 48000, true},
		{"prefer never counted", map[int]int{44100: 1}, 48000, 44100, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Many runs: the map's order changes from one to the next.
			for range 50 {
				got, ok := mostCommon(c.count, c.prefer)
				if got != c.want || ok != c.ok {
					t.Fatalf("mostCommon(%v, %d) = %d, %v; want %d, %v", c.count, c.prefer, got, ok, c.want, c.ok)
				}
			}
		})
	}
}
