package engine

import (
	"math"
	"sync"
	"time"

	"stemmaster"
)

// clock records the report's timing table: per stage its first start, last
// end and the time spent in it summed over goroutines. Its methods are
// safe for concurrent use and do nothing on a nil clock; recording costs
// two time.Now calls per block, nothing per sample.
type clock struct {
	start time.Time
	mu    sync.Mutex
	rows  []stemmaster.StageTiming
	index map[string]int
}

func newClock() *clock { return &clock{start: time.Now(), index: map[string]int{}} }

// span records that stage ran from t0 until now.
func (c *clock) span(stage string, t0 time.Time) {
	if c == nil {
		return
	}
	now := time.Now()
	s0, s1 := t0.Sub(c.start).Seconds(), now.Sub(c.start).Seconds()
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[stage]
	if !ok {
		i = len(c.rows)
		c.index[stage] = i
		c.rows = append(c.rows, stemmaster.StageTiming{Stage: stage, StartS: stemmaster.Level(s0), EndS: stemmaster.Level(s1)})
	}
	r := &c.rows[i]
	r.StartS = stemmaster.Level(math.Min(float64(r.StartS), s0))
	r.EndS = stemmaster.Level(math.Max(float64(r.EndS), s1))
	r.BusyS += stemmaster.Level(s1 - s0)
}

// begin starts a stage; the function it returns ends it.
func (c *clock) begin(stage string) func() {
	if c == nil {
		return func() {}
	}
	t0 := time.Now()
	return func() { c.span(stage, t0) }
}

// table returns the rows in the order the stages first ended, times
// rounded to the millisecond.
func (c *clock) table() []stemmaster.StageTiming {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rows := make([]stemmaster.StageTiming, len(c.rows))
	for i, r := range c.rows {
		r.StartS, r.EndS, r.BusyS = ms(r.StartS), ms(r.EndS), ms(r.BusyS)
		rows[i] = r
	}
	return rows
}

func ms(l stemmaster.Level) stemmaster.Level {
	return stemmaster.Level(math.Round(float64(l)*1000) / 1000)
}
