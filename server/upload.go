package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"stemmaster/audio"
	"stemmaster/loudness"
	"stemmaster/store"
)

// FileInfo is what the API tells about an uploaded file.
type FileInfo struct {
	Name         string  `json:"name"`
	Size         int64   `json:"size"`
	Container    string  `json:"container"`
	SampleRate   int     `json:"sample_rate"`
	Channels     int     `json:"channels"`
	BitDepth     int     `json:"bit_depth"`
	SampleFormat string  `json:"sample_format"`
	Frames       int64   `json:"frames"`
	DurationS    float64 `json:"duration_s"`
}

// maxNameBytes bounds a sanitised file name.
const maxNameBytes = 120

// SanitizeName makes an uploaded file name safe to store and show: the base
// name only (no directories, whichever separator the client used), ASCII
// letters, digits and " ._-+()" kept, anything else replaced by "_", no
// leading dot or space, at most 120 bytes. It returns "" when nothing usable
// remains.
func SanitizeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '.', r == '_', r == '-', r == ' ', r == '+', r == '(', r == ')':
			b.WriteRune(r)
		case r == utf8.RuneError || r < 0x20 || r == 0x7f:
			// drop control characters and invalid bytes
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(strings.TrimSpace(b.String()), ". ")
	if len(out) > maxNameBytes {
		ext := filepath.Ext(out)
		if len(ext) > 10 {
			ext = ""
		}
		out = strings.TrimSpace(out[:maxNameBytes-len(ext)]) + ext
	}
	if strings.Trim(out, "._- ") == "" {
		return ""
	}
	return out
}

// uploadError is a client mistake found while reading an upload.
type uploadError struct {
	status  int
	code    string
	message string
}

func (e *uploadError) Error() string { return e.message }

func (s *Server) handleUpload(kind string) projectHandler {
	return func(w http.ResponseWriter, r *http.Request, p *store.Project) {
		lim := s.cfg.Limits
		// The whole request may not exceed the project's total limit (plus
		// room for the multipart framing).
		r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes+1<<20)
		mr, err := r.MultipartReader()
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "send the files as multipart/form-data in the field \"file\"")
			return
		}
		var accepted []FileInfo
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				writeUploadError(w, accepted, readError(err))
				return
			}
			if part.FormName() != "file" {
				part.Close()
				continue
			}
			info, err := s.acceptPart(r.Context(), p.ID, kind, part)
			part.Close()
			if err != nil {
				var ue *uploadError
				if errors.As(err, &ue) {
					writeUploadError(w, accepted, ue)
					return
				}
				s.internal(w, r, err)
				return
			}
			accepted = append(accepted, *info)
		}
		if len(accepted) == 0 {
			writeError(w, http.StatusBadRequest, "no_file", "no file in the field \"file\"")
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"files": accepted})
	}
}

// writeUploadError answers an upload that failed partway; files accepted
// before the failing one stay uploaded, and the message says which.
func writeUploadError(w http.ResponseWriter, accepted []FileInfo, ue *uploadError) {
	msg := ue.message
	if len(accepted) > 0 {
		names := make([]string, len(accepted))
		for i, a := range accepted {
			names[i] = a.Name
		}
		msg += " (accepted before it: " + strings.Join(names, ", ") + ")"
	}
	writeError(w, ue.status, ue.code, msg)
}

func readError(err error) *uploadError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the upload exceeds the project's limit of %d bytes", mbe.Limit)}
	}
	return &uploadError{http.StatusBadRequest, "bad_request", "malformed multipart body: " + err.Error()}
}

