package service

import (
	"io"
	"path/filepath"
	"sync"

	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// prefetchAtOnce bounds the inputs opened at once ahead of the renderer.
const prefetchAtOnce = 8

// prefetch opens a job's inputs ahead of the renderer, several at once.
// The renderer opens each stem once for its header and once to decode it,
// one stem after another; read in place from a remote store, every open is
// a round trip (the first ranged request). Opened here all together, the
// renderer's opens find them ready: a job waits for about one round trip
// instead of two per stem.
type prefetch struct {
	open func(path string) (io.ReadSeekCloser, error)
	mu   sync.Mutex
	// ready holds the opens begun for each path, in order, until the
	// renderer takes them.
	ready map[string][]*opening
	wg    sync.WaitGroup
}

// opening is one open running or done.
type opening struct {
	done chan struct{}
	rc   io.ReadSeekCloser
	err  error
}

// newPrefetch begins, for each path, as many opens as times[path] says.
func newPrefetch(open func(path string) (io.ReadSeekCloser, error), paths []string, times func(path string) int) *prefetch {
	p := &prefetch{open: open, ready: map[string][]*opening{}}
	slots := make(chan struct{}, prefetchAtOnce)
	for _, path := range paths {
		for range times(path) {
			o := &opening{done: make(chan struct{})}
			p.ready[path] = append(p.ready[path], o)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer close(o.done)
				slots <- struct{}{}
				defer func() { <-slots }()
				defer safego.Recover("render's prefetch of "+filepath.Base(path), func(err error) { o.err = err })
				faultpoint.Hit("render.prefetch")
				o.rc, o.err = open(path)
			}()
		}
	}
	return p
}

// Open returns an input opened ahead when one is left for path, else
// opens it now.
func (p *prefetch) Open(path string) (io.ReadSeekCloser, error) {
	p.mu.Lock()
	q := p.ready[path]
	var o *opening
	if len(q) > 0 {
		o, p.ready[path] = q[0], q[1:]
	}
	p.mu.Unlock()
	if o == nil {
		return p.open(path)
	}
	<-o.done
	return o.rc, o.err
}

// close waits for the opens begun and closes those never taken.
func (p *prefetch) close() {
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	for path, q := range p.ready {
		for _, o := range q {
			if o.rc != nil {
				o.rc.Close()
			}
		}
		delete(p.ready, path)
	}
}
