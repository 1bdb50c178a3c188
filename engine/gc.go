package engine

import (
	"runtime/debug"
	"sync"
)

// renderGCPercent is the collector's growth target while renders run. The
// master bus is most of a render's live heap and holds no pointers, so a
// collection costs little (it marks the few pointerful objects), but with
// the default target of 100 the heap may grow by the bus's size again
// before one runs: every block, meter series and queue a stem allocates
// then stays resident, so the peak memory grows with the stems and the
// song's length. At 5 the garbage stays within a twentieth of the live heap;
// the few more collections cost little, as the bus is never scanned.
const renderGCPercent = 5

var gcTarget struct {
	sync.Mutex
	renders int // renders running
	saved   int // the target before the first of them
}

// lowerGCTarget sets the collector's target to renderGCPercent while a
// render runs (concurrent renders share the setting; the last to finish
// restores the one before and returns the bus's pages) and returns the
// function that ends it. A target already lower, or the collector turned
// off (GOGC), is left as it is.
func lowerGCTarget() (restore func()) {
	gcTarget.Lock()
	defer gcTarget.Unlock()
	if gcTarget.renders == 0 {
		gcTarget.saved = debug.SetGCPercent(renderGCPercent)
		if gcTarget.saved <= renderGCPercent { // lower already, or off (-1)
			debug.SetGCPercent(gcTarget.saved)
		}
	}
	gcTarget.renders++
	return func() {
		gcTarget.Lock()
		defer gcTarget.Unlock()
		gcTarget.renders--
		if gcTarget.renders == 0 {
			debug.SetGCPercent(gcTarget.saved)
			// The last collection saw the bus live: at the target
			// restored, the next would wait until the heap is twice
			// it (7 GB after 20 minutes at 384 kHz), the dead bus
			// resident meanwhile. One now returns it (a few
			// milliseconds: the bus holds no pointers).
			debug.FreeOSMemory()
		}
	}
}
