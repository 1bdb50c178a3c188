package server

import (
	"context"
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
)

// The samples of a stream preview (stream.go): a file above
// engine.MaxPreviewRate (service.PreviewRate) is converted down as it is
// read, metered before the conversion, and every sample is quantised to
// 16 bits.

// meteredSource hands each block it reads from a file to meter before the
// reader (a rate conversion) takes it.
type meteredSource struct {
	f     audio.Reader
	meter func(*audio.Buffer)
}

func (s meteredSource) Read(dst *audio.Buffer) (int, error) {
	n, err := s.f.Read(dst)
	if n > 0 {
		full := dst.Frames()
		dst.SetFrames(n)
		s.meter(dst)
		dst.SetFrames(full)
	}
	return n, err
}

// converted is a file's stream converted to another rate, as an
// audio.Reader: info is the file's at the new rate, its length not told.
// cancellable is a Reader that fails with its context's error once that
// ends: a preview decodes the whole file (26 CPU-seconds for 20 minutes at
// 384 kHz), which a deleted project, a server stopping or a client gone
// need not wait for, and whose result they would throw away.
type cancellable struct {
	audio.Reader
	ctx context.Context
}

func (c cancellable) Read(dst *audio.Buffer) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.Reader.Read(dst)
}

type converted struct {
	*resample.Reader
	info audio.Info
}

func (c converted) Info() audio.Info { return c.info }

// pcm16 returns round(v·32767), half away from zero, clamped to 16 bits
// (the preview's sample). x = v·32767 is exact in float64 (24 bits times
// 15), and so is x + 0.5 wherever it can matter (|x| ≥ 2⁻¹⁴ leaves 53 bits
// room), so truncating it rounds as math.Round does, at a fraction of its
// cost per sample.
func pcm16(v float32) int16 {
	x := float64(v) * 32767
	switch {
	case x >= 32767:
		return 32767
	case x <= -32768:
		return -32768
	case x >= 0:
		return int16(x + 0.5)
	case x < 0:
		return int16(max(-32768, -int32(0.5-x)))
	}
	return pcm16Round(v) // NaN
}

// pcm16Round is pcm16 by math.Round.
func pcm16Round(v float32) int16 {
	x := math.Round(float64(v) * 32767)
	return int16(max(-32768, min(32767, x)))
}
