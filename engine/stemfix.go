package engine

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/dsp/resample"
	"stemmaster/loudness"
)

// Stem corrections the session can make as a stem is read, before its
// strip: a stem at another sample rate converted to the song's
// (resample), its channels exchanged (swap_channels) and one channel's
// polarity flipped (polarity left_inverted, right_inverted).

// stemReader is the decoded stream a strip reads: the file, or the file
// converted to the song's rate.
type stemReader interface {
	Read(dst *audio.Buffer) (int, error)
	Close() error
}

// songRate sets the song's rate and checks the stems against it: the rate
// the stems without resample share (the most common, ties to the higher,
// when every stem consents to resampling). A stem at another rate without
// resample refuses the render naming every file and rate; a resampled
// stem's length is taken at the song's rate. A stem's swap_channels or
// one-channel polarity needs a stereo file.
func (r *renderer) songRate() error {
	var errs []error
	var rates, all []int
	for _, in := range r.inputs {
		if err := r.s.ValidateChannels(in.index, in.info.Format.Channels); err != nil {
			errs = append(errs, err)
		}
		if !in.spec.Resample {
			rates = append(rates, in.info.Format.SampleRate)
		}
		all = append(all, in.info.Format.SampleRate)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(rates) == 0 {
		rates = all
	}
	r.rate = PlainSumRate(rates)
	var names []string
	mismatch := false
	for _, in := range r.inputs {
		rate := in.info.Format.SampleRate
		names = append(names, fmt.Sprintf("%s %d Hz", in.spec.File, rate))
		if rate != r.rate && !in.spec.Resample {
			mismatch = true
		}
	}
	if mismatch {
		return &RateMismatchError{fmt.Sprintf("stems have different sample rates (%s): convert them to one rate first, or set resample: true on the stems to convert to %d Hz",
			strings.Join(names, ", "), r.rate)}
	}
	for i := range r.inputs {
		in := &r.inputs[i]
		if in.info.Format.SampleRate == r.rate {
			continue
		}
		rs, err := resample.New(in.info.Format.SampleRate, r.rate, in.info.Format.Channels)
		if err != nil {
			return &audio.FileError{Path: in.path, Err: err}
		}
		in.info.Frames = rs.OutputFrames(in.info.Frames)
	}
	return nil
}

// RateMismatchError refuses stems at different sample rates, none of them
// consenting to resampling; a caller with its own way of saying resample
// (a command-line flag) can recognise it.
type RateMismatchError struct{ msg string }

func (e *RateMismatchError) Error() string { return e.msg }

// openStem opens a stem's file, converted to the song's rate when it is
// at another.
func openStem(in stemInput, rate int) (stemReader, error) {
	f, err := in.open.openAudio(in.path)
	if err != nil {
		return nil, err
	}
	src := f.Info()
	var r stemReader = f
	if in.rangeGuard && src.Format.SampleFormat == audio.Float {
		r = &rangedStem{stemReader: f, path: in.path, rate: src.Format.SampleRate}
	}
	if src.Format.SampleRate == rate {
		return r, nil
	}
	cf := &countedFile{stemReader: r, path: in.path, frames: src.Frames}
	rs, err := resample.NewReader(cf, src.Format.SampleRate, rate, src.Format.Channels)
	if err != nil {
		f.Close()
		return nil, &audio.FileError{Path: in.path, Err: err}
	}
	return &resampledStem{Reader: rs, f: f}, nil
}

// resampledStem is a stem converted to the song's rate as it is read
// (resample.Reader: exactly OutputFrames(frames) frames, the filter delay
// removed, one decoded and one converted block in memory).
type resampledStem struct {
	*resample.Reader
	f *audio.File
}

func (r *resampledStem) Close() error { return r.f.Close() }

// countedFile refuses a file that ends before the frames its header
// announces, as the strip does for a stem read at its own rate.
type countedFile struct {
	stemReader
	path         string
	frames, read int64
}

func (c *countedFile) Read(dst *audio.Buffer) (int, error) {
	n, err := c.stemReader.Read(dst)
	c.read += int64(n)
	if (err == io.EOF || (err == nil && n == 0 && dst.Frames() > 0)) && c.frames >= 0 && c.read < c.frames {
		return n, &audio.FileError{Path: c.path, Err: fmt.Errorf("file ends after %d of the %d frames its header announces", c.read, c.frames)}
	}
	return n, err
}

// correctChannels folds swap_channels and a one-channel polarity into a
// stereo strip: with the channels exchanged the file's left feeds the
// right of the bus, so its sign goes with the right gain.
func (s *strip) correctChannels() {
	sp := s.in.spec
	if s.in.info.Format.Channels != 2 {
		return
	}
	s.swap = sp.SwapChannels
	if !sp.Polarity.PerChannel() {
		return
	}
	l, r := sp.Polarity.Signs()
	if s.swap {
		l, r = r, l
	}
	s.gainL *= float32(l)
	s.gainR *= float32(r)
}

// rangedStem refuses a float stem whose samples reach more than
// check.OutOfRangeDBFS above full scale, with the file named, as it is
// read: the chain's float32 arithmetic overflows long before float32's own
// limit, and such a stem would be rendered far off target. The check finds
// the same stems (out_of_range) when it runs; this holds the render when
// it does not (master --no-check): with the check on, the render runs to
// its end and the finding refuses it with the report written. Integer
// formats cannot exceed full scale and are not wrapped.
type rangedStem struct {
	stemReader
	path string
	rate int
	read int64 // frames read so far
}

// outOfRangeLevel is check.OutOfRangeDBFS as a linear sample magnitude.
var outOfRangeLevel = float32(math.Pow(10, check.OutOfRangeDBFS/20))

func (g *rangedStem) Read(dst *audio.Buffer) (int, error) {
	n, err := g.stemReader.Read(dst)
	for _, ch := range dst.Data {
		if n <= len(ch) {
			if pk := loudness.PeakAbs(ch[:n]); pk > outOfRangeLevel {
				at := g.read + int64(slices.IndexFunc(ch[:n], func(v float32) bool { return v > outOfRangeLevel || v < -outOfRangeLevel }))
				return n, &audio.FileError{Path: g.path, Err: fmt.Errorf("float samples reach %+.1f dBFS (first at %.3f s), more than %.0f dB above full scale: "+
					"no mix holds such levels and the chain cannot master them; re-export the stem at its real level",
					20*math.Log10(float64(pk)), float64(at)/float64(g.rate), check.OutOfRangeDBFS)}
			}
		}
	}
	g.read += int64(n)
	return n, err
}
