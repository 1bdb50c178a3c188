package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stemmaster/internal/faultpoint"
)

// offClock sets a handle's machine clock off by the value off holds
// (changed while the test runs: a clock that steps), as a machine without
// NTP, or one whose date an operator or NTP just set.
func offClock(s *SQL, off *atomic.Int64) {
	s.clock.wall = func() time.Time { return time.Now().Add(time.Duration(off.Load())) }
}

// TestLeaseOnTheDatabaseClock: two workers (two handles on one database)
// whose machines' clocks disagree by more than a lease. The job the skewed
// worker runs is held while it beats its heartbeat and is taken over once
// the heartbeat is older than the lease, both by the database's clock: on
// the machines' clocks, a worker 2 minutes behind had its live render
// found stale and claimed by the other (the same job rendered twice), and
// a worker an hour ahead that died kept its job from every other worker
// for the hour.
func TestLeaseOnTheDatabaseClock(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		for _, skew := range []time.Duration{-2 * time.Minute, time.Hour} {
			t.Run(fmt.Sprint(skew), func(t *testing.T) {
				const lease = 30 * time.Second
				p := fmt.Sprintf("clock-%s-%d", name, skew/time.Second)
				createProject(t, s, p, now)
				skewed := secondProcess(t, name, s)
				var off atomic.Int64
				off.Store(int64(skew))
				offClock(skewed, &off)
				job := p + "-r"
				if err := s.CreateJob(ctx, &Job{ID: job, ProjectID: p, Kind: JobRender, State: StateQueued, CreatedAt: now}); err != nil {
					t.Fatal(err)
				}
				if c, err := skewed.ClaimJob(ctx, p, job, JobRender, 1, 0, lease); err != nil || c != Claimed {
					t.Fatalf("the skewed worker's claim: %v %v", c, err)
				}
				if _, err := skewed.Heartbeat(ctx, job); err != nil {
					t.Fatal(err)
				}
				// The worker on time sees the job running, its heartbeat fresh.
				if stale, err := s.StaleJobs(ctx, []string{job}, lease); err != nil || stale[job] {
					t.Errorf("a heartbeat just beaten, on a clock %v off: stale %v %v", skew, stale, err)
				}
				if c, err := s.ClaimJob(ctx, p, job, JobRender, 1, 0, lease); err != nil || c != ClaimHeld {
					t.Errorf("the job handed to the worker on time while the skewed one beats: %v %v, want ClaimHeld", c, err)
				}
				// The skewed worker dies. Its heartbeat, older than a short
				// lease once four such leases have passed, is stale to the
				// worker on time, which takes the job over. The slack
				// covers the two handles' readings of the database's
				// clock, each within half a query's round trip (tens of
				// milliseconds on a loaded machine), and is still far
				// below the skews.
				const short = 50 * time.Millisecond
				time.Sleep(4 * short)
				if stale, err := s.StaleJobs(ctx, []string{job}, short); err != nil || !stale[job] {
					t.Errorf("a heartbeat past its lease, beaten on a clock %v off: stale %v %v", skew, stale, err)
				}
				if c, err := s.ClaimJob(ctx, p, job, JobRender, 1, 0, short); err != nil || c != Claimed {
					t.Errorf("the dead skewed worker's job: %v %v, want claimed", c, err)
				}
				// The skewed machine's clock steps back to the right time
				// (NTP at last): its times stay on the database's.
				off.Store(0)
				if d := skewed.Now().Sub(s.Now()).Abs(); d > time.Second {
					t.Errorf("after the skewed clock stepped %v, the handles' clocks differ by %v", -skew, d)
				}
			})
		}
	})
}

// TestNowFollowsTheDatabase: a handle's Now is the database's clock
// however far its machine's clock is off or steps, and stays so without a
// query per reading.
func TestNowFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, name string, s *SQL, ctx context.Context, now time.Time) {
		var off atomic.Int64
		off.Store(int64(-30 * 24 * time.Hour))
		offClock(s, &off)
		near := func(when string) {
			t.Helper()
			db, err := s.Clock(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if d := s.Now().Sub(db).Abs(); d > time.Second {
				t.Errorf("%s: Now is %v off the database's clock", when, d)
			}
		}
		near("a machine a month behind")
		off.Store(int64(3 * time.Hour))
		near("its clock stepped 3 hours ahead")
	})
}

// TestOpenReadsTheDatabaseClock: a handle is handed out only once the
// database's clock was read, so nothing (a project's expiry, a lease,
// River's leader term) is ever stored on the machine's clock: a database
// that answers the migrations but not the clock's reading fails the open,
// naming the clock.
func TestOpenReadsTheDatabaseClock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "meta.sqlite")
	unread := func(*SQL, context.Context) (time.Time, error) { return time.Time{}, fmt.Errorf("connection reset") }
	s, err := openSQL(context.Background(), path, true, unread)
	if err == nil {
		t.Errorf("the database's clock unread at open: OpenSQL succeeded (Now on the machine's clock %v), want an error", s.Now())
		s.Close()
	} else if !strings.Contains(err.Error(), "clock") {
		t.Errorf("the database's clock unread at open: %v, want an error naming the clock", err)
	}
	s, err = OpenSQL(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.clock.db.IsZero() {
		t.Error("an open handle holds no reading of the database's clock")
	}
}

// TestClockReadingPanic: a panic in the background reading of the
// database's clock (internal/faultpoint) neither ends the process nor
// leaves a reading marked as running: the old reading stands and the next
// one reads the database. Not parallel: the point is armed for the
// process.
func TestClockReadingPanic(t *testing.T) {
	db := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	reads := 0
	c := newDBClock(func(context.Context) (time.Time, error) { reads++; return db, nil })
	disarm := faultpoint.Arm("store.clock:panic")
	c.reading.Store(true)
	c.readAgain()
	disarm()
	if c.reading.Load() || reads != 0 || !c.db.IsZero() {
		t.Fatalf("after a reading that panicked: running %v, %d reads, reading %v; want none running, none read", c.reading.Load(), reads, c.db)
	}
	c.reading.Store(true)
	c.readAgain()
	if c.reading.Load() || reads != 1 || !c.db.Equal(db) {
		t.Errorf("the next reading: running %v, %d reads, reading %v; want the database's %v", c.reading.Load(), reads, c.db, db)
	}

	// The panic is logged through the process's logger, given to the
	// store, with its stack, not through slog's default.
	s, err := OpenSQL(context.Background(), filepath.Join(t.TempDir(), "meta.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var logged bytes.Buffer
	s.SetLogger(slog.New(slog.NewJSONHandler(&logged, nil)))
	disarm = faultpoint.Arm("store.clock:panic")
	defer disarm()
	s.clock.reading.Store(true)
	s.clock.readAgain()
	if !strings.Contains(logged.String(), `"msg":"reading of the database's clock panicked"`) || !strings.Contains(logged.String(), `"stack"`) {
		t.Errorf("the panic logged as %q; want it on the store's logger, with its stack", logged.String())
	}
}
