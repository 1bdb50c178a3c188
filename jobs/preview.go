package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
	"stemmaster/engine"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// previewBlock is the number of frames summed at a time.
const previewBlock = 4096

// PreviewWriter writes the plain sum of the stems (engine.PlainSink: what
// the client delivered, before any processing) as a 24-bit stereo WAV at
// the song's rate up to engine.MaxPreviewRate (converted down above it) and
// meters its integrated loudness (BS.1770-4) at the song's rate, which the
// A/B player uses to play it at the master's loudness. It is what a
// musician downloads to compare: a DAW's bounce of the stems, clipped at
// full scale as a bounce is where the sum peaks above it (the figure is
// the sum's, before). A render hands it the sum as it decodes
// the stems (engine.Options.PlainSum); WriteSumPreviewFrom feeds it by decoding
// them itself.
//
// Write only copies the block into a queue: a goroutine of the writer's
// own meters and encodes it, so the render's summing never waits on the
// meter or the disk. The file is scratch space (a job's working
// directory, uploaded to the blob store once complete), so it is written
// in place and never synced: a crash restarts the job, not the file.
type PreviewWriter struct {
	path  string
	f     *os.File
	w     audio.Writer
	meter *loudness.Meter
	err   error
	ended bool
	rs    *resample.Resampler // to engine.MaxPreviewRate; nil at or below it
	conv  *audio.Buffer       // the converted block, reused

	queue chan *audio.Buffer // blocks for the goroutine; closed by End
	spare chan *audio.Buffer // blocks it is done with
	made  int                // blocks allocated
	done  chan struct{}      // closed when the goroutine has returned
	werr  error              // the goroutine's first error, read after done
	bad   atomic.Bool        // werr is set
}

// previewQueue bounds the blocks waiting for the writer's goroutine: enough
// to ride over a slow write, few enough to stay a few MB.
const previewQueue = 32

// NewPreviewWriter returns a writer of the preview at path; nothing is
// created before Begin.
func NewPreviewWriter(path string) *PreviewWriter { return &PreviewWriter{path: path} }

// Begin creates the file for a sum at rate.
func (p *PreviewWriter) Begin(rate int) error {
	if err := loudness.CheckFormat(float64(rate), 2); err != nil {
		// loudness.NewMeter panics on a rate it cannot meter.
		return p.fail(err)
	}
	f, err := os.Create(p.path)
	if err != nil {
		return p.fail(err)
	}
	p.f = f
	out := engine.PreviewRate(rate)
	if out < rate {
		if p.rs, err = resample.New(rate, out, 2); err != nil {
			return p.fail(err)
		}
	}
	w, err := audio.NewWriter(f, "wav", audio.Format{SampleRate: out, Channels: 2, BitDepth: 24, SampleFormat: audio.Int})
	if err != nil {
		return p.fail(err)
	}
	p.w = w
	p.meter = loudness.NewMeter(float64(rate), 2, loudness.Options{IntegratedOnly: true}) // the A/B player takes the integrated loudness only
	p.queue = make(chan *audio.Buffer, previewQueue)
	p.spare = make(chan *audio.Buffer, previewQueue)
	p.done = make(chan struct{})
	go p.run()
	return nil
}

// run meters and encodes the queued blocks until the queue is closed.
func (p *PreviewWriter) run() {
	defer close(p.done)
	for b := range p.queue {
		if p.werr == nil {
			if err := p.encode(b); err != nil {
				p.werr = err
				p.bad.Store(true)
			}
		}
		p.spare <- b // drained to the end, a panic's too: Write never waits for nothing
	}
}

// encode meters one block and writes it converted to the preview's rate;
// a panic there is its error.
func (p *PreviewWriter) encode(b *audio.Buffer) (err error) {
	defer safego.Recover("render's preview", func(e error) { err = e })
	faultpoint.Hit("render.preview")
	p.meter.Process(b)
	if p.rs == nil {
		return p.w.Write(b)
	}
	p.conv = p.rs.Process(p.conv, b)
	return p.w.Write(p.conv)
}

// Write queues the next block of the sum.
func (p *PreviewWriter) Write(b *audio.Buffer) error {
	if p.err != nil {
		return p.err
	}
	if p.queue == nil {
		return p.fail(errors.New("write before begin"))
	}
	if p.bad.Load() {
		return p.fail(p.stop())
	}
	var q *audio.Buffer
	select {
	case q = <-p.spare:
	default:
		if p.made < previewQueue {
			p.made++
			q = audio.NewBuffer(2, b.Frames())
		} else {
			q = <-p.spare // the goroutine is behind: wait for it
		}
	}
	n := b.Frames()
	for c := range q.Data {
		q.Data[c] = append(q.Data[c][:0], b.Data[c][:n]...)
	}
	p.queue <- q
	return nil
}

// stop closes the queue, waits for the goroutine and returns its error.
func (p *PreviewWriter) stop() error {
	if p.queue != nil {
		close(p.queue)
		<-p.done
		p.queue = nil
	}
	return p.werr
}

