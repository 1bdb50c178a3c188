package audiotest

import (
	"slices"
	"testing"

	"stemmaster/audio"
)

// TestView: a view holds the frames asked for and shares them with the
// buffer it was taken from.
func TestView(t *testing.T) {
	t.Parallel()
	b := &audio.Buffer{Data: [][]float32{{0, 1, 2, 3, 4}, {10, 11, 12, 13, 14}}}
	v := View(b, 1, 4)
	if !slices.Equal(v.Data[0], []float32{1, 2, 3}) || !slices.Equal(v.Data[1], []float32{11, 12, 13}) {
		t.Fatalf("View(1, 4) = %v", v.Data)
	}
	v.Data[1][0] = -1
	if b.Data[1][1] != -1 {
		t.Errorf("the view does not share its samples: %v", b.Data)
	}
}

// TestShifted: every kind of move the tests make, against the frames
// written out by hand; b itself is left as it was.
func TestShifted(t *testing.T) {
	t.Parallel()
	b := &audio.Buffer{Data: [][]float32{{1, 2, 3, 4, 5, 6}, {-1, -2, -3, -4, -5, -6}}}
	for _, tc := range []struct {
		name         string
		from, to, by int
		want         []float32 // channel 0; channel 1 is its negative
	}{
		{"the whole late", 0, 6, 2, []float32{0, 0, 1, 2, 3, 4}},
		{"the whole early", 0, 6, -2, []float32{3, 4, 5, 6, 0, 0}},
		{"a span cut out", 2, 6, -1, []float32{1, 2, 4, 5, 6, 0}},
		{"a passage repeated", 3, 6, 2, []float32{1, 2, 3, 2, 3, 4}},
		{"a passage late inside", 2, 4, 1, []float32{1, 2, 2, 3, 5, 6}},
		{"no move", 0, 6, 0, []float32{1, 2, 3, 4, 5, 6}},
	} {
		got := Shifted(b, tc.from, tc.to, tc.by)
		neg := make([]float32, len(tc.want))
		for i, x := range tc.want {
			neg[i] = -x
		}
		if !slices.Equal(got.Data[0], tc.want) || !slices.Equal(got.Data[1], neg) {
			t.Errorf("%s: Shifted(%d, %d, %d) = %v, want %v and its negative", tc.name, tc.from, tc.to, tc.by, got.Data, tc.want)
		}
	}
	if !slices.Equal(b.Data[0], []float32{1, 2, 3, 4, 5, 6}) {
		t.Errorf("Shifted changed its input: %v", b.Data)
	}
}

// TestSum: buffers of different lengths and widths sum into a new buffer
// as long as the longest and as wide as the widest, each added over its
// own frames; the inputs are left as they were.
func TestSum(t *testing.T) {
	t.Parallel()
	long := &audio.Buffer{Data: [][]float32{{1, 2, 3, 4}, {10, 20, 30, 40}}}
	short := &audio.Buffer{Data: [][]float32{{100, 200}, {-100, -200}}}
	mono := &audio.Buffer{Data: [][]float32{{0.5, 0.5, 0.5}}}
	for _, order := range [][]*audio.Buffer{{long, short, mono}, {short, mono, long}} {
		got := Sum(order...)
		if !slices.Equal(got.Data[0], []float32{101.5, 202.5, 3.5, 4}) || !slices.Equal(got.Data[1], []float32{-90, -180, 30, 40}) {
			t.Errorf("Sum = %v", got.Data)
		}
	}
	if !slices.Equal(short.Data[0], []float32{100, 200}) || !slices.Equal(long.Data[1], []float32{10, 20, 30, 40}) {
		t.Errorf("Sum changed its inputs: %v, %v", short.Data, long.Data)
	}
}
