package check

import "cmp"

// mostCommon returns the value counted most often. A tie goes to prefer
// when it is among the tied values, else to the largest of them; a prefer
// that was never counted has no effect. ok is false when nothing was
// counted. The answer does not depend on the map's order.
func mostCommon[T cmp.Ordered](count map[T]int, prefer T) (best T, ok bool) {
	most := 0
	for v, n := range count {
		if n > most || n == most && best != prefer && (v == prefer || v > best) {
			best, most, ok = v, n, true
		}
	}
	return best, ok
}
