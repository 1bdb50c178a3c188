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
// River's snoozes (a fairness limit's wait, a job cut off by a shutdown)
// are still counted on the worker's clock: River takes their time from
// its Config.Test.Time, a hook for tests, with no production option, and
// they are short (a second or two), so a skewed clock makes them run at
// once or wait the skew, never lose a job. River also drops a retry time
// earlier than its own clock's now for its default schedule: with the
// worker's clock ahead of the store's by more than the wait, the retry is
// counted on the worker's clock as before.
type storeClockRetry struct {
	now func() time.Time
}

func (p storeClockRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return p.now().UTC().Add(retryDelay(len(job.Errors)+1, rand.Float64()))
}

// retryDelay is River's default delay before the retry following the
// errors-th error, jitter (0…1) spreading it over ±10 %.
func retryDelay(errors int, jitter float64) time.Duration {
	base := math.Pow(float64(max(errors, 1)), 4)
	s := base + base*0.1*(2*jitter-1)
	return time.Duration(min(s, 24*3600) * float64(time.Second))
}
