package server

import (
	"context"
	"errors"
	"strings"
	"sync"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/store"
)

// An upload returns as soon as its file is stored and recorded; its
// stream preview (a full decode, the loudness, the 16-bit copy) is made
// after, by one worker, from the upload's spool file (local: no second
// read of the stored object, which may be remote), so that the request
// never waits for it and the previews of a batch of uploads take one core,
// never both. The spool file stays, its bytes reserved against the disk
// (spools), until its preview is made.
//
// The preview of a file whose turn has not come is pending: a request for
// it (the streams view, a segment) waits for it instead of making it a
// second time, and makes it itself only when the worker could not (a full
// queue, a failure, a server stopping) — the same path as a file uploaded
// before previews existed. Deleting a file or a project waits for the
// preview the worker is making of the project's (settle; a project's is
// cancelled), so that none of what it deleted is stored after the delete
// is answered: the worker drops the preview of a file that is gone when
// its turn comes, so the delete need not wait for those still queued,
// behind up to previewQueueLen others' songs.

// previewQueueLen bounds the uploads waiting for their previews (and the
// spool files kept for them); past it a preview is made on first request.
const previewQueueLen = 16

// previewTask is the preview of one stored upload.
type previewTask struct {
	projectID string
	name      string // the upload's name, for the log
	src       string // its blob key
	path      string // its spool file
	release   func() // removes the spool file and ends its reservation
}

// previewQueue is the worker and its pending previews.
type previewQueue struct {
	s       *Server
	mu      sync.Mutex
	pending map[string]chan struct{} // by blob key: closed once the worker is done with it
	tasks   chan previewTask
	// making is the blob key of the preview the worker has taken, and
	// cancelMaking cancels it.
	making       string
	cancelMaking context.CancelFunc
	ctx          context.Context
	stop         context.CancelFunc
	done         chan struct{} // closed when the worker has returned
}

func newPreviewQueue(s *Server) *previewQueue {
	ctx, stop := context.WithCancel(context.Background())
	q := &previewQueue{s: s, pending: map[string]chan struct{}{}, tasks: make(chan previewTask, previewQueueLen),
		ctx: ctx, stop: stop, done: make(chan struct{})}
	go q.run()
	return q
}

// add queues the preview of a stored upload; it never blocks. It reports
// false when the queue is full or stopped (the preview is then made on
// first request); true when the queue took the task, whose release it
// calls once done with it.
func (q *previewQueue) add(t previewTask) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ctx.Err() != nil {
		return false
	}
	if _, ok := q.pending[t.src]; ok {
		return false
	}
	select {
	case q.tasks <- t:
		q.pending[t.src] = make(chan struct{})
		return true
	default:
		return false
	}
}

// wait returns once the preview of src is no longer pending (made, or
// left to the caller), or when ctx ends.
func (q *previewQueue) wait(ctx context.Context, src string) error {
	q.mu.Lock()
	ch := q.pending[src]
	q.mu.Unlock()
	return waitDone(ctx, ch)
}

// waitDone returns once ch is closed (at once for nil), or with ctx's
// error when ctx ends first.
func waitDone(ctx context.Context, ch chan struct{}) error {
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle returns once the worker is making no preview of the project's
// files, or when ctx ends; with cancel, the one it is making is
// cancelled (and its partial copy deleted). Called after a delete is
// committed: a preview the worker takes after that finds its file gone.
func (q *previewQueue) settle(ctx context.Context, projectID string, cancel bool) error {
	q.mu.Lock()
	var ch chan struct{}
	if q.making != "" && strings.HasPrefix(q.making, store.ProjectPrefix(projectID)) {
		ch = q.pending[q.making]
		if cancel {
			q.cancelMaking()
		}
	}
	q.mu.Unlock()
	return waitDone(ctx, ch)
}

// finish ends src's pending state.
func (q *previewQueue) finish(src string) {
	q.mu.Lock()
	if ch := q.pending[src]; ch != nil {
		close(ch)
		delete(q.pending, src)
	}
	q.mu.Unlock()
}

func (q *previewQueue) run() {
	defer close(q.done)
	for {
		select {
		case <-q.ctx.Done():
			// What is still queued is made on first request.
			for {
				select {
				case t := <-q.tasks:
					t.release()
					q.finish(t.src)
				default:
					return
				}
			}
		case t := <-q.tasks:
			ctx, cancel := context.WithCancel(q.ctx)
			q.mu.Lock()
			q.making, q.cancelMaking = t.src, cancel
			q.mu.Unlock()
			q.makeSafe(ctx, t)
			cancel()
			t.release()
			q.mu.Lock()
			q.making, q.cancelMaking = "", nil
			q.mu.Unlock()
			q.finish(t.src)
		}
	}
}

// makeSafe is make under safego. The worker is a background loop no
// request waits on directly: a panic making one preview (a bug, in a
// decoder most likely) is logged with its stack and that preview left to
// be made on first request, where the request's own recovery answers;
// the worker goes on with the next task, and the waiters of this one are
// told as for any preview (finish). The copy is stored only once written
// whole, so a panic leaves none behind.
func (q *previewQueue) makeSafe(ctx context.Context, t previewTask) {
	defer safego.Recover("stream preview", safego.Log(q.s.cfg.Logger, "stream preview panicked", "project", t.projectID, "file", t.name))
	faultpoint.Hit("server.preview")
	q.make(ctx, t)
}

// make makes one upload's preview under the preview lock of its key (a
// request that did not wait makes none beside it). A file deleted or
// replaced meanwhile gets none, or loses the one just made: its blobs are
// gone or going, and the preview must not outlive them.
func (q *previewQueue) make(ctx context.Context, t previewTask) {
	s := q.s
	mu := previewLock(streamKey(t.src))
	mu.Lock()
	defer mu.Unlock()
	if !q.current(ctx, t) {
		return
	}
	if rc, err := s.projects.OpenPreviewInfo(ctx, t.src); err == nil {
		rc.Close() // made on a request meanwhile
		return
	}
	err := s.writeStreamPreview(ctx, t.src, t.path, nil)
	if err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logger.Warn("stream preview", "project", t.projectID, "file", t.name, "error", err)
	}
	// A preview cut short (its copy stored, not its description) or of a
	// file gone meanwhile goes.
	if err != nil || !q.current(context.WithoutCancel(ctx), t) {
		if err := s.projects.DeletePreview(context.WithoutCancel(ctx), t.src); err != nil {
			s.cfg.Logger.Warn("delete blob", "project", t.projectID, "key", streamKey(t.src), "error", err)
		}
	}
}

// current says whether the upload is still one of its project's files.
func (q *previewQueue) current(ctx context.Context, t previewTask) bool {
	files, err := q.s.projects.Files(ctx, t.projectID)
	if err != nil {
		return !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil
	}
	for _, f := range files {
		if f.BlobKey == t.src {
			return true
		}
	}
	return false
}

// close stops the worker and waits for it: the preview it is making is
// abandoned, and those still queued are left to the first request for
// them.
func (q *previewQueue) close() {
	q.mu.Lock()
	q.stop()
	q.mu.Unlock()
	<-q.done
}
