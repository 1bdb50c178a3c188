package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"stemmaster/store"
)

// skewedStore is a store whose clock reads at.
type skewedStore struct {
	store.Metadata
	at time.Time
}

func (s skewedStore) Now() time.Time { return s.at }

// skewedWorker is a worker whose store's clock reads at.
type skewedWorker struct {
	storeWorker
	at time.Time
}

func (w *skewedWorker) Store() store.Metadata { return skewedStore{at: w.at} }

// TestRetryOnStoreClock: the client a working queue configures schedules a
// retry from the store's clock (here a year behind this machine's), on
// River's schedule: 1 s after the first error, 16 s after the second, 81 s
// after the third, each ±10 %.
func TestRetryOnStoreClock(t *testing.T) {
	at := time.Now().AddDate(-1, 0, 0).UTC()
	cfg := config(&fairness{r: &skewedWorker{at: at}}, QueueOptions{Work: true})
	if cfg.RetryPolicy == nil {
		t.Fatal("no retry policy: River counts retries on the worker's clock")
	}
	for errs, base := range []float64{1, 16, 81} {
		job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, errs)}
		for range 20 {
			d := cfg.RetryPolicy.NextRetry(job).Sub(at).Seconds()
			if d < 0.9*base || d > 1.1*base {
				t.Fatalf("after %d errors the retry is %.2f s after the store's now; want %.0f s ±10 %%", errs+1, d, base)
			}
		}
	}
	if lo, hi := retryDelay(3, 0), retryDelay(3, 1); lo != 72900*time.Millisecond || hi != 89100*time.Millisecond {
		t.Errorf("jitter spans %v…%v after the third error; want 72.9 s…89.1 s", lo, hi)
	}
}

// TestRiverTimeIsTheStores: River's clock in a working queue is the
// store's (here a year behind this machine's), so a snooze (a render
// waiting for its project's other render) is written as the database's
// now plus the wait: on the worker's clock, a worker 2 minutes behind
// fetched the waiting job again at once, every 5 ms, and one 2 minutes
// ahead made it wait 2 minutes more. River's queries take the database's
// now() (NowOrNil is nil).
func TestRiverTimeIsTheStores(t *testing.T) {
	at := time.Now().AddDate(-1, 0, 0).UTC()
	cfg := config(&fairness{r: &skewedWorker{at: at}}, QueueOptions{Work: true})
	if cfg.Test.Time == nil {
		t.Fatal("River's clock is the worker's: a snooze is scheduled by it")
	}
	if got := cfg.Test.Time.Now(); !got.Equal(at) {
		t.Errorf("River's now is %v, want the store's %v", got, at)
	}
	if cfg.Test.Time.NowOrNil() != nil {
		t.Error("River's queries are handed a time: they would not take the database's now()")
	}
}