// acceptPart streams one file to a temporary file, checks it and stores it.
func (s *Server) acceptPart(ctx context.Context, projectID, kind string, part *multipart.Part) (*FileInfo, error) {
	lim := s.cfg.Limits
	name := SanitizeName(part.FileName())
	if name == "" {
		return nil, &uploadError{http.StatusBadRequest, "bad_name", fmt.Sprintf("file name %q has no usable characters", part.FileName())}
	}
	files, err := s.cfg.Meta.Files(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var total int64
	count := 0
	for _, f := range files {
		replaced := f.Kind == kind && f.Name == name
		if kind == store.KindMix && f.Kind == store.KindMix {
			replaced = true // one mix per project: a new one replaces it
		}
		if replaced {
			continue
		}
		if f.Name == name {
			return nil, &uploadError{http.StatusConflict, "name_taken", fmt.Sprintf("%s is already uploaded as the %s", name, f.Kind)}
		}
		total += f.Size
		count++
	}
	if count >= lim.MaxFiles {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_many_files", fmt.Sprintf("%s: a project holds at most %d files", name, lim.MaxFiles)}
	}
	tmp, err := os.CreateTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(part, lim.MaxFileBytes+1))
	if err != nil {
		return nil, readError(err)
	}
	if n > lim.MaxFileBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: a file is at most %d bytes", name, lim.MaxFileBytes)}
	}
	if total+n > lim.MaxTotalBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: the project's files may total at most %d bytes", name, lim.MaxTotalBytes)}
	}
	if n == 0 {
		return nil, &uploadError{http.StatusUnsupportedMediaType, "not_audio", name + ": the file is empty"}
	}
	ai, err := audio.Stat(tmp.Name())
	if err != nil {
		var fe *audio.FileError
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fe.Err.Error()
		}
		if hint := notAudioHint(tmp.Name()); hint != "" {
			msg = hint
		}
		return nil, &uploadError{http.StatusUnsupportedMediaType, "not_audio", name + ": " + msg}
	}
	if r := ai.Format.SampleRate; r < loudness.MinSampleRate || r > loudness.MaxSampleRate {
		// It decodes, but nothing downstream can meter or render it: say so
		// now rather than fail the check and render jobs later.
		return nil, &uploadError{http.StatusUnsupportedMediaType, "unsupported_rate",
			fmt.Sprintf("%s: sample rate %d Hz; stemmaster works from %d to %d Hz", name, r, loudness.MinSampleRate, loudness.MaxSampleRate)}
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	info := &FileInfo{Name: name, Size: n, Container: ai.Container, SampleRate: ai.Format.SampleRate, Channels: ai.Format.Channels,
		BitDepth: ai.Format.BitDepth, SampleFormat: ai.Format.SampleFormat.String(), Frames: ai.Frames, DurationS: ai.Duration()}
	infoJSON, _ := json.Marshal(info)
	key := store.FileKey(projectID, kind, name)
	if kind == store.KindMix {
		// Replace the previous mix (of any name).
		for _, f := range files {
			if f.Kind == store.KindMix && f.Name != name {
				if err := s.cfg.Meta.DeleteFile(ctx, projectID, f.Kind, f.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				s.cfg.Blobs.Delete(ctx, f.BlobKey)
			}
		}
	}
	if _, err := s.cfg.Blobs.Put(ctx, key, "application/octet-stream", tmp); err != nil {
		return nil, err
	}
	f := &store.File{ProjectID: projectID, Kind: kind, Name: name, Size: n, BlobKey: key, Info: infoJSON, CreatedAt: time.Now().UTC()}
	if err := s.cfg.Meta.PutFile(ctx, f); err != nil {
		return nil, err
	}
	if kind == store.KindStem && stemNames(files) == nil {
		if err := s.leaveStereo(ctx, projectID); err != nil {
			return nil, err
		}
	}
	// The live mixer's preview; made on first request when this fails.
	if err := s.writeStreamPreview(ctx, projectID, key, tmp.Name()); err != nil {
		s.cfg.Logger.Warn("stream preview", "file", name, "error", err)
	}
	// The check was of the files before this one.
	if err := s.cfg.Meta.SetCheck(ctx, projectID, "", nil); err != nil {
		return nil, err
	}
	return info, nil
}

func (s *Server) handleDeleteFile(kind string) projectHandler {
	return func(w http.ResponseWriter, r *http.Request, p *store.Project) {
		name := r.PathValue("name")
		files, err := s.cfg.Meta.Files(r.Context(), p.ID)
		if err != nil {
			s.internal(w, r, err)
			return
		}
		for _, f := range files {
			if f.Kind == kind && f.Name == name {
				if err := s.cfg.Meta.DeleteFile(r.Context(), p.ID, kind, name); err != nil {
					s.internal(w, r, err)
					return
				}
				if err := s.cfg.Blobs.Delete(r.Context(), f.BlobKey); err != nil {
					s.cfg.Logger.Warn("delete blob", "key", f.BlobKey, "error", err)
				}
				if err := s.cfg.Meta.SetCheck(r.Context(), p.ID, "", nil); err != nil {
					s.internal(w, r, err)
					return
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		writeError(w, http.StatusNotFound, "not_found", "no "+kind+" named "+name)
	}
}

// loadDemo writes the demo song's stems and stores them in the project.
func (s *Server) loadDemo(ctx context.Context, projectID string) error {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "demo-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	paths, err := s.cfg.Demo(ctx, dir)
	if err != nil {
		return err
	}
	for _, path := range paths {
		ai, err := audio.Stat(path)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		name := SanitizeName(filepath.Base(path))
		info := FileInfo{Name: name, Size: st.Size(), Container: ai.Container, SampleRate: ai.Format.SampleRate, Channels: ai.Format.Channels,
			BitDepth: ai.Format.BitDepth, SampleFormat: ai.Format.SampleFormat.String(), Frames: ai.Frames, DurationS: ai.Duration()}
		infoJSON, _ := json.Marshal(info)
		key := store.FileKey(projectID, store.KindStem, name)
		if _, err := s.cfg.Blobs.PutFile(ctx, key, "application/octet-stream", path); err != nil {
			return err
		}
		if err := s.cfg.Meta.PutFile(ctx, &store.File{ProjectID: projectID, Kind: store.KindStem, Name: name, Size: st.Size(), BlobKey: key, Info: infoJSON, CreatedAt: time.Now().UTC()}); err != nil {
			return err
		}
	}
	return nil
}

func stemNames(files []store.File) []string {
	var names []string
	for _, f := range files {
		if f.Kind == store.KindStem {
			names = append(names, f.Name)
		}
	}
	return names
}

func mixName(files []store.File) string {
	for _, f := range files {
		if f.Kind == store.KindMix {
			return f.Name
		}
	}
	return ""
}

// sampleRate is the first stem's sample rate, 0 when unknown.
func sampleRate(files []store.File) int {
	for _, f := range files {
		if f.Kind != store.KindStem {
			continue
		}
		var fi FileInfo
		if json.Unmarshal(f.Info, &fi) == nil && fi.SampleRate > 0 {
			return fi.SampleRate
		}
	}
	return 0
}
