package service

import "sync"

// JobSignal tells the readers of jobs' progress in this process (the job
// event streams) the moment a job of this process changes, so they read
// it back at once instead of at their next poll. It says nothing of
// which job: a reader reads its own back. A reader in another process
// than the worker still polls.
type JobSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

// Changed returns a channel closed at the next change of any job. Take it
// before reading a job: a change after the read then still wakes.
func (s *JobSignal) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes every reader waiting on Changed; a nil signal does nothing.
func (s *JobSignal) Notify() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}