// End completes the file.
func (p *PreviewWriter) End() error {
	if p.err != nil {
		return p.err
	}
	if p.queue == nil {
		return p.fail(errors.New("end before begin"))
	}
	if err := p.stop(); err != nil {
		return p.fail(err)
	}
	if p.rs != nil {
		if p.conv = p.rs.Flush(p.conv); p.conv.Frames() > 0 {
			if err := p.w.Write(p.conv); err != nil {
				return p.fail(err)
			}
		}
	}
	err := p.w.Close()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	p.f = nil
	if err != nil {
		return p.fail(err)
	}
	p.ended = true
	return nil
}

// Result returns the sum's integrated loudness once End has succeeded;
// otherwise the first error (or that the sum never ended), after removing
// any partial file.
func (p *PreviewWriter) Result() (float64, error) {
	if p.ended {
		return p.meter.Result().IntegratedLUFS, nil
	}
	if p.err == nil {
		p.err = errors.New("preview: the sum was not completed")
	}
	p.discard()
	return math.NaN(), p.err
}

func (p *PreviewWriter) fail(err error) error {
	if p.err == nil {
		p.err = fmt.Errorf("preview: %w", err)
	}
	p.discard()
	return p.err
}

// discard stops the goroutine and removes a partial file.
func (p *PreviewWriter) discard() {
	p.stop()
	if p.f != nil {
		p.f.Close()
		os.Remove(p.path)
		p.f = nil
	}
}

// WriteSumPreviewFrom writes the plain unity sum of the stems — what the
// client delivered, before any processing — as the 24-bit stereo WAV of
// PreviewWriter at path, streaming block by block, and returns its
// integrated loudness (BS.1770-4), which the A/B player uses to play it at
// the master's loudness. Mono stems sit in the centre at −3 dB per
// channel, as the engine places them; stems shorter than the longest are
// padded with silence; a stem at another rate is converted to the most
// common. It stops when ctx
// ends (the render it runs beside failed or was cancelled) and reads the
// stems through open (store.Inputs.Open: in place from the bucket), the
// file system when open is nil.
func WriteSumPreviewFrom(ctx context.Context, path string, stems []string, open func(string) (io.ReadSeekCloser, error)) (float64, error) {
	if len(stems) == 0 {
		return math.NaN(), errors.New("preview: no stems")
	}
	files := make([]*audio.File, 0, len(stems))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, p := range stems {
		f, err := audio.OpenFrom(p, open)
		if err != nil {
			return math.NaN(), fmt.Errorf("preview: %w", err)
		}
		files = append(files, f)
	}
	// A stem at another rate than the most common (ties to the higher) is
	// converted as it is read, as the render does with resample.
	rates := make([]int, 0, len(files))
	for _, f := range files {
		rates = append(rates, f.Info().Format.SampleRate)
	}
	rate := engine.PlainSumRate(rates)
	srcs := make([]resample.Source, len(files))
	for i, f := range files {
		srcs[i] = f
		if in := f.Info().Format; in.SampleRate != rate {
			r, err := resample.NewReader(f, in.SampleRate, rate, in.Channels)
			if err != nil {
				return math.NaN(), fmt.Errorf("preview: %s: %w", stems[i], err)
			}
			srcs[i] = r
		}
	}
	if err := loudness.CheckFormat(float64(rate), 2); err != nil {
		return math.NaN(), fmt.Errorf("preview: %s: %w", stems[0], err)
	}
	pw := NewPreviewWriter(path)
	if err := pw.Begin(rate); err != nil {
		return math.NaN(), err
	}
	bufs := make([]*audio.Buffer, len(files))
	for i, f := range files {
		bufs[i] = audio.NewBuffer(f.Info().Format.Channels, previewBlock)
	}
	sum := audio.NewBuffer(2, previewBlock)
	part := &audio.Buffer{Data: make([][]float32, 0, 8)}
	done := make([]bool, len(files))
	for {
		if err := ctx.Err(); err != nil {
			pw.fail(err)
			return pw.Result()
		}
		sum.SetFrames(previewBlock)
		sum.Zero()
		longest := 0
		for i, f := range srcs {
			if done[i] {
				continue
			}
			b := bufs[i]
			b.SetFrames(previewBlock)
			n, err := readFull(f, b, part)
			if err == io.EOF {
				done[i] = true
			} else if err != nil {
				pw.fail(err)
				return pw.Result()
			}
			engine.AddPlain(sum, b, n)
			longest = max(longest, n)
		}
		if longest == 0 {
			break
		}
		sum.SetFrames(longest)
		if err := pw.Write(sum); err != nil {
			return pw.Result()
		}
	}
	pw.End()
	return pw.Result()
}

// readFull reads until b is full or the stream ends; io.EOF only when no
// frame was read. part is scratch space for the views into b.
func readFull(f resample.Source, b, part *audio.Buffer) (int, error) {
	total := 0
	want := b.Frames()
	for total < want {
		part.Data = part.Data[:0]
		for c := range b.Data {
			part.Data = append(part.Data, b.Data[c][total:want])
		}
		n, err := f.Read(part)
		total += n
		if err == io.EOF {
			if total == 0 {
				return 0, io.EOF
			}
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
