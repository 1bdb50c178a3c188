// Package faultpoint lets the fault-injection tests kill the service at a
// named point of its work, the way a crash or kill -9 would: when the
// environment variable STEMMASTER_FAULT names a point ("render-published"),
// or "point:N" for its N-th hit, the process sends itself SIGKILL there.
// STEMMASTER_FAULT_DELAY ("point=2s", several separated by commas) instead
// holds the first hit of each point that long, as a slow worker would (to make jobs finish out of
// order); "point*=2s" holds every hit of it (a browser test that must catch
// each render while it runs). With the variables unset (every real deployment) Hit is one
// atomic load.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package faultpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Env is the environment variable that arms a fault point; DelayEnv the
// one that arms a delay.
const (
	Env      = "STEMMASTER_FAULT"
	DelayEnv = "STEMMASTER_FAULT_DELAY"
)

var (
	once  sync.Once
	armed string
	nth   int64 = 1
	hits  atomic.Int64
	on    atomic.Bool

	delays  = map[string]time.Duration{} // read-only after load
	every   = map[string]bool{}          // points held at every hit; read-only after load
	delayed sync.Map                     // point → struct{}: its delay is spent
)

func load() {
	for _, item := range strings.Split(os.Getenv(DelayEnv), ",") {
		if name, d, ok := strings.Cut(item, "="); ok {
			if dur, err := time.ParseDuration(d); err == nil {
				name, all := strings.CutSuffix(name, "*")
				delays[name] = dur
				every[name] = all
				on.Store(true)
			}
		}
	}
	v := os.Getenv(Env)
	if v == "" {
		return
	}
	name, count, ok := strings.Cut(v, ":")
	if ok {
		if n, err := strconv.ParseInt(count, 10, 64); err == nil && n > 0 {
			nth = n
		}
	}
	armed = name
	on.Store(true)
}

// Hit kills the process if the point name is armed (on its N-th hit), or
// waits there if a delay is armed for it (its first hit, or every hit).
func Hit(name string) {
	once.Do(load)
	if !on.Load() {
		return
	}
	if d, ok := delays[name]; ok {
		if _, spent := delayed.LoadOrStore(name, struct{}{}); !spent || every[name] {
			time.Sleep(d)
		}
	}
	if name != armed {
		return
	}
	if hits.Add(1) == nth {
		kill()
	}
}
