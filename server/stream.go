package server

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
	"stemmaster/loudness"
	"stemmaster/service"
	"stemmaster/store"
)

// Streamed previews feed the page's live mixer and A/B player. Each
// uploaded file (and, on first request, each rendered master that is not
// a WAV the page can take as it is) gets a preview: 16-bit stereo PCM at the file's own rate, converted down to
// engine.MaxPreviewRate when above it (service.PreviewRate), scaled down when the
// file peaks above full scale (GainDB gives the level back), stored beside
// the file. The page fetches it in segments of SegmentS seconds, each a
// small WAV that decodeAudioData takes, so playback starts after one
// segment per stem and the tab holds only the segments around the
// playhead: 8 stems × 240 s at 48 kHz would be 740 MB as float in
// memory, a few seconds per stem is a few MB.

// SegmentS is the length of one streamed segment in seconds.
const SegmentS = 4

// StreamInfo describes one streamed preview.
type StreamInfo struct {
	Kind          string   `json:"kind"` // stem, mix or output
	Name          string   `json:"name"`
	SampleRate    int      `json:"sample_rate"` // of the preview
	SourceRate    int      `json:"source_rate"` // of the file (0 in previews made before it was kept: SampleRate)
	Frames        int64    `json:"frames"`
	SegmentFrames int64    `json:"segment_frames"`
	Segments      int64    `json:"segments"`
	GainDB        float64  `json:"gain_db"`         // play the preview this much louder to get the file's level
	LUFS          *float64 `json:"integrated_lufs"` // of the file, BS.1770-4
	URL           string   `json:"url"`             // segment k is URL + "/" + k + "?v=" + Version
	Version       string   `json:"version"`         // changes when the file is replaced

	src    string     // the blob the preview is of
	direct *directWAV // a rendered WAV served as it is, nil for a preview
}

// streamKey is where the preview of the blob at src lives: beside it, so
// it goes with the project's (or the render's) files.
func streamKey(src string) string { return service.StreamKey(src) }

const wavHeaderBytes = 44

