package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// The store's times — a job's heartbeat, claim, start and end, a
// project's creation and expiry, a revision's date — are the database's
// clock, the one every front end and worker shares. A machine's own clock
// may be minutes or days off (no NTP, a VM resumed from an old snapshot)
// or step while the process runs (NTP correcting it, an operator setting
// the date): heartbeats written on a clock behind the others' made a live
// worker's render look dead, so a second worker rendered the same job; on
// a clock ahead, a dead worker's job was not taken over until the real time
// caught up; a project created on a clock a month behind expired at once.
//
// dbClock keeps the database's clock in the process without a query per
// read: the database's time at its last reading, advanced since by this
// machine's monotonic clock, which no change of the date moves. It is
// read again every clockRefresh, and at once when the machine's wall clock
// is seen to jump against the monotonic one (a step, a VM resumed).
type dbClock struct {
	// wall is this machine's clock (time.Now); tests set it off, as a
	// machine without NTP. It is the witness of a jump (and the fallback
	// of a dbClock never read, which openSQL does not hand out).
	wall func() time.Time
	// read reads the database's clock (SQL.Clock).
	read func(ctx context.Context) (time.Time, error)

	mu     sync.Mutex
	db     time.Time // the database's time at the last reading; zero: never read
	mono   time.Time // time.Now() at that reading: its monotonic part times what passed since
	wallAt time.Time // wall() at that reading
	// reading is set while a reading runs in the background.
	reading atomic.Bool
	// log is the process's logger (SQL.SetLogger); nil: slog's default.
	log atomic.Pointer[slog.Logger]
}

const (
	// clockRefresh is how often the database's clock is read again: the
	// two clocks' rates differ by parts per million at most.
	clockRefresh = time.Minute
	// clockJump is the disagreement between the wall clock's and the
	// monotonic clock's elapsed times taken for a jump of the wall clock
	// (or a suspended machine, whose monotonic clock stood still).
	clockJump = time.Second
)

func newDBClock(read func(ctx context.Context) (time.Time, error)) *dbClock {
	return &dbClock{wall: time.Now, read: read}
}

// sync reads the database's clock and anchors the process's to it. The
// reading is taken to be the database's time halfway through the query.
func (c *dbClock) sync(ctx context.Context) error {
	sent, wallSent := time.Now(), c.wall()
	db, err := c.read(ctx)
	if err != nil {
		return err
	}
	half := time.Since(sent) / 2
	c.mu.Lock()
	c.db, c.mono, c.wallAt = db, sent.Add(half), wallSent.Add(half)
	c.mu.Unlock()
	return nil
}

// now is the database's time as the process keeps it.
func (c *dbClock) now() time.Time {
	c.mu.Lock()
	db, mono, wallAt := c.db, c.mono, c.wallAt
	c.mu.Unlock()
	if db.IsZero() {
		// Never read: only a dbClock built without its first reading
		// (openSQL fails when that reading fails), whose best is this
		// machine's clock until a reading succeeds.
		c.refresh()
		return c.wall().UTC()
	}
	passed := time.Since(mono)
	if passed > clockRefresh || (c.wall().Sub(wallAt.Round(0))-passed).Abs() > clockJump {
		c.refresh()
	}
	return db.Add(passed).UTC()
}

// refresh reads the database's clock again in the background: now is
// called inside transactions and must not wait on a query of its own.
func (c *dbClock) refresh() {
	if !c.reading.CompareAndSwap(false, true) {
		return
	}
	go c.readAgain()
}

// readAgain is refresh's reading, on a goroutine of its own.
func (c *dbClock) readAgain() {
	defer c.reading.Store(false)
	// Nothing waits for a reading; a panic here (a bug) must not end the
	// server with every client's job: it is logged with its stack and
	// counts as a reading that failed, so the old one stands and the
	// next now tries again.
	defer safego.Recover("reading of the database's clock", safego.Log(c.logger(), "reading of the database's clock panicked"))
	faultpoint.Hit("store.clock")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.sync(ctx) // failing, the old reading stands and the next now tries again
}

// logger is where the clock's background work logs: the process's
// logger once SetLogger gave it.
func (c *dbClock) logger() *slog.Logger {
	if l := c.log.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// SetLogger gives the store the process's logger for what it logs of its
// own background work (a reading of the database's clock that panicked),
// which no caller is there to be told of: it goes with the process's
// other lines, in their format and at their level, not to slog's default.
func (s *SQL) SetLogger(l *slog.Logger) { s.clock.log.Store(l) }

// Now is the database's clock as this process keeps it (dbClock): the
// clock every time the store records is read from and compared with.
// Front ends and workers give it to whatever they store (a project's
// expiry) and compare with stored times, never their own machine's clock.
func (s *SQL) Now() time.Time { return s.clock.now() }
