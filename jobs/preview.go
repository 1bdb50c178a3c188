package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/resample"
	"stemmaster/loudness"
)

// previewBlock is the number of frames summed at a time.
const previewBlock = 4096

// WriteSumPreview writes the plain unity sum of the stems — what the client
// delivered, before any processing — as a 32-bit float stereo WAV at path,
// streaming block by block, and returns its integrated loudness (BS.1770-4),
// which the A/B player uses to play it at the master's loudness. Mono stems
// sit in the centre at −3 dB per channel, as the engine places them; stems
// shorter than the longest are padded with silence; a stem at another rate is
// converted to the most common. Float output keeps a sum that peaks above
// full scale intact.
func WriteSumPreview(path string, stems []string) (float64, error) {
	return writeSumPreview(context.Background(), path, stems)
}

// writeSumPreview is WriteSumPreview that stops when ctx ends (the render
// it runs beside failed or was cancelled).
func writeSumPreview(ctx context.Context, path string, stems []string) (float64, error) {
	return writeSumPreviewFrom(ctx, path, stems, nil)
}

// writeSumPreviewFrom is writeSumPreview reading the stems through open
// (the file system when nil).
func writeSumPreviewFrom(ctx context.Context, path string, stems []string, open func(string) (io.ReadSeekCloser, error)) (float64, error) {
	if len(stems) == 0 {
		return math.NaN(), errors.New("preview: no stems")
	}
	files := make([]*audio.File, 0, len(stems))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	count := map[int]int{}
	for _, p := range stems {
		f, err := audio.OpenFrom(p, open)
		if err != nil {
			return math.NaN(), fmt.Errorf("preview: %w", err)
		}
		files = append(files, f)
		count[f.Info().Format.SampleRate]++
	}
	// A stem at another rate than the most common (ties to the higher) is
	// converted as it is read, as the render does with resample.
	rate := 0
	for r, n := range count {
		if n > count[rate] || n == count[rate] && r > rate {
			rate = r
		}
	}
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
		// loudness.NewMeter panics on a rate it cannot meter.
		return math.NaN(), fmt.Errorf("preview: %s: %w", stems[0], err)
	}
	w, err := audio.Create(path, "wav", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float})
	if err != nil {
		return math.NaN(), fmt.Errorf("preview: %w", err)
	}
	meter := loudness.NewMeter(float64(rate), 2, loudness.Options{IntegratedOnly: true}) // the A/B player takes the integrated loudness only
	bufs := make([]*audio.Buffer, len(files))
	for i, f := range files {
		bufs[i] = audio.NewBuffer(f.Info().Format.Channels, previewBlock)
	}
	sum := audio.NewBuffer(2, previewBlock)
	part := &audio.Buffer{Data: make([][]float32, 0, 8)}
	done := make([]bool, len(files))
	for {
		if err := ctx.Err(); err != nil {
			w.Abort()
			return math.NaN(), fmt.Errorf("preview: %w", err)
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
				w.Abort()
				return math.NaN(), fmt.Errorf("preview: %w", err)
			}
			addToStereo(sum, b, n)
			longest = max(longest, n)
		}
		if longest == 0 {
			break
		}
		sum.SetFrames(longest)
		meter.Process(sum)
		if err := w.Write(sum); err != nil {
			w.Abort()
			return math.NaN(), fmt.Errorf("preview: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return math.NaN(), fmt.Errorf("preview: %w", err)
	}
	return meter.Result().IntegratedLUFS, nil
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

// addToStereo adds n frames of b to the stereo sum: a stereo stem as it
// is, a mono stem in the centre with the constant-power pan law (−3 dB in
// each channel, dsp.PanGains(0)), as the engine places it and the check
// sums it, so the A/B compares like with like.
func addToStereo(sum, b *audio.Buffer, n int) {
	switch b.Channels() {
	case 0:
	case 1:
		l, r := dsp.PanGains(0)
		gl, gr := float32(l), float32(r)
		for i, v := range b.Data[0][:n] {
			sum.Data[0][i] += gl * v
			sum.Data[1][i] += gr * v
		}
	default:
		for c := 0; c < 2; c++ {
			for i, v := range b.Data[c][:n] {
				sum.Data[c][i] += v
			}
		}
	}
}