// writeStreamPreview decodes the audio file name, read through open,
// into a preview and stores it (and its StreamInfo) under the stream key
// of src. One decode meters the file and writes the copy; only a copy
// found to peak beyond full scale (a float file, or the overshoot of a
// conversion) is made again, scaled to its peak.
func (s *Server) writeStreamPreview(ctx context.Context, src, name string, open func(string) (io.ReadSeekCloser, error)) error {
	f, err := audio.OpenFrom(name, open)
	if err != nil {
		return err
	}
	defer func() { f.Close() }()
	info := f.Info()
	rate := info.Format.SampleRate
	if err := loudness.CheckFormat(float64(rate), 2); err != nil {
		return err
	}
	prate := service.PreviewRate(rate)
	// The frames the upload was counted by (audio.LimitFrames): those
	// its header declares, or (a length it does not declare) those
	// counted, at most one past the longest song.
	most := info.Frames
	if most < 0 {
		most = int64(s.cfg.Limits.MaxDurationS*float64(rate)) + 1
	}
	tmp, err := os.CreateTemp(s.cfg.TempDir, "stream-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	// The loudness of the file as stereo: a mono file plays on both sides.
	m := loudness.NewMeter(float64(rate), 2, loudness.Options{IntegratedOnly: true})
	st := &audio.Buffer{Data: make([][]float32, 2)}
	first := true // the first decode: meter, and find the copy's peak
	// A float file may go beyond full scale, and so may a file converted
	// down: the band-limited copy of a file at full scale overshoots it (a
	// 1 kHz square wave's at 96 kHz by 16 %), which 16 bits would clip.
	overs := info.Format.SampleFormat == audio.Float || prate != rate
	var peak float32
	scale := float32(1)
	out := make([]byte, 8192*4)
	// The file is metered as it is, before any conversion of its rate.
	meter := func(buf *audio.Buffer) {
		l, r := buf.Data[0], buf.Data[min(1, len(buf.Data)-1)]
		if first {
			st.Data[0], st.Data[1] = l, r
			m.Process(st)
		}
	}
	encode := func(buf *audio.Buffer) {
		l, r := buf.Data[0], buf.Data[min(1, len(buf.Data)-1)]
		if first && overs {
			peak = max(peak, loudness.PeakAbs(l), loudness.PeakAbs(r))
		}
		o := out[:4*len(l)]
		for i, v := range l {
			binary.LittleEndian.PutUint16(o[4*i:], uint16(pcm16(v*scale)))
			binary.LittleEndian.PutUint16(o[4*i+2:], uint16(pcm16(r[i]*scale)))
		}
		bw.Write(o)
	}
	// pass decodes the file once, metering it and writing the copy; it
	// returns the copy's frames.
	pass := func() (int64, error) {
		src := cancellable{audio.LimitFrames(f, most), ctx}
		if prate == rate {
			return audio.ReadBlocks(src, 8192, func(b *audio.Buffer) { meter(b); encode(b) })
		}
		rr, err := resample.NewReader(meteredSource{src, meter}, rate, prate, info.Format.Channels)
		if err != nil {
			return 0, err
		}
		ci := info
		ci.Format.SampleRate, ci.Frames = prate, -1
		return audio.ReadBlocks(converted{rr, ci}, 8192, encode)
	}
	frames, err := heldFrames(pass())
	if err != nil {
		return err
	}
	gainDB := 0.0
	if peak > 1 {
		// Beyond full scale the copy clipped: again, scaled to the peak.
		scale, gainDB, first = 1/peak, 20*math.Log10(float64(peak)), false
		f.Close()
		if f, err = audio.OpenFrom(name, open); err != nil {
			return err
		}
		if err := tmp.Truncate(0); err != nil {
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		bw.Reset(tmp)
		if frames, err = heldFrames(pass()); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	lufs := m.Result().IntegratedLUFS
	si := StreamInfo{SampleRate: prate, SourceRate: rate, Frames: frames, SegmentFrames: int64(SegmentS * prate), GainDB: math.Round(gainDB*100) / 100, Version: newID()[:12]}
	si.Segments = (frames + si.SegmentFrames - 1) / si.SegmentFrames
	if !math.IsNaN(lufs) && !math.IsInf(lufs, 0) {
		v := math.Round(lufs*100) / 100
		si.LUFS = &v
	}
	js, _ := json.Marshal(si)
	return s.projects.PutPreview(ctx, src, tmp, js)
}

// heldFrames takes a file cut short of the length its header says as the
// frames it holds: its preview plays what it holds, as the check measures
// it (its truncated finding says what is missing). Its decoder's error
// unwraps to io.ErrUnexpectedEOF, which a request reads as the store out
// of reach: the page said "briefly out of reach" and asked again forever,
// and no stem of the project played.
func heldFrames(frames int64, err error) (int64, error) {
	var tr *audio.TruncatedError
	if errors.As(err, &tr) {
		return frames, nil
	}
	return frames, err
}

// streamSourceFigures finds the blob a stream request names (an uploaded
// stem or mix, an audio output of the published render or of a revision)
// with an output's loudness figures and the file's size.
func (s *Server) streamSourceFigures(ctx context.Context, p *store.Project, kind, name string) (string, []byte, int64, error) {
	switch kind {
	case store.KindStem, store.KindMix:
		files, err := s.projects.Files(ctx, p.ID)
		if err != nil {
			return "", nil, 0, err
		}
		for _, f := range files {
			if f.Kind == kind && f.Name == name {
				return f.BlobKey, nil, f.Size, nil
			}
		}
	case "output":
		outs, err := s.projects.Outputs(ctx, p.ID)
		if err != nil {
			return "", nil, 0, err
		}
		for _, o := range outs {
			if o.Name == name && o.Kind == store.OutputAudio {
				return o.BlobKey, o.Figures, o.Size, nil
			}
		}
	default:
		if n, ok := strings.CutPrefix(kind, "rev-"); ok {
			o, err := s.revisionOutput(ctx, p, n, name)
			if err != nil {
				return "", nil, 0, err
			}
			if o.Kind != store.OutputAudio {
				return "", nil, 0, store.ErrNotFound
			}
			return o.BlobKey, o.Figures, o.Size, nil
		}
	}
	return "", nil, 0, store.ErrNotFound
}

// previewLocks makes one preview of a file at a time: striped by key, so
// the set stays fixed however many files the server sees.
var previewLocks [64]sync.Mutex

func previewLock(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &previewLocks[h.Sum32()%uint32(len(previewLocks))]
}

// streamInfo returns a file's preview, making it when it is missing (a
// rendered master, or a file uploaded before previews existed).
func (s *Server) streamInfo(ctx context.Context, p *store.Project, kind, name string) (*StreamInfo, error) {
	src, figures, size, err := s.streamSourceFigures(ctx, p, kind, name)
	if err != nil {
		return nil, err
	}
	url := "/api/projects/" + p.ID + "/stream/" + kind + "/" + name
	if kind != store.KindStem && kind != store.KindMix && strings.HasSuffix(strings.ToLower(name), ".wav") {
		// A rendered WAV at a rate its preview keeps needs no preview: its
		// segments are byte ranges of the file itself, so A/B plays the
		// moment a render is done. Above engine.MaxPreviewRate it is
		// previewed converted, as an upload is: the page would otherwise
		// fetch, decode and analyse twice the samples of a 96 kHz master.
		if d, err := s.readDirectWAV(ctx, src); err == nil && service.PreviewRate(d.rate) == d.rate {
			d.frames = min(d.frames, (size-d.dataOffset)/int64(d.channels*d.bits/8)) // a truncated file
			si := &StreamInfo{Kind: kind, Name: name, SampleRate: d.rate, SourceRate: d.rate, Frames: d.frames, SegmentFrames: int64(SegmentS * d.rate),
				URL: url, Version: strconv.FormatInt(d.frames, 36) + "-" + strconv.Itoa(len(src)), src: src, direct: d}
			si.Segments = (si.Frames + si.SegmentFrames - 1) / si.SegmentFrames
			si.LUFS = integrated(figures)
			return si, nil
		}
	}
	// An upload's preview still being made after its answer is waited
	// for, not made twice.
	if err := s.previews.wait(ctx, src); err != nil {
		return nil, err
	}
	key := streamKey(src)
	mu := previewLock(key)
	mu.Lock()
	defer mu.Unlock()
	rc, err := s.projects.OpenPreviewInfo(ctx, src)
	if errors.Is(err, store.ErrNotFound) {
		// A preview decodes the whole file, metering it and converting
		// its rate: 26 CPU-seconds for 20 minutes at 384 kHz, from 145 kB
		// of FLAC. One client's previews are made one at a time, and half
		// the cores bound everyone's (as loudness sums are): a client's 32
		// requests at once made 32 at once.
		if err := s.makePreview(ctx, src); err != nil {
			return nil, err
		}
		rc, err = s.projects.OpenPreviewInfo(ctx, src)
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var si StreamInfo
	if err := json.NewDecoder(rc).Decode(&si); err != nil {
		return nil, err
	}
	si.Kind, si.Name, si.URL, si.src = kind, name, url, src
	if v := integrated(figures); v != nil {
		// An output's loudness is the report's figure, as for a WAV
		// served as it is: one number for the file on the page.
		si.LUFS = v
	}
	return &si, nil
}

// makePreview makes the preview of the stored file at src in a request,
// in its client's turn (Server.makes).
func (s *Server) makePreview(ctx context.Context, src string) error {
	release, err := s.makes.take(ctx, clientOf(ctx))
	if err != nil {
		return err
	}
	defer release()
	return s.makePreviewFromBlob(ctx, src)
}

// makePreviewFromBlob makes the preview of the stored file at src, read
// in place.
func (s *Server) makePreviewFromBlob(ctx context.Context, src string) error {
	return s.writeStreamPreview(ctx, src, path.Base(src), func(string) (io.ReadSeekCloser, error) { return s.projects.OpenSource(ctx, src) })
}

// StreamsView is GET /api/projects/{id}/streams: the previews of every
// stem, the mix and the main master.
type StreamsView struct {
	Stems  []*StreamInfo `json:"stems"`
	Mix    *StreamInfo   `json:"mix"`
	Master *StreamInfo   `json:"master"`
	// Revisions holds the main master of each revision asked for (?rev=N).
	Revisions []*StreamInfo `json:"revisions,omitempty"`
}

func (s *Server) handleStreams(w http.ResponseWriter, r *http.Request, p *store.Project) {
	files, err := s.projects.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := StreamsView{Stems: []*StreamInfo{}}
	for _, f := range files {
		si, err := s.streamInfo(r.Context(), p, f.Kind, f.Name)
		if errors.Is(err, store.ErrNotFound) {
			// Removed since the listing (from another tab), or its blobs
			// gone with its record left by a removal cut short: the other
			// files still play.
			continue
		}
		if err != nil {
			s.internal(w, r, err)
			return
		}
		if f.Kind == store.KindMix {
			v.Mix = si
		} else {
			v.Stems = append(v.Stems, si)
		}
	}
	revs := r.URL.Query()["rev"]
	if len(revs) > maxStreamRevisions {
		// Each costs a read of the revision and of its master's header:
		// 2,500 in one 18 kB query took 4 s and answered 645 kB.
		writeFieldError(w, http.StatusBadRequest, "bad_request", "rev", fmt.Sprintf("at most %d revisions at once (rev=N, repeated)", maxStreamRevisions))
		return
	}
	for _, rev := range revs {
		// rev=3 streams revision 3's main master.
		si, err := s.streamInfo(r.Context(), p, "rev-"+rev, "main.wav")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.internal(w, r, err)
			return
		}
		if si != nil {
			v.Revisions = append(v.Revisions, si)
		}
	}
	if name := r.URL.Query().Get("master"); name != "" {
		if v.Master, err = s.streamInfo(r.Context(), p, "output", name); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.internal(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, v)
}

// maxStreamRevisions bounds the revisions one GET …/streams describes
// (the page compares two).
const maxStreamRevisions = 16

// handleSegment serves segment k of a preview as a 16-bit stereo WAV.
func (s *Server) handleSegment(w http.ResponseWriter, r *http.Request, p *store.Project) {
	kind, name := r.PathValue("kind"), fileNameParam(r)
	k, err := strconv.ParseInt(r.PathValue("seg"), 10, 64)
	if err != nil || k < 0 {
		writeError(w, http.StatusBadRequest, "bad_request", "segment must be a number from 0")
		return
	}
	si, err := s.streamInfo(r.Context(), p, kind, name)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no %s named %s", kind, name))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if k >= si.Segments {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s has %d segments", name, si.Segments))
		return
	}
	first := k * si.SegmentFrames
	n := min(si.SegmentFrames, si.Frames-first)
	open, offset, frameBytes, header := s.projects.OpenPreviewPCM, first*4, int64(4), wavHeader(si.SampleRate, 2, 16, false, n)
	if d := si.direct; d != nil {
		frameBytes = int64(d.channels * d.bits / 8)
		open, offset, header = s.projects.OpenSourceRange, d.dataOffset+first*frameBytes, wavHeader(d.rate, d.channels, d.bits, d.float, n)
	}
	rc, err := open(r.Context(), si.src, offset, n*frameBytes)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "audio/wav")
	h.Set("Content-Length", strconv.FormatInt(int64(len(header))+n*frameBytes, 10))
	// A preview never changes under its key (a new upload or render has
	// its own), so the browser may keep segments for a loop.
	h.Set("Cache-Control", "private, max-age=3600")
	w.WriteHeader(http.StatusOK)
	w.Write(header)
	io.Copy(w, rc)
}
