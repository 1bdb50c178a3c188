package check

import "cmp"

// mostCommon returns the value of key most items have; items whose key
// says false are not counted. A tie goes to prefer when it is among the
// tied values, else to the largest of them; a prefer no item has has no
// effect. ok is false when no item was counted. The answer does not depend
// on the order of items.
func mostCommon[E any, T cmp.Ordered](items []E, key func(E) (T, bool), prefer T) (best T, ok bool) {
	count := map[T]int{}
	for _, it := range items {
		if v, counted := key(it); counted {
			count[v]++
		}
	}
	most := 0
	for v, n := range count {
		if n > most || n == most && best != prefer && (v == prefer || v > best) {
			best, most, ok = v, n, true
		}
	}
	return best, ok
}
