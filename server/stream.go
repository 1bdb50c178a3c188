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
	"strconv"
	"strings"
	"sync"

	"stemmaster/audio"
	"stemmaster/loudness"
	"stemmaster/store"
)

// Streamed previews feed the page's live mixer and A/B player. Each
// uploaded file (and, on first request, each rendered master) gets a
// preview: 16-bit stereo PCM at the file's own rate, scaled down when the
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
	SampleRate    int      `json:"sample_rate"`
	Frames        int64    `json:"frames"`
	SegmentFrames int64    `json:"segment_frames"`
	Segments      int64    `json:"segments"`
	GainDB        float64  `json:"gain_db"`         // play the preview this much louder to get the file's level
	LUFS          *float64 `json:"integrated_lufs"` // of the file, BS.1770-4
	URL           string   `json:"url"`             // segment k is URL + "/" + k + "?v=" + Version
	Version       string   `json:"version"`         // changes when the file is replaced
}

// streamKey is where the preview of the blob at src lives: beside it, so
// it goes with the project's (or the render's) files.
func streamKey(src string) string {
	return src + ".preview"
}

const wavHeaderBytes = 44

// writeStreamPreview decodes the audio file at path into a preview and
// stores it (and its StreamInfo) under the stream key of src.
func (s *Server) writeStreamPreview(ctx context.Context, projectID, src, path string) error {
	peak, lufs, err := measurePreview(path)
	if err != nil {
		return err
	}
	scale := float32(1)
	gainDB := 0.0
	if peak > 1 {
		scale = 1 / peak
		gainDB = 20 * math.Log10(float64(peak))
	}
	f, err := audio.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info := f.Info()
	tmp, err := os.CreateTemp(s.cfg.TempDir, "stream-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	buf := audio.NewBuffer(info.Format.Channels, 8192)
	out := make([]byte, 0, 8192*4)
	var frames int64
	for {
		buf.SetFrames(8192)
		n, err := f.Read(buf)
		if n > 0 {
			out = out[:0]
			l, r := buf.Data[0], buf.Data[0]
			if len(buf.Data) > 1 {
				r = buf.Data[1]
			}
			for i := 0; i < n; i++ {
				out = binary.LittleEndian.AppendUint16(out, uint16(pcm16(l[i]*scale)))
				out = binary.LittleEndian.AppendUint16(out, uint16(pcm16(r[i]*scale)))
			}
			bw.Write(out)
			frames += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	key := streamKey(src)
	if _, err := s.cfg.Blobs.Put(ctx, key+".pcm", "application/octet-stream", tmp); err != nil {
		return err
	}
	rate := info.Format.SampleRate
	si := StreamInfo{SampleRate: rate, Frames: frames, SegmentFrames: int64(SegmentS * rate), GainDB: math.Round(gainDB*100) / 100, Version: newID()[:12]}
	si.Segments = (frames + si.SegmentFrames - 1) / si.SegmentFrames
	if !math.IsNaN(lufs) && !math.IsInf(lufs, 0) {
		v := math.Round(lufs*100) / 100
		si.LUFS = &v
	}
	js, _ := json.Marshal(si)
	_, err = s.cfg.Blobs.Put(ctx, key+".json", "application/json", strings.NewReader(string(js)))
	return err
}

func pcm16(v float32) int16 {
	x := math.Round(float64(v) * 32767)
	return int16(max(-32768, min(32767, x)))
}

// measurePreview returns a file's sample peak and integrated loudness
// (as stereo: a mono file plays on both sides).
func measurePreview(path string) (float32, float64, error) {
	f, err := audio.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	info := f.Info()
	if err := loudness.CheckFormat(float64(info.Format.SampleRate), 2); err != nil {
		return 0, 0, err
	}
	m := loudness.NewMeter(float64(info.Format.SampleRate), 2, loudness.Options{})
	buf := audio.NewBuffer(info.Format.Channels, 8192)
	st := &audio.Buffer{Data: make([][]float32, 2)}
	var peak float32
	for {
		buf.SetFrames(8192)
		n, err := f.Read(buf)
		if n > 0 {
			st.Data[0] = buf.Data[0][:n]
			st.Data[1] = buf.Data[min(1, len(buf.Data)-1)][:n]
			for _, ch := range st.Data {
				for _, v := range ch {
					peak = max(peak, float32(math.Abs(float64(v))))
				}
			}
			m.Process(st)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return peak, m.Result().IntegratedLUFS, nil
}

// streamSource finds the blob a stream request names: an uploaded stem or
// mix, or an audio output of the published render.
func (s *Server) streamSource(ctx context.Context, p *store.Project, kind, name string) (string, error) {
	switch kind {
	case store.KindStem, store.KindMix:
		files, err := s.cfg.Meta.Files(ctx, p.ID)
		if err != nil {
			return "", err
		}
		for _, f := range files {
			if f.Kind == kind && f.Name == name {
				return f.BlobKey, nil
			}
		}
	case "output":
		outs, err := s.cfg.Meta.Outputs(ctx, p.ID)
		if err != nil {
			return "", err
		}
		for _, o := range outs {
			if o.Name == name && o.Kind == store.OutputAudio {
				return o.BlobKey, nil
			}
		}
	default:
		if n, ok := strings.CutPrefix(kind, "rev-"); ok {
			o, err := s.revisionOutput(ctx, p, n, name)
			if err != nil {
				return "", err
			}
			if o.Kind != store.OutputAudio {
				return "", store.ErrNotFound
			}
			return o.BlobKey, nil
		}
	}
	return "", store.ErrNotFound
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
	src, err := s.streamSource(ctx, p, kind, name)
	if err != nil {
		return nil, err
	}
	key := streamKey(src)
	mu := previewLock(key)
	mu.Lock()
	defer mu.Unlock()
	rc, err := s.cfg.Blobs.Open(ctx, key+".json")
	if errors.Is(err, store.ErrNotFound) {
		if err := s.makePreviewFromBlob(ctx, p.ID, src); err != nil {
			return nil, err
		}
		rc, err = s.cfg.Blobs.Open(ctx, key+".json")
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var si StreamInfo
	if err := json.NewDecoder(rc).Decode(&si); err != nil {
		return nil, err
	}
	si.Kind, si.Name = kind, name
	si.URL = "/api/projects/" + p.ID + "/stream/" + kind + "/" + name
	return &si, nil
}

func (s *Server) makePreviewFromBlob(ctx context.Context, projectID, src string) error {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "stream-src-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := dir + "/src"
	if err := s.cfg.Blobs.Download(ctx, src, path); err != nil {
		return err
	}
	return s.writeStreamPreview(ctx, projectID, src, path)
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
	files, err := s.cfg.Meta.Files(r.Context(), p.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := StreamsView{Stems: []*StreamInfo{}}
	for _, f := range files {
		si, err := s.streamInfo(r.Context(), p, f.Kind, f.Name)
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
	for _, rev := range r.URL.Query()["rev"] {
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

// handleSegment serves segment k of a preview as a 16-bit stereo WAV.
func (s *Server) handleSegment(w http.ResponseWriter, r *http.Request, p *store.Project) {
	kind, name := r.PathValue("kind"), r.PathValue("name")
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
	src, _ := s.streamSource(r.Context(), p, kind, name)
	first := k * si.SegmentFrames
	n := min(si.SegmentFrames, si.Frames-first)
	rc, err := s.cfg.Blobs.OpenRange(r.Context(), streamKey(src)+".pcm", first*4, n*4)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", "audio/wav")
	h.Set("Content-Length", strconv.FormatInt(wavHeaderBytes+n*4, 10))
	// A preview never changes under its key (a new upload or render has
	// its own), so the browser may keep segments for a loop.
	h.Set("Cache-Control", "private, max-age=3600")
	w.WriteHeader(http.StatusOK)
	w.Write(wavHeader(si.SampleRate, n))
	io.Copy(w, rc)
}

// wavHeader is the 44-byte header of a 16-bit stereo PCM WAV.
func wavHeader(rate int, frames int64) []byte {
	data := uint32(frames * 4)
	b := make([]byte, 0, wavHeaderBytes)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 36+data)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1) // PCM
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*4))
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, data)
	return b
}
