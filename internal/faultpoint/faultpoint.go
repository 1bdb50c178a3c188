// Package faultpoint lets the fault-injection tests kill the service at a
// named point of its work, the way a crash or kill -9 would: when the
// environment variable STEMMASTER_FAULT names a point ("render-published"),
// or "point:N" for its N-th hit, the process sends itself SIGKILL there;
// "point:panic" panics there instead, at every hit (a bug in a goroutine,
// which the process must survive with the one job failed).
// STEMMASTER_FAULT_DELAY ("point=2s", several separated by commas) instead
// holds the first hit of each point that long, as a slow worker would (to make jobs finish out of
// order); "point*=2s" holds every hit of it (a browser test that must catch
// each render while it runs). STEMMASTER_FAULT_GATE ("point=DIR", several
// separated by commas) holds every hit of a point until the test lets it
// go: the process writes DIR/PID-N.wait (N counts the point's hits in the
// process) and waits until DIR/PID-N.go exists, so a test acts on what is
// running, never on a guess of how long it takes. With the variables unset (every real deployment) Hit is one
// load of a flag.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package faultpoint

import (
	"fmt"
	"os"
	"path/filepath"
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
	GateEnv  = "STEMMASTER_FAULT_GATE"
)

// points is the armed state the environment describes; read-only after
// parse except for the hit counter and the spent delays.
type points struct {
	armed   string
	nth     int64
	panics  bool // the armed point panics instead of killing
	hits    atomic.Int64
	on      bool                     // anything armed at all
	delays  map[string]time.Duration // point → how long its hit is held
	every   map[string]bool          // points held at every hit
	delayed sync.Map                 // point → struct{}: its delay is spent
	gates   map[string]string        // point → the directory of its gate
	passed  sync.Map                 // point → *atomic.Int64: its hits at the gate
	sleep   func(time.Duration)
	kill    func()
}

// parse reads the values of DelayEnv and Env (and GateEnv: parseGates).
func parse(delayEnv, env string) *points {
	p := &points{nth: 1, delays: map[string]time.Duration{}, every: map[string]bool{}, gates: map[string]string{}, sleep: time.Sleep, kill: kill}
	for _, item := range strings.Split(delayEnv, ",") {
		if name, d, ok := strings.Cut(item, "="); ok {
			if dur, err := time.ParseDuration(d); err == nil {
				name, all := strings.CutSuffix(name, "*")
				p.delays[name] = dur
				p.every[name] = all
				p.on = true
			}
		}
	}
	if env == "" {
		return p
	}
	name, count, ok := strings.Cut(env, ":")
	if ok && count == "panic" {
		p.panics = true
	} else if ok {
		if n, err := strconv.ParseInt(count, 10, 64); err == nil && n > 0 {
			p.nth = n
		}
	}
	p.armed = name
	p.on = true
	return p
}

// The process's points, read from the environment at the first Hit.
var (
	once    sync.Once
	process atomic.Pointer[points]
)

// Hit kills the process if the point name is armed (on its N-th hit), or
// waits there if a delay is armed for it (its first hit, or every hit).
func Hit(name string) {
	once.Do(fromEnv)
	process.Load().hit(name)
}

// fromEnv reads the process's points from the environment.
func fromEnv() {
	p := parse(os.Getenv(DelayEnv), os.Getenv(Env))
	p.parseGates(os.Getenv(GateEnv))
	process.Store(p)
}

// Arm arms the points as the value env of Env would ("point:panic"), in
// place of the environment's, until disarm is called: a test of the
// process's own goroutines (that a panic leaves none behind) arms a point
// in process, where the environment is read once.
func Arm(env string) (disarm func()) {
	once.Do(fromEnv)
	old := process.Swap(parse("", env))
	return func() { process.Store(old) }
}

// parseGates reads the value of GateEnv.
func (p *points) parseGates(env string) {
	for _, item := range strings.Split(env, ",") {
		if name, dir, ok := strings.Cut(item, "="); ok && name != "" && dir != "" {
			p.gates[name] = dir
			p.on = true
		}
	}
}

// gate holds a hit of name at its gate, if it has one, until let go.
func (p *points) gate(name string) {
	dir, ok := p.gates[name]
	if !ok {
		return
	}
	c, _ := p.passed.LoadOrStore(name, new(atomic.Int64))
	base := filepath.Join(dir, fmt.Sprintf("%d-%d", os.Getpid(), c.(*atomic.Int64).Add(1)))
	if err := os.WriteFile(base+".wait", nil, 0o644); err != nil {
		return // no gate to wait at: a test that cannot see it fails on its own
	}
	for {
		if _, err := os.Stat(base + ".go"); err == nil {
			return
		}
		p.sleep(10 * time.Millisecond) // a look at the gate, not a guess at a duration
	}
}

func (p *points) hit(name string) {
	if !p.on {
		return
	}
	p.gate(name)
	if d, ok := p.delays[name]; ok {
		if _, spent := p.delayed.LoadOrStore(name, struct{}{}); !spent || p.every[name] {
			p.sleep(d)
		}
	}
	if name != p.armed {
		return
	}
	if p.panics {
		panic("fault point " + name)
	}
	if p.hits.Add(1) == p.nth {
		p.kill()
	}
}
