package server

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/loudness"
	"stemmaster/store"
)

// The A/B player's "before" is the stems at the mixer's settings; to play
// it at the master's loudness the page needs that sum's integrated
// loudness. POST …/sum-loudness measures it (BS.1770-4) from the stems'
// streamed previews with each stem's gain, mute, polarity and offset as
// the body's session gives them; pan, EQ and compressors are left out
// (the page says so), which moves the figure by a fraction of a dB for
// usual settings.

const sumBlock = 8192

type sumInput struct {
	rc     io.ReadCloser // read a block at a time: no buffer of its own, which would cost 64 KiB per stem listed
	gain   float32       // the file's left channel: fader and polarity
	gainR  float32       // the file's right channel
	swap   bool          // swap_channels: the file's left plays on the right
	delay  int64         // frames of silence before the stem
	frames int64         // frames left in the preview
}

func (s *Server) handleSumLoudness(w http.ResponseWriter, r *http.Request, p *store.Project) {
	if !s.computeAllowed(w, r, p, "sum-loudness") {
		return
	}
	release, err := s.sums.take(r.Context(), s.client(r))
	if err != nil {
		return // the client went away while waiting its turn
	}
	defer release()
	sess, ok := readSession(w, r)
	if !ok {
		return
	}
	// Each stem listed opens its preview for the whole pass: 3,700 copies
	// of one stem fit the 64 KiB body and would hold 272 MB and as many open
	// files a request. A session lists each of the project's files at
	// most once, so no real one lists more than the project may hold.
	if most := s.cfg.Limits.MaxFiles; len(sess.Stems) > most {
		writeFieldError(w, http.StatusUnprocessableEntity, "too_many", "stems", fmt.Sprintf("a session lists at most %d stems, the files a project may hold", most))
		return
	}
	lufs, err := s.sumLoudness(r.Context(), p, sess)
	if errors.Is(err, errSumTooLong) {
		writeError(w, http.StatusUnprocessableEntity, "too_long", fmt.Sprintf("with their offsets the stems run past the longest song this server renders (%g s)", s.cfg.Limits.MaxDurationS))
		return
	}
	if s.failed(w, r, err, "a stem of the session is not uploaded") {
		return
	}
	var v *float64
	if !math.IsNaN(lufs) && !math.IsInf(lufs, 0) {
		x := math.Round(lufs*100) / 100
		v = &x
	}
	writeJSON(w, http.StatusOK, map[string]any{"integrated_lufs": v})
}

// errSumTooLong is a session whose offsets put a stem past the longest
// song the server renders.
var errSumTooLong = errors.New("the stems run past the longest song")

func (s *Server) sumLoudness(ctx context.Context, p *store.Project, sess *stemmaster.Session) (float64, error) {
	var ins []*sumInput
	defer func() {
		for _, in := range ins {
			in.rc.Close()
		}
	}()
	rate, srcRate := 0, 0 // the previews' rate, and the files' (the song's)
	var total int64
	for _, st := range sess.Stems {
		if st.Mute {
			continue
		}
		si, err := s.streamInfo(ctx, p, store.KindStem, st.File)
		if errors.Is(err, store.ErrNotFound) {
			si, err = s.streamInfo(ctx, p, store.KindMix, st.File) // a stereo master's one input
		}
		if err != nil {
			return math.NaN(), err
		}
		src := cmp.Or(si.SourceRate, si.SampleRate)
		if rate == 0 {
			rate, srcRate = si.SampleRate, src
		} else if si.SampleRate != rate || src != srcRate {
			return math.NaN(), nil // files at several rates: the page's estimate stands in
		}
		rc, err := s.projects.OpenPreviewPCM(ctx, si.src, 0, -1)
		if err != nil {
			return math.NaN(), err
		}
		g := float32(math.Pow(10, (st.GainDB+si.GainDB)/20))
		sl, sr := st.Polarity.Signs()
		in := &sumInput{rc: rc, gain: g * float32(sl), gainR: g * float32(sr), swap: st.SwapChannels, frames: si.Frames}
		// Listed at once, so a refusal below closes it with the others.
		ins = append(ins, in)
		// The longest song bounds an offset either way: past it a stem
		// starts after the song ends, or ends before it starts; and
		// -math.MinInt64 is itself, which would make the skip below negative.
		if most := int64(s.cfg.Limits.MaxDurationS * float64(srcRate)); st.OffsetSamples > most || st.OffsetSamples < -most {
			return math.NaN(), errSumTooLong
		}
		// The offset counts the song's frames; a preview converted down
		// counts fewer.
		offset := st.OffsetSamples
		if rate != srcRate {
			offset = int64(math.Round(float64(offset) * float64(rate) / float64(srcRate)))
		}
		if offset >= 0 {
			in.delay = offset
		} else {
			skip := min(-offset, si.Frames)
			if _, err := io.CopyN(io.Discard, rc, skip*4); err != nil {
				return math.NaN(), err
			}
			in.frames -= skip
		}
		// The meter runs over every frame up to the last stem's end: an
		// offset of 2e9 frames cost 16 CPU-s of silence a request. No
		// render goes past the longest song, nor does the sum.
		if most := int64(s.cfg.Limits.MaxDurationS * float64(rate)); in.delay > most || in.delay+in.frames > most {
			return math.NaN(), errSumTooLong
		}
		total = max(total, in.delay+in.frames)
	}
	if len(ins) == 0 || loudness.CheckFormat(float64(rate), 2) != nil {
		return math.NaN(), nil
	}
	m := loudness.NewMeter(float64(rate), 2, loudness.Options{})
	sum := audio.NewBuffer(2, sumBlock)
	raw := make([]byte, sumBlock*4)
	for pos := int64(0); pos < total; pos += sumBlock {
		if err := ctx.Err(); err != nil {
			return math.NaN(), err
		}
		n := int(min(sumBlock, total-pos))
		sum.SetFrames(n)
		sum.Zero()
		for _, in := range ins {
			// Frames [pos, pos+n) of the song are frames [pos-delay, …) of
			// the stem.
			start := 0
			if in.delay > pos {
				start = int(min(int64(n), in.delay-pos))
			}
			want := min(int64(n-start), in.frames)
			if want <= 0 {
				continue
			}
			b := raw[:want*4]
			if _, err := io.ReadFull(in.rc, b); err != nil {
				return math.NaN(), err
			}
			in.frames -= want
			for i := 0; i < int(want); i++ {
				l := float32(int16(binary.LittleEndian.Uint16(b[4*i:]))) / 32767
				r := float32(int16(binary.LittleEndian.Uint16(b[4*i+2:]))) / 32767
				l, r = in.gain*l, in.gainR*r
				if in.swap {
					l, r = r, l
				}
				sum.Data[0][start+i] += l
				sum.Data[1][start+i] += r
			}
		}
		m.Process(sum)
	}
	return m.Result().IntegratedLUFS, nil
}
