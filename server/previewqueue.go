package server

import (
	"context"
	"errors"
	"io"
	"sync"

	"stemmaster/store"
)

// An upload returns as soon as its file is stored and recorded; its
// stream preview (a full decode, the loudness, the 16-bit copy) is made
// after, by one worker reading the stored file in place, so that the
// request never waits for it and the previews of a batch of uploads take
// one core, never both. The preview of a file whose turn has not come is
// pending: a request for it (the streams view, a segment) waits for it
// instead of making it a second time, and makes it itself only when the
// worker could not (a full queue, a failure, a server stopping) — the
// same path as a file uploaded before previews existed.

// previewQueueLen bounds the uploads waiting for their previews; past it
// a preview is made on first request.
const previewQueueLen = 64

// previewTask is the preview of one stored upload.
type previewTask struct {
	projectID string
	kind      string
	name      string // the upload's name, for the decoder's messages
	src       string // its blob key
}

// previewQueue is the worker and its pending previews.
type previewQueue struct {
	s       *Server
	mu      sync.Mutex
	pending map[string]chan struct{} // by blob key: closed once the worker is done with it
	tasks   chan previewTask
	ctx     context.Context
	stop    context.CancelFunc
	done    chan struct{} // closed when the worker has returned
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
// first request).
func (q *previewQueue) add(t previewTask) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ctx.Err() != nil {
		return false
	}
	if _, ok := q.pending[t.src]; ok {
		return true
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
					q.finish(t.src)
				default:
					return
				}
			}
		case t := <-q.tasks:
			q.make(t)
			q.finish(t.src)
		}
	}
}

// make makes one upload's preview under the preview lock of its key (a
// request that did not wait makes none beside it). A file deleted or
// replaced meanwhile gets none, or loses the one just made: its blobs are
// gone or going, and the preview must not outlive them.
func (q *previewQueue) make(t previewTask) {
	s := q.s
	mu := previewLock(streamKey(t.src))
	mu.Lock()
	defer mu.Unlock()
	if !q.current(q.ctx, t) {
		return
	}
	if rc, err := s.projects.OpenPreviewInfo(q.ctx, t.src); err == nil {
		rc.Close() // made on a request meanwhile
		return
	}
	open := func(string) (io.ReadSeekCloser, error) { return s.projects.OpenSource(q.ctx, t.src) }
	err := s.writeStreamPreview(q.ctx, t.src, t.name, open)
	if err != nil && !errors.Is(err, context.Canceled) {
		s.cfg.Logger.Warn("stream preview", "project", t.projectID, "file", t.name, "error", err)
	}
	// A preview cut short (its copy stored, not its description) or of a
	// file gone meanwhile goes.
	if err != nil || !q.current(context.WithoutCancel(q.ctx), t) {
		if err := s.projects.DeletePreview(context.WithoutCancel(q.ctx), t.src); err != nil {
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
