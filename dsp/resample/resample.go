package resample

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp/fir"
)

// Supported sample rates, in Hz.
const (
	MinRate = 8000
	MaxRate = 384000
)

// chunk is how many input frames the history buffer takes beyond the
// filter length before it is compacted; it bounds memory whatever the size
// of the blocks passed to Process.
const chunk = 4096

// RateError reports a sample rate the converter does not support.
type RateError struct {
	Rate int
}

func (e *RateError) Error() string {
	return fmt.Sprintf("resample: sample rate %d Hz outside %d…%d Hz", e.Rate, MinRate, MaxRate)
}

// ChannelsError reports an impossible channel count.
type ChannelsError struct {
	Channels int
}

func (e *ChannelsError) Error() string {
	return fmt.Sprintf("resample: %d channels (need at least 1)", e.Channels)
}

// Resampler converts one stream from InRate to OutRate. It is not safe for
// concurrent use; use one per stream.
type Resampler struct {
	inRate, outRate int
	l, m            int64 // out/in = l/m in lowest terms
	channels        int
	identity        bool // inRate == outRate: samples are copied

	d      design
	k      int       // taps per phase
	stride int       // distance between rows of coef
	coef   []float64 // polyphase rows of k taps, stride apart
	phases int64     // the table holds rows for fractions p/phases
	interp bool      // phases != l: interpolate between rows

	hist     [][]float64 // per channel, input history as float64
	hlen     int         // valid samples in each hist[c]
	base     int64       // input index of hist[c][0]
	q, r     int64       // position of the next output: q + r/l input samples
	qStep    int64       // m / l
	rStep    int64       // m % l
	produced int64       // output frames emitted
	received int64       // input frames taken
	flushed  bool

	// A block of output frames for fir.Dot2Rows: each frame's row and
	// history window, and the channel pair's sums.
	offs [2 * emitBlock]int
	sums [2 * emitBlock]float64
}

// emitBlock is how many output frames emit hands the kernel at once.
const emitBlock = 64

