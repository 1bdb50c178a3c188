package server

import "testing"

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		h          string
		start, end int64
		ok         bool
	}{
		{"bytes=0-99", 0, 99, true},
		{"bytes=100-", 100, 999, true},
		{"bytes=-10", 990, 999, true},
		{"bytes=-5000", 0, 999, true},
		{"bytes=900-5000", 900, 999, true},
		{"bytes=1000-", 1000, 999, true}, // past the end: the caller answers 416
		{"bytes=5-2", 0, 0, false},
		{"bytes=0-1,5-6", 0, 0, false},
		{"bytes=-0", 0, 0, false},
		{"items=0-1", 0, 0, false},
		{"bytes=a-b", 0, 0, false},
		{"bytes=-1-2", 0, 0, false},
	} {
		start, end, ok := parseRange(c.h, 1000)
		if ok != c.ok || ok && (start != c.start || end != c.end) {
			t.Errorf("%q: %d-%d %v, want %d-%d %v", c.h, start, end, ok, c.start, c.end, c.ok)
		}
	}
}
