package store

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Job change notices: a reader of a job's progress (the job event
// streams) waits on JobChanged instead of reading the job back every
// moment.
//
// The store tells of every change it makes to a job's state, stage,
// progress or attempt (heartbeats, which change only updated_at, are not
// told). SQLite serves one process, so the store wakes that process's
// waiters itself once the change is committed. PostgreSQL is shared by
// processes on many machines: the store sends NOTIFY on jobChannel with
// the job's id after the change, and each process that has waiters holds
// one connection that LISTENs on it, so a worker's progress on one
// machine wakes the streams of every front end at once.
//
// A notice can be missed: the listening connection drops (every waiter is
// woken when it comes back, as something may have changed meanwhile), a
// process dies between its commit and its NOTIFY, or another process
// writes the same SQLite file. Readers therefore still read the job back
// now and then (slowly), as the safety net.

// jobChannel is the PostgreSQL notification channel of job changes; its
// payload is the job's id.
const jobChannel = "stemmaster_jobs"

// listenRetry bounds the wait before the listening connection is opened
// again after it failed.
const listenRetry = 5 * time.Second

// jobWatch holds the channels of the jobs some reader waits on.
type jobWatch struct {
	mu      sync.Mutex
	waiting map[string]*jobWaiters
	// stop ends the PostgreSQL listener (nil until it starts); done is
	// closed when it has ended.
	stop func()
	done chan struct{}
}

// jobWaiters is the channel of one job and how many readers wait on it.
type jobWaiters struct {
	ch chan struct{}
	n  int
}

// JobChanged returns a channel closed at the next change of the job's
// state, stage, progress or attempt, by this process or (PostgreSQL) any
// other sharing the database, and the function to call once no longer
// waiting on it (the channel of a job nobody waits on is forgotten, so
// waiting on jobs that never change again costs nothing). Take it before
// reading the job: a change after the read then still wakes. It may also
// close without a change (a reader then reads the job back and finds it
// the same), and a change may go untold (see above): wait with a timeout.
func (s *SQL) JobChanged(jobID string) (<-chan struct{}, func()) {
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.dialect == Postgres && w.stop == nil && s.dsn != "" {
		ctx, cancel := context.WithCancel(context.Background())
		w.stop, w.done = cancel, make(chan struct{})
		go s.listen(ctx, w.done)
	}
	if w.waiting == nil {
		w.waiting = map[string]*jobWaiters{}
	}
	e := w.waiting[jobID]
	if e == nil {
		e = &jobWaiters{ch: make(chan struct{})}
		w.waiting[jobID] = e
	}
	e.n++
	var once sync.Once
	return e.ch, func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if e.n--; e.n == 0 && w.waiting[jobID] == e {
				delete(w.waiting, jobID)
			}
		})
	}
}

// wake closes the channels of the jobs named (every job's with none).
func (w *jobWatch) wake(all bool, ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if all {
		for id, e := range w.waiting {
			close(e.ch)
			delete(w.waiting, id)
		}
		return
	}
	for _, id := range ids {
		if e := w.waiting[id]; e != nil {
			close(e.ch)
			delete(w.waiting, id)
		}
	}
}

// jobsChanged tells of a committed change of the jobs ids: SQLite wakes
// this process's waiters; PostgreSQL notifies every process listening,
// this one included. A notice that cannot be sent is dropped: the
// readers' slow reads catch the change up.
func (s *SQL) jobsChanged(ctx context.Context, ids ...string) {
	if len(ids) == 0 {
		return
	}
	if s.dialect != Postgres {
		s.watch.wake(false, ids...)
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, id := range ids {
		s.db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, jobChannel, id)
	}
}

// listen LISTENs for job changes on a connection of its own until ctx
// ends, waking the waiters of each job told; it opens the connection
// again whenever it fails: at once after one that listened (the database
// restarted, or ended the session), after listenRetry otherwise.
func (s *SQL) listen(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	for ctx.Err() == nil {
		listened := false
		conn, err := pgx.Connect(ctx, s.dsn)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+jobChannel); err == nil {
				listened = true
				// Changes made before it listened went untold.
				s.watch.wake(true)
				for {
					n, err := conn.WaitForNotification(ctx)
					if err != nil {
						break
					}
					s.watch.wake(false, n.Payload)
				}
			}
			conn.Close(context.Background())
		}
		// Changes from now until it listens again go untold: the waiters
		// read their jobs back, and wait again.
		s.watch.wake(true)
		if listened {
			continue
		}
		t := time.NewTimer(listenRetry)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// stopListening ends the PostgreSQL listener, if it runs, and waits for it.
func (w *jobWatch) stopListening() {
	w.mu.Lock()
	stop, done := w.stop, w.done
	w.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
