package jobs

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// storeClockRetry is River's retry policy for this system's jobs: River's
// own schedule (attempt⁴ seconds, ±10 %: 1 s, 16 s, 81 s …) counted from
// the store's clock (store.Metadata.Now, the database's), not the worker's.
// River writes the time it returns as the job's scheduled_at, and its
// fetch compares scheduled_at with the database's now(): counted on a
// worker's clock minutes behind, a put-off render (short of disk, the
// store not answering) ran again at once, over and over; on one ahead, it
// waited minutes more than it should.
//
// River's own clock is the store's too (storeClockTime), so that River
// never finds this policy's time earlier than its now and drops it for
// its default schedule on the worker's clock.
type storeClockRetry struct {
	now func() time.Time
}

func (p storeClockRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return p.now().UTC().Add(retryDelay(len(job.Errors)+1, rand.Float64()))
}

// storeClockTime is River's clock (its Config.Test.Time, the one hook
// River has for its time, named for tests) on the store's: the times River
// writes to be compared with the database's now() are on that clock. A
// snooze (a render waiting for its project's other render, a job held by
// another worker's lease, one cut off by a shutdown) is written as River's
// now plus the wait: on a worker's clock 2 minutes ahead, each such wait
// lasted 2 minutes more; on one 2 minutes behind, the job was fetched
// again at once, every fetch (5 ms apart), for as long as the other
// render ran. The finalized and attempted times, the leader's term and
// the maintenance horizons follow it too. NowOrNil is nil: River's queries
// then take the database's now() themselves.
type storeClockTime struct {
	now func() time.Time
}

func (c storeClockTime) Now() time.Time { return c.now() }

func (storeClockTime) NowOrNil() *time.Time { return nil }

// retryDelay is River's default delay before the retry following the
// errors-th error, jitter (0…1) spreading it over ±10 %.
func retryDelay(errors int, jitter float64) time.Duration {
	base := math.Pow(float64(max(errors, 1)), 4)
	s := base + base*0.1*(2*jitter-1)
	return time.Duration(min(s, 24*3600) * float64(time.Second))
}
