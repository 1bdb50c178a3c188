package testkit

import "testing"

// GuardLen is how many elements past a kernel's output Guarded holds to a
// known value.
const GuardLen = 64

// Guarded returns n elements whose backing array holds GuardLen more, each
// set to fill, for an assembly kernel's output: a kernel that writes past
// its slice (a count read wrong, a loop one pass too long) changes them,
// where comparing the slice alone passes it. CheckGuard looks at them.
func Guarded[T comparable](n int, fill T) []T {
	s := make([]T, n+GuardLen)
	for i := n; i < len(s); i++ {
		s[i] = fill
	}
	return s[:n]
}

// CheckGuard fails t if an element past s, within the capacity Guarded
// gave it, is no longer fill; what names the case in the message.
func CheckGuard[T comparable](t testing.TB, s []T, fill T, what string) {
	t.Helper()
	for i, v := range s[len(s):cap(s)] {
		if v != fill {
			t.Fatalf("%s: %v written %d elements past the output", what, v, i+1)
		}
	}
}
