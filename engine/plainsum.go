package engine

import (
	"slices"
	"sync"

	"stemmaster/audio"
	"stemmaster/dsp/stemsum"
)

// PlainSink receives the plain sum of the stems while the render decodes
// them: every stem as delivered, at unity, without offset, gain, pan or
// processing; a mono stem in the centre at the constant-power law's −3 dB
// (dsp.PanGains(0)), the first two channels of a wider one; stems shorter
// than the longest padded with silence; at the song's rate. It is what the
// A/B player compares the master with, made from the decode the render
// does anyway (a stem the render does not play, muted, it reads for the
// sum alone, in the same pass).
//
// Begin is called once, before the first Write, and only when the song is
// at the rate the plain sum is taken at (PlainSumRate); End after the last Write, once the sum is complete. A
// sink whose Begin or Write fails is not called again and the render goes
// on: the sum is an extra, never a reason to fail a master. Calls come
// from one goroutine at a time.
type PlainSink interface {
	Begin(rate int) error
	Write(b *audio.Buffer) error
	End() error
}

// MaxPreviewRate is the highest rate of the plain sum's preview file, and
// of the service's stream previews: a player or a DAW plays 48 kHz or
// less on almost every machine, and a preview at 192 kHz took four times
// the space of one at 48 kHz for nothing heard. A sum at a higher rate is
// converted down to it.
const MaxPreviewRate = 48000

// PreviewRate is the rate of the preview of audio at rate, the plain
// sum's or a stream preview's: rate, converted down to MaxPreviewRate
// above it.
func PreviewRate(rate int) int { return min(rate, MaxPreviewRate) }

// PlainSumRate is the rate the plain sum of stems at these rates is taken
// at, and the song's rate when every stem consents to resampling (master
// --resample, assist): the most common, ties to the higher.
func PlainSumRate(rates []int) int {
	count := map[int]int{}
	for _, r := range rates {
		count[r]++
	}
	rate := 0
	for r, n := range count {
		if n > count[rate] || n == count[rate] && r > rate {
			rate = r
		}
	}
	return rate
}

// AddPlain adds n frames of b, one stem as delivered, to the stereo sum:
// the one summer's placement (stemsum.AddPlain), named here for the
// callers that take the plain sum's rate from this package too.
func AddPlain(sum, b *audio.Buffer, n int) { stemsum.AddPlain(sum, b, n) }

// plainSum gathers the stems' decoded blocks from their strips, which read
// their files at different positions (offsets), and hands the sum to the
// sink as soon as every unfinished stem has passed a frame. Each stem's
// pending frames are kept as decoded, so the sum adds them in the stems'
// order whatever the strips' timing: it holds the spread between the
// stems' read positions (their offsets' spread plus a few blocks), never
// the song.
type plainSum struct {
	mu      sync.Mutex
	sink    PlainSink
	failed  bool
	pending []*audio.Buffer // by stem: decoded frames not yet summed
	fill    []int
	done    []bool
	out     *audio.Buffer
	view    *audio.Buffer
	feeds   plainFeeds // the stems no strip decodes (plainfeed.go)
}

func newPlainSum(sink PlainSink, rate int, channels []int) *plainSum {
	p := &plainSum{sink: sink, pending: make([]*audio.Buffer, len(channels)), fill: make([]int, len(channels)),
		done: make([]bool, len(channels)), out: audio.NewBuffer(busChannels, BlockSize), view: &audio.Buffer{}}
	p.feeds.room.L = &p.mu
	for i, ch := range channels {
		p.pending[i] = audio.NewBuffer(ch, BlockSize)
	}
	if err := sink.Begin(rate); err != nil {
		p.failed = true
	}
	return p
}

// push appends n decoded frames of stem i.
func (p *plainSum) push(i int, b *audio.Buffer, n int) {
	if p == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.pending[i]
	need := p.fill[i] + n
	if need > q.Frames() {
		for c := range q.Data {
			grown := slices.Grow(q.Data[c][:p.fill[i]], need-p.fill[i])
			q.Data[c] = grown[:cap(grown)]
		}
	}
	for c := range q.Data {
		copy(q.Data[c][p.fill[i]:need], b.Data[c][:n])
	}
	p.fill[i] = need
}

// finish marks stem i read to its end.
func (p *plainSum) finish(i int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.done[i] = true
	p.mu.Unlock()
}

// flush hands the sink every frame all unfinished stems have reached; all,
// once every stem is read, the rest.
func (p *plainSum) flush(all bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ready, longest := -1, 0
	for i, f := range p.fill {
		longest = max(longest, f)
		if !all && !p.done[i] && (ready < 0 || f < ready) {
			ready = f
		}
	}
	if ready < 0 {
		ready = longest
	}
	for off := 0; off < ready && !p.failed; off += BlockSize {
		n := min(BlockSize, ready-off)
		p.out.SetFrames(n)
		p.out.Zero()
		for i, q := range p.pending {
			if k := min(n, p.fill[i]-off); k > 0 {
				p.view.Data = p.view.Data[:0]
				for c := range q.Data {
					p.view.Data = append(p.view.Data, q.Data[c][off:])
				}
				AddPlain(p.out, p.view, k)
			}
		}
		if err := p.sink.Write(p.out); err != nil {
			p.failed = true
		}
	}
	p.out.SetFrames(BlockSize)
	for i, q := range p.pending {
		k := min(ready, p.fill[i])
		for c := range q.Data {
			copy(q.Data[c], q.Data[c][k:p.fill[i]])
		}
		p.fill[i] -= k
	}
	p.feeds.room.Broadcast()
}

// end completes the sum and tells the sink; it returns a feed's panic.
func (p *plainSum) end() error {
	if p == nil {
		return nil
	}
	p.endFeeds()
	p.flush(true)
	if !p.failed {
		p.sink.End()
	}
	return p.feeds.bug.Err()
}

// plainSum attaches the plain sum to the main version's strips when asked
// for and when the song is at the rate PlainSumRate gives; a stem no strip
// decodes (muted out of the main sum) is read for the sum alone, at the
// strips' pace (plainfeed.go).
func (r *renderer) plainSum(strips []*strip) *plainSum {
	if r.opt.PlainSum == nil {
		return nil
	}
	rates := make([]int, len(r.inputs))
	channels := make([]int, len(r.inputs))
	for i, in := range r.inputs {
		if in.index != i {
			return nil
		}
		rates[i] = in.info.Format.SampleRate
		channels[i] = in.info.Format.Channels
	}
	if PlainSumRate(rates) != r.rate {
		return nil
	}
	r.plain = newPlainSum(r.opt.PlainSum, r.rate, channels)
	for i, st := range strips {
		if st == nil {
			r.plain.feed(r.ctx, r.inputs[i], r.rate)
			continue
		}
		st.plain = r.plain
	}
	return r.plain
}
