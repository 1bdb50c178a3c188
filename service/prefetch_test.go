package service

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeInput struct {
	io.ReadSeeker
	closed *sync.WaitGroup
	n      int
}

func (f *fakeInput) Close() error { f.closed.Done(); return nil }

// TestPrefetchOpensAtOnce: the opens begun ahead run together (each waits
// until all of them have started, which a serial prefetch never reaches),
// the renderer's opens take them and then fall back to opening, a
// failed open keeps its error, and close closes what was never taken.
func TestPrefetchOpensAtOnce(t *testing.T) {
	t.Parallel()
	var started sync.WaitGroup
	var closed sync.WaitGroup
	const ahead = 5 // a.wav twice, b.wav twice, bad.wav once
	started.Add(ahead)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var mu sync.Mutex
	opened := map[string]int{}
	open := func(path string) (io.ReadSeekCloser, error) {
		mu.Lock()
		opened[path]++
		n := opened[path]
		mu.Unlock()
		if n <= 2 {
			started.Done()
			select {
			case <-all:
			case <-time.After(time.Minute):
				return nil, errors.New("the opens ahead did not run together")
			}
		}
		if path == "bad.wav" {
			return nil, errors.New("no such object")
		}
		closed.Add(1)
		return &fakeInput{ReadSeeker: strings.NewReader(path), closed: &closed, n: n}, nil
	}
	p := newPrefetch(open, []string{"a.wav", "b.wav", "bad.wav"}, func(path string) int {
		if path == "bad.wav" {
			return 1
		}
		return 2
	})
	// The two opens ahead of a.wav run together, so which of them counted
	// first is up to the scheduler: the renderer gets both (in either
	// order), then a third open made on demand.
	got := map[int]bool{}
	for i := 1; i <= 3; i++ {
		rc, err := p.Open("a.wav")
		if err != nil {
			t.Fatal(err)
		}
		n := rc.(*fakeInput).n
		if i <= 2 && (n > 2 || got[n]) || i == 3 && n != 3 {
			t.Errorf("open %d of a.wav got the reader opened %d (earlier: %v)", i, n, got)
		}
		got[n] = true
		rc.Close()
	}
	if _, err := p.Open("bad.wav"); err == nil || !strings.Contains(err.Error(), "no such object") {
		t.Errorf("bad.wav: got %v, want the open's error", err)
	}
	rc, err := p.Open("b.wav")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	p.close() // closes b.wav's second reader, never taken
	done := make(chan struct{})
	go func() { closed.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("a reader opened ahead was never closed")
	}
	if opened["a.wav"] != 3 || opened["b.wav"] != 2 || opened["bad.wav"] != 1 {
		t.Errorf("opens: %v", opened)
	}
}
