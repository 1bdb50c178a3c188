package audio

import (
	"fmt"
	"io"
	"math"
)

// TruncatedError reports a file that ends before the audio its header
// declares: a copy or an export that was cut short. A decoder returns every
// frame present and then this error (wrapped in its FormatError) instead of
// io.EOF, so that no caller takes a cut file for a short one.
type TruncatedError struct {
	// DeclaredFrames is what the header declares; -1 when it does not say
	// (a streamed file cut in the middle of a frame).
	DeclaredFrames int64
	// Frames is how many whole frames the file holds.
	Frames     int64
	SampleRate int
}

func (e *TruncatedError) Error() string {
	if e.DeclaredFrames < 0 {
		return fmt.Sprintf("the file is cut short after %d frames (%s), in the middle of a frame", e.Frames, seconds(e.Frames, e.SampleRate))
	}
	return fmt.Sprintf("the file is cut short: its header declares %d frames (%s) but it holds %d (%s)",
		e.DeclaredFrames, seconds(e.DeclaredFrames, e.SampleRate), e.Frames, seconds(e.Frames, e.SampleRate))
}

// Unwrap returns io.ErrUnexpectedEOF.
func (e *TruncatedError) Unwrap() error { return io.ErrUnexpectedEOF }

// NonFiniteError reports NaN or infinite samples in a float file. A decoder
// reads them as 0 (so that no NaN reaches a filter state, a meter or a JSON
// encoder), returns the rest of the stream as usual and ends it with this
// error instead of io.EOF: the figures measured from such a stream hold for
// the file with those samples silenced, and the caller says so.
type NonFiniteError struct {
	Count      int64 // samples (over all channels) that were NaN or ±Inf
	FirstFrame int64 // the frame of the first one
	SampleRate int
}

func (e *NonFiniteError) Error() string { return e.Samples() + ", read as silence" }

// Samples says how many there are and where the first is, without what a
// reader made of them: "3 NaN or infinite samples (the first at 1.000 s,
// frame 48000)". A caller that refuses the file says so after it.
func (e *NonFiniteError) Samples() string {
	return fmt.Sprintf("%d NaN or infinite samples (the first at %s, frame %d)", e.Count, seconds(e.FirstFrame, e.SampleRate), e.FirstFrame)
}

// FirstSeconds is the time of the first non-finite sample.
func (e *NonFiniteError) FirstSeconds() float64 {
	if e.SampleRate <= 0 {
		return 0
	}
	return float64(e.FirstFrame) / float64(e.SampleRate)
}

// NonFiniteCounter counts and silences non-finite samples as a stream is
// decoded. The zero value is ready; Err is nil while none was seen.
type NonFiniteCounter struct {
	count, first int64
	frames       int64 // frames scanned so far
}

// Scan replaces NaN and ±Inf in frames off…off+n−1 of every channel of dst
// by 0 and counts them. It allocates nothing; a block without any costs one
// multiply-add per sample.
func (c *NonFiniteCounter) Scan(dst [][]float32, off, n int) {
	for _, ch := range dst {
		ch = ch[off : off+n]
		// x·0 is 0 for every finite x and NaN for NaN and ±Inf: one sum
		// tells whether the block holds any.
		var s float32
		for _, v := range ch {
			s += v * 0
		}
		if s == 0 {
			continue
		}
		for i, v := range ch {
			if v-v != 0 {
				if c.count == 0 || c.frames+int64(i) < c.first {
					c.first = c.frames + int64(i)
				}
				c.count++
				ch[i] = 0
			}
		}
	}
	c.frames += int64(n)
}

// Skip moves the counter's frame position on by n frames not scanned (a
// stream that seeks).
func (c *NonFiniteCounter) Skip(n int64) { c.frames += n }

// Err returns a *NonFiniteError when any sample was non-finite, else nil.
func (c *NonFiniteCounter) Err(sampleRate int) error {
	if c.count == 0 {
		return nil
	}
	return &NonFiniteError{Count: c.count, FirstFrame: c.first, SampleRate: sampleRate}
}

func seconds(frames int64, rate int) string {
	if rate <= 0 {
		return "?"
	}
	s := float64(frames) / float64(rate)
	if s >= 3600 && !math.IsInf(s, 0) {
		return fmt.Sprintf("%.0f h %02.0f min", math.Floor(s/3600), math.Floor(math.Mod(s, 3600)/60))
	}
	return fmt.Sprintf("%.3f s", s)
}
