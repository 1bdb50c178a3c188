// Package faultpoint lets the fault-injection tests kill the service at a
// named point of its work, the way a crash or kill -9 would: when the
// environment variable STEMMASTER_FAULT names a point ("render-published"),
// or "point:N" for its N-th hit, the process sends itself SIGKILL there. With
// the variable unset (every real deployment) Hit is one atomic load.
package faultpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Env is the environment variable that arms a fault point.
const Env = "STEMMASTER_FAULT"

var (
	once  sync.Once
	armed string
	nth   int64 = 1
	hits  atomic.Int64
	on    atomic.Bool
)

func load() {
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

// Hit kills the process if the point name is armed (on its N-th hit).
func Hit(name string) {
	once.Do(load)
	if !on.Load() || name != armed {
		return
	}
	if hits.Add(1) == nth {
		kill()
	}
}