// New returns a converter from inRate to outRate Hz for the given number of
// channels. Rates must lie in [MinRate, MaxRate]; the ratio is reduced by
// the greatest common divisor (48000 → 44100 becomes 147/160).
func New(inRate, outRate, channels int) (*Resampler, error) {
	for _, rate := range []int{inRate, outRate} {
		if rate < MinRate || rate > MaxRate {
			return nil, &RateError{Rate: rate}
		}
	}
	if channels < 1 {
		return nil, &ChannelsError{Channels: channels}
	}
	g := gcd(inRate, outRate)
	rs := &Resampler{
		inRate:   inRate,
		outRate:  outRate,
		l:        int64(outRate / g),
		m:        int64(inRate / g),
		channels: channels,
		identity: inRate == outRate,
	}
	rs.qStep, rs.rStep = rs.m/rs.l, rs.m%rs.l
	if rs.identity {
		return rs, nil
	}
	rs.d = newDesign(inRate, outRate)
	rs.k, rs.stride = rs.d.taps, rs.d.stride()
	rs.phases = rs.l
	if rs.l*int64(rs.k) > maxTable {
		rs.phases = int64(maxTable / rs.k)
		rs.interp = true
	}
	rows := rs.phases
	if rs.interp {
		rows++ // row p+1 for the last interval
	}
	rs.coef = rs.d.table(int(rs.phases), int(rows))
	rs.hist = make([][]float64, channels)
	backing := make([]float64, channels*(rs.k+chunk))
	for c := range rs.hist {
		rs.hist[c] = backing[c*(rs.k+chunk) : (c+1)*(rs.k+chunk)]
	}
	rs.Reset()
	return rs, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// TapsPerPhase returns the filter length in input samples (0 when the rates
// are equal and samples are copied).
func (rs *Resampler) TapsPerPhase() int { return rs.k }

// Reset forgets the stream so the converter can start a new one.
func (rs *Resampler) Reset() {
	rs.q, rs.r, rs.produced, rs.received, rs.flushed = 0, 0, 0, 0, false
	if rs.identity {
		return
	}
	// The first output (at input time 0) needs samples k/2−1 before time 0:
	// they are silence.
	pre := rs.k/2 - 1
	for c := range rs.hist {
		clear(rs.hist[c][:pre])
	}
	rs.hlen = pre
	rs.base = -int64(pre)
}

// OutputFrames returns the number of frames an input of n frames converts
// to: round(n·out/in), halves rounded up.
func (rs *Resampler) OutputFrames(n int64) int64 {
	q, rem := n/rs.m, n%rs.m
	return q*rs.l + (2*rem*rs.l+rs.m)/(2*rs.m)
}

// computable returns how many outputs in total can be computed when the
// input is known up to (not including) index end: output k sits at input
// time k·m/l and needs samples up to floor(k·m/l) + k/2, so
// k·m < (end − taps/2)·l.
func (rs *Resampler) computable(end int64) int64 {
	x := end - int64(rs.k/2)
	if x <= 0 {
		return 0
	}
	// ceil(x·l/m) without overflowing x·l.
	q, rem := x/rs.m, x%rs.m
	return q*rs.l + (rem*rs.l+rs.m-1)/rs.m
}

// ensure returns dst shaped to channels × frames, reusing its storage when
// it is big enough.
func (rs *Resampler) ensure(dst *audio.Buffer, frames int) *audio.Buffer {
	if dst == nil || dst.Channels() != rs.channels || dst.Cap() < frames {
		// Headroom, so a stream of equal blocks whose output alternates
		// between n and n+1 frames allocates once.
		dst = audio.NewBuffer(rs.channels, frames+frames/16+8)
	}
	dst.SetFrames(frames)
	return dst
}

// Process converts the frames of src and returns the output frames that are
// complete, in dst: dst is resized (or allocated, when it is nil, has the
// wrong channel count or too little capacity) to exactly those frames. Over
// a whole stream, Process and a final Flush return OutputFrames(n) frames,
// and output frame j is the signal at input time j·in/out: the filter delay
// is removed. Once dst is big enough Process does not allocate.
//
// dst must not share storage with src. Process panics when src has the
// wrong channel count or after Flush.
func (rs *Resampler) Process(dst, src *audio.Buffer) *audio.Buffer {
	if src.Channels() != rs.channels {
		panic(fmt.Sprintf("resample: Process with %d channels, converter has %d", src.Channels(), rs.channels))
	}
	if rs.flushed {
		panic("resample: Process after Flush without Reset")
	}
	n := src.Frames()
	if rs.identity {
		dst = rs.ensure(dst, n)
		for c := range dst.Data {
			copy(dst.Data[c], src.Data[c])
		}
		rs.received += int64(n)
		rs.produced += int64(n)
		return dst
	}
	total := rs.computable(rs.received+int64(n)) - rs.produced
	dst = rs.ensure(dst, int(max(total, 0)))
	out := 0
	for off := 0; off < n; {
		rs.compact()
		take := min(len(rs.hist[0])-rs.hlen, n-off)
		for c, h := range rs.hist {
			s := src.Data[c][off : off+take]
			h = h[rs.hlen : rs.hlen+take]
			for i, v := range s {
				h[i] = float64(v)
			}
		}
		rs.hlen += take
		off += take
		rs.received += int64(take)
		out = rs.emit(dst, out, rs.computable(rs.base+int64(rs.hlen)))
	}
	return dst
}

// Flush returns the remaining output frames of the stream (the input is
// taken as silence after its end), so that the stream's total is exactly
// OutputFrames(n). After Flush, call Reset before Process.
func (rs *Resampler) Flush(dst *audio.Buffer) *audio.Buffer {
	target := rs.OutputFrames(rs.received)
	dst = rs.ensure(dst, int(max(target-rs.produced, 0)))
	rs.flushed = true
	if rs.identity {
		return dst
	}
	out := 0
	for rs.produced < target {
		rs.compact()
		room := len(rs.hist[0]) - rs.hlen
		for _, h := range rs.hist {
			clear(h[rs.hlen:])
		}
		rs.hlen += room
		out = rs.emit(dst, out, min(target, rs.computable(rs.base+int64(rs.hlen))))
	}
	return dst
}

// compact drops history that no future output needs.
func (rs *Resampler) compact() {
	first := rs.q - int64(rs.k/2) + 1 // first sample the next output reads
	drop := int(min(max(first-rs.base, 0), int64(rs.hlen)))
	if drop == 0 {
		return
	}
	for _, h := range rs.hist {
		copy(h, h[drop:rs.hlen])
	}
	rs.hlen -= drop
	rs.base += int64(drop)
}

// emit computes outputs until upto have been produced in total, writing
// them to dst from frame out on; it returns the next free frame.
func (rs *Resampler) emit(dst *audio.Buffer, out int, upto int64) int {
	if rs.interp {
		for ; rs.produced < upto; rs.produced++ {
			rs.emitInterp(dst, out, rs.window())
			out++
			rs.advance()
		}
		return out
	}
	k := rs.k
	for rs.produced < upto {
		// A block of frames: their rows and windows first, then each pair
		// of channels through the kernel (each coefficient loaded once
		// for both), then a single channel left over.
		n := int(min(upto-rs.produced, emitBlock))
		for j := range n {
			rs.offs[2*j], rs.offs[2*j+1] = int(rs.r)*rs.stride, rs.window()
			rs.advance()
		}
		offs, sums := rs.offs[:2*n], rs.sums[:2*n]
		c := 0
		for ; c+1 < len(rs.hist); c += 2 {
			fir.Dot2Rows(rs.coef, k, rs.hist[c], rs.hist[c+1], offs, sums)
			y0, y1 := dst.Data[c][out:out+n], dst.Data[c+1][out:out+n]
			for j := range n {
				y0[j], y1[j] = float32(sums[2*j]), float32(sums[2*j+1])
			}
		}
		if c < len(rs.hist) {
			y := dst.Data[c][out : out+n]
			for j := range n {
				row, s := offs[2*j], offs[2*j+1]
				y[j] = float32(fir.Dot(rs.coef[row:row+k], rs.hist[c][s:s+k]))
			}
		}
		out += n
		rs.produced += int64(n)
	}
	return out
}

// row returns the taps of the table's row p.
func (rs *Resampler) row(p int) []float64 {
	return rs.coef[p*rs.stride : p*rs.stride+rs.k]
}

// window returns the first history sample of the next output's window.
func (rs *Resampler) window() int {
	return int(rs.q - int64(rs.k/2) + 1 - rs.base)
}

// advance steps the output position by one output frame.
func (rs *Resampler) advance() {
	rs.q += rs.qStep
	rs.r += rs.rStep
	if rs.r >= rs.l {
		rs.r -= rs.l
		rs.q++
	}
}

// emitInterp computes one output from a table that does not hold every
// phase: the coefficients are interpolated linearly between the two nearest
// rows, which (the dot product being linear) is the same as interpolating
// the two rows' outputs.
func (rs *Resampler) emitInterp(dst *audio.Buffer, out, s int) {
	k := rs.k
	pos := rs.r * rs.phases
	p := pos / rs.l
	frac := float64(pos-p*rs.l) / float64(rs.l)
	row0, row1 := rs.row(int(p)), rs.row(int(p+1))
	for c, h := range rs.hist {
		x := h[s : s+k]
		a, b := fir.Dot2(x, row0, row1)
		dst.Data[c][out] = float32(a + frac*(b-a))
	}
}
