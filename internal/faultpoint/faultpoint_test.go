package faultpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// record arms p's sleep and kill to log instead of acting.
func record(p *points) (sleeps *[]string, kills *int) {
	sleeps, kills = new([]string), new(int)
	p.sleep = func(d time.Duration) { *sleeps = append(*sleeps, d.String()) }
	p.kill = func() { *kills++ }
	return sleeps, kills
}

// TestDelays: a point armed with "*" is held at every hit, one without at
// its first hit only, an unarmed point never; malformed items are ignored.
func TestDelays(t *testing.T) {
	t.Parallel()
	p := parse("every*=30ms,first=2s,bad=forever,noequals", "")
	sleeps, kills := record(p)
	for _, name := range []string{"every", "first", "unarmed", "every", "first", "every", "bad", "noequals"} {
		p.hit(name)
	}
	if want := []string{"30ms", "2s", "30ms", "30ms"}; !slices.Equal(*sleeps, want) {
		t.Errorf("sleeps %v, want %v", *sleeps, want)
	}
	if *kills != 0 {
		t.Errorf("%d kills with no point armed", *kills)
	}
}

// TestKill: "point" kills at its first hit, "point:N" at its N-th, and a
// malformed count means the first; other points never kill.
func TestKill(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  string
		hits int // hits of "p" before the kill; 0 = never
	}{
		{"p", 1},
		{"p:3", 3},
		{"p:x", 1},
		{"p:0", 1},
		{"q", 0},
		{"", 0},
	} {
		p := parse("", tc.env)
		_, kills := record(p)
		got := 0
		for n := 1; n <= 5; n++ {
			p.hit("other")
			p.hit("p")
			if *kills > 0 && got == 0 {
				got = n
			}
		}
		if got != tc.hits || *kills > 1 {
			t.Errorf("%q: killed at hit %d (%d kills), want %d", tc.env, got, *kills, tc.hits)
		}
	}
}

// TestUnarmed: with both variables empty nothing is armed, so a hit is
// the one flag test the package promises real deployments.
func TestUnarmed(t *testing.T) {
	t.Parallel()
	if p := parse("", ""); p.on {
		t.Error("points armed with empty variables")
	}
}

// TestGate: a hit of a gated point announces itself in the gate's
// directory and returns only once its .go file exists; other points pass.
func TestGate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := parse("", "")
	p.parseGates("held=" + dir + ",bad,=x")
	looks := make(chan struct{}, 1)
	p.sleep = func(time.Duration) {
		select {
		case looks <- struct{}{}:
		default:
		}
		time.Sleep(time.Millisecond)
	}
	p.hit("free") // not gated: returns at once
	done := make(chan struct{})
	go func() { p.hit("held"); close(done) }()
	<-looks // waiting at the gate
	name := filepath.Join(dir, fmt.Sprintf("%d-1", os.Getpid()))
	if _, err := os.Stat(name + ".wait"); err != nil {
		t.Fatalf("no .wait file for a hit held at the gate: %v", err)
	}
	select {
	case <-done:
		t.Fatal("the hit passed the gate before it was let go")
	default:
	}
	if err := os.WriteFile(name+".go", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	<-done
}

// TestPanic: "p:panic" panics at every hit of p, never kills, and leaves
// other points alone.
func TestPanic(t *testing.T) {
	t.Parallel()
	p := parse("", "p:panic")
	_, kills := record(p)
	p.hit("other")
	for range 2 {
		func() {
			defer func() {
				if v := recover(); v != "fault point p" {
					t.Errorf("hit of p recovered %v; want the panic \"fault point p\"", v)
				}
			}()
			p.hit("p")
		}()
	}
	if *kills != 0 {
		t.Errorf("%d kills; want none", *kills)
	}
}

// TestArm: a point armed in process panics at Hit until disarmed; other
// points pass.
func TestArm(t *testing.T) {
	disarm := Arm("armed:panic")
	Hit("other")
	func() {
		defer func() {
			if p := recover(); p != "fault point armed" {
				t.Errorf("Hit of the armed point panicked with %v", p)
			}
		}()
		Hit("armed")
	}()
	disarm()
	Hit("armed")
}
