package resample

import "stemmaster/audio"

// minSplit is the fewest output frames each goroutine computes when a call
// splits its frames: below it the handoff would cost more than it saves.
const minSplit = 256

// helper computes the second half of the frames of each large Process or
// Flush call on a goroutine of its own, while the caller computes the
// first: the frames read the history and the table only, each frame's sums
// are the same operations wherever it is computed, so the output is the
// same bits.
type helper struct {
	jobs chan helpJob
	done chan struct{}
}

// helpJob is n frames from position q + r/l on, into dst from frame out.
type helpJob struct {
	dst  *audio.Buffer
	out  int
	n    int64
	q, r int64
}

// Parallel makes the converter compute the frames of each large Process
// or Flush call on two goroutines, the caller's and a helper's: for a
// stream that would otherwise be the longest chain of work on a machine
// with a core to spare (a deliverable's conversion behind the master).
// The output is the same bits. Close stops the helper; Parallel on a
// converter that copies (equal rates) or interpolates its table does
// nothing.
func (rs *Resampler) Parallel() {
	if rs.helper != nil || rs.identity || rs.interp {
		return
	}
	h := &helper{jobs: make(chan helpJob), done: make(chan struct{})}
	rs.helper = h
	go func() {
		var ln lane
		for j := range h.jobs {
			rs.frames(j.dst, j.out, j.n, j.q, j.r, &ln)
			h.done <- struct{}{}
		}
	}()
}

// Close stops the helper started by Parallel, if any; the converter then
// runs on the caller's goroutine alone.
func (rs *Resampler) Close() {
	if rs.helper != nil {
		close(rs.helper.jobs)
		rs.helper = nil
	}
}
