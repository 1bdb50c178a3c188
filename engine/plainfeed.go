package engine

import (
	"context"
	"io"
	"sync"

	"stemmaster/audio"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// A stem the main version does not play (muted) has no strip, yet the
// plain sum holds every stem as delivered. A feed reads such a stem for
// the sum alone, in the render's own pass, so the sum never needs a
// second reading of the stems once the render is done. It runs at most
// feedAhead frames ahead of what the sum has handed over, so it holds a
// few blocks, never the song; once the strips are done it reads on to
// the end.
const feedAhead = 8 * BlockSize

// plainFeeds are the feeds of one plain sum; room, on the sum's mutex,
// wakes a feed when the sum hands frames over.
type plainFeeds struct {
	wg      sync.WaitGroup
	room    sync.Cond
	ending  bool // the strips are done: feeds read on and hand over themselves
	stopped bool // the render is over or failed: feeds stop
	bug     safego.Carry
}

// feed starts reading in (at the song's rate, as its strip would) into
// stem in.index of the sum. A feed that fails fails the sum: the sink is
// not called again and the caller makes the sum another way.
func (p *plainSum) feed(ctx context.Context, in stemInput, rate int) {
	p.feeds.wg.Add(1)
	go func() {
		defer p.feeds.wg.Done()
		defer safego.Recover("render's plain sum", func(err error) {
			p.feeds.bug.Keep(err) // a bug fails the render (end), not just the sum
			p.feedFailed()
		})
		faultpoint.Hit("render.plainfeed")
		if err := p.runFeed(ctx, in, rate); err != nil {
			p.feedFailed()
		}
	}()
}

// feedFailed fails the sum and wakes the other feeds.
func (p *plainSum) feedFailed() {
	p.mu.Lock()
	p.failed = true
	p.mu.Unlock()
	p.feeds.room.Broadcast()
}

func (p *plainSum) runFeed(ctx context.Context, in stemInput, rate int) error {
	f, err := openStem(in, rate)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := audio.NewBuffer(in.info.Format.Channels, BlockSize)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ending, ok := p.waitRoom(in.index)
		if !ok {
			return errAbandoned
		}
		buf.SetFrames(BlockSize)
		n, err := f.Read(buf)
		p.push(in.index, buf, n)
		if err == io.EOF || err == nil && n == 0 {
			p.finish(in.index)
			if ending {
				p.flush(false)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if ending {
			p.flush(false)
		}
	}
}

// waitRoom waits until stem i may take another block; it reports whether
// the strips are done and whether the feed is to go on at all.
func (p *plainSum) waitRoom(i int) (ending, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.failed && !p.feeds.stopped && !p.feeds.ending && p.fill[i] >= feedAhead {
		p.feeds.room.Wait()
	}
	return p.feeds.ending, !p.failed && !p.feeds.stopped
}

// endFeeds lets the feeds read to their ends once the strips are done and
// waits for them.
func (p *plainSum) endFeeds() {
	p.mu.Lock()
	p.feeds.ending = true
	p.mu.Unlock()
	p.feeds.room.Broadcast()
	p.feeds.wg.Wait()
}

// stop ends the feeds of a render that fails before its sum is complete
// and waits for them; after end it does nothing.
func (p *plainSum) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.feeds.stopped = true
	p.mu.Unlock()
	p.feeds.room.Broadcast()
	p.feeds.wg.Wait()
}
