package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"stemmaster/internal/faultpoint"
	"stemmaster/service"
	"stemmaster/store"
)

// FileInfo is what the API tells about an uploaded file.
type FileInfo = service.FileInfo

// maxNameBytes bounds a sanitised file name.
const maxNameBytes = 120

// SanitizeName makes an uploaded file name safe to store and show: the base
// name only (no directories, whichever separator the client used), in
// Unicode's composed form (NFC: "Überkopf" typed on a Mac, decomposed,
// is the same name as typed elsewhere), keeping the letters, marks and
// numbers of any script, dashes, and " ._+()"; spaces of any width become
// " ", control and format characters (bidi overrides and isolates, zero
// widths) are dropped, anything else (a slash of another width, a symbol)
// is replaced by "_"; no leading dot or space, at most 120 bytes, cut
// between two characters, never between a letter and its marks. It
// returns "" when nothing usable remains.
func SanitizeName(name string) string {
	var b strings.Builder
	for _, r := range baseName(strings.ToValidUTF8(name, "")) {
		switch {
		case nameRune(r):
			b.WriteRune(r)
		case unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs), r == utf8.RuneError:
			// Invisible, or turning the text around it (U+202E shows
			// "gnp.exe" as "exe.png"): dropped.
		default:
			b.WriteByte('_')
		}
	}
	// A format character dropped may have stood between a letter and its
	// mark.
	out := strings.TrimLeft(strings.TrimSpace(norm.NFC.String(b.String())), ". ")
	if len(out) > maxNameBytes {
		ext := filepath.Ext(out)
		if len(ext) > 10 {
			ext = ""
		}
		out = strings.TrimSpace(cutName(out, maxNameBytes-len(ext))) + ext
	}
	if strings.Trim(out, "._- ") == "" {
		return ""
	}
	return out
}

// nameRune reports whether r is kept as it is in a file name: a letter, a
// mark or a number of any script, a dash, or one of " ._+()".
func nameRune(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" ._-+()", r)
	case unicode.Is(unicode.Pd, r):
		return true
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N)
}

// cutName is the longest prefix of s of at most n bytes that ends between
// two characters and before a character that is not a mark: a letter
// keeps its accents, a syllable its vowel signs.
func cutName(s string, n int) string {
	cut := 0
	for i, r := range s {
		if i > n {
			break
		}
		if !unicode.IsMark(r) {
			cut = i
		}
	}
	if len(s) <= n {
		cut = len(s)
	}
	return s[:cut]
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
		if !s.capacity(w, r, false) {
			return
		}
		// The whole request may not exceed the project's total limit (plus
		// room for the multipart framing).
		r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes+1<<20)
		mr, err := r.MultipartReader()
		if err != nil {
			writeFieldError(w, http.StatusBadRequest, "bad_request", "file", "send the files as multipart/form-data in the field \"file\"")
			return
		}
		seen := map[string]string{} // stored name → original name, in this request
		accepted, ok := s.eachFile(w, r, mr, func(part *multipart.Part) (*FileInfo, error) {
			name := SanitizeName(part.FileName())
			if first, dup := seen[name]; dup && name != "" {
				return nil, &uploadError{http.StatusConflict, "duplicate_name",
					fmt.Sprintf("%q and %q in this request would both be stored as %s; send each file once, under distinct names", first, baseName(part.FileName()), name)}
			}
			seen[name] = baseName(part.FileName())
			return s.acceptPart(r.Context(), p.ID, kind, part)
		})
		if !ok {
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"files": accepted})
	}
}

// eachFile hands every part of the multipart field "file" to accept in
// turn and returns what it accepted. On an error, or when there was no
// file, it has answered the request (an *uploadError beside the files
// accepted before it) and returns ok false.
func (s *Server) eachFile(w http.ResponseWriter, r *http.Request, mr *multipart.Reader, accept func(*multipart.Part) (*FileInfo, error)) (accepted []FileInfo, ok bool) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeUploadError(w, accepted, s.readError(err))
			return nil, false
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		info, err := accept(part)
		part.Close()
		if err != nil {
			var ue *uploadError
			if errors.As(err, &ue) {
				writeUploadError(w, accepted, ue)
			} else {
				// The project deleted while its upload streamed in is
				// the client's doing, not the server's fault.
				s.failed(w, r, err, "no such project (it was deleted during the upload)")
			}
			return nil, false
		}
		accepted = append(accepted, *info)
	}
	if len(accepted) == 0 {
		writeFieldError(w, http.StatusBadRequest, "no_file", "file", "no file in the field \"file\"")
		return nil, false
	}
	return accepted, true
}

// baseName is the last element of a client's file name, whichever
// separator it used, in composed form (NFC): the same name sent decomposed
// (as a Mac sends it) is the same original name, not another file's.
func baseName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return norm.NFC.String(name)
}

// fileNameParam is the file name the path names, in composed form (NFC),
// as uploads store it: a client that names a file as it sent it,
// decomposed (a Mac's file name), names the file stored.
func fileNameParam(r *http.Request) string { return norm.NFC.String(r.PathValue("name")) }

// writeUploadError answers an upload that failed partway; files accepted
// before the failing one stay uploaded, and the message says which. A 503
// says when to send it again (Retry-After), as every 503 unavailable does.
func writeUploadError(w http.ResponseWriter, accepted []FileInfo, ue *uploadError) {
	if ue.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(unavailableWait/time.Second)))
	}
	msg := ue.message
	if len(accepted) > 0 {
		names := make([]string, len(accepted))
		for i, a := range accepted {
			names[i] = a.Name
		}
		msg += " (accepted before it: " + strings.Join(names, ", ") + ")"
	}
	writeFieldError(w, ue.status, ue.code, "file", msg)
}

func (s *Server) readError(err error) *uploadError {
	if isTimeout(err) {
		return &uploadError{http.StatusRequestTimeout, "too_slow", fmt.Sprintf("the upload arrived slower than %d KiB/s over %d s and was cut; try again on a faster connection", s.cfg.MinBodyRate>>10, int(s.cfg.BodyRateWindow/time.Second))}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the upload exceeds the project's limit of %d bytes", mbe.Limit)}
	}
	return &uploadError{http.StatusBadRequest, "bad_request", "malformed multipart body: " + err.Error()}
}

// acceptPart streams one file to a temporary file, checks it and stores
// it. The limits are checked first against the project as it is (to fail
// fast), then again, atomically with recording the file, by
// store.PutFileWithin: concurrent uploads never take a project over them.
func (s *Server) acceptPart(ctx context.Context, projectID, kind string, part *multipart.Part) (*FileInfo, error) {
	lim := s.cfg.Limits
	original := baseName(part.FileName())
	name := SanitizeName(part.FileName())
	if name == "" {
		return nil, &uploadError{http.StatusBadRequest, "bad_name", fmt.Sprintf("file name %q has no usable characters", part.FileName())}
	}
	files, err := s.projects.Files(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, f := range files {
		replaced := f.Kind == kind && f.Name == name
		if kind == store.KindMix && f.Kind == store.KindMix {
			replaced = true // one mix per project: a new one replaces it
		}
		if f.Name == name && (f.Kind != kind || cmp.Or(f.OriginalName, f.Name) != original) || store.ReadAlike(f.Name, name) && !replaced {
			return nil, nameConflict(name, original, f)
		}
		if !replaced {
			total += f.Counts()
		}
	}
	// The project's references share its total size.
	refs, err := s.projects.References(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		total += r.Size
	}
	// Files in flight count against the limits, the client's storage and
	// the disk from their first byte (spools).
	sp, err := s.beginSpool(ctx, projectID, kind, name)
	var qe *store.QuotaError
	if errors.As(err, &qe) && qe.Files {
		return nil, tooManyFiles(name, lim.MaxFiles)
	}
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		sp.end()
		return nil, err
	}
	release := func() {
		os.Remove(tmp.Name())
		sp.end()
	}
	handed := false // to the preview queue, which releases the spool
	defer func() {
		if !handed {
			release()
		}
	}()
	defer tmp.Close()
	room := min(lim.MaxFileBytes, lim.MaxTotalBytes-total)
	n, err := s.spoolBody(ctx, sp, tmp, part, room+1, name)
	if err != nil {
		return nil, err
	}
	faultpoint.Hit("upload-spooled")
	if n > lim.MaxFileBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: a file is at most %d bytes", name, lim.MaxFileBytes)}
	}
	if n > room {
		return nil, tooLarge(name, lim.MaxTotalBytes)
	}
	info, err := service.InspectUploadAs(tmp.Name(), name, kind, n, lim.MaxDurationS)
	if err != nil {
		return nil, refused(err)
	}
	// The page's preview is made from the file (16-bit stereo at its
	// rate, at most 48 kHz) and stored beside it: 2 MB of FLAC silence
	// makes a preview of hundreds of MB, and an anonymous client would
	// fill the store at many times its upload rate. A file counts for the
	// larger of the two against the limits.
	counted := max(n, service.PreviewBytes(info.Frames, info.SampleRate))
	if counted > lim.MaxFileBytes {
		return nil, &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: its preview for the page's player (16-bit stereo at %d Hz, %d bytes) is over the %d bytes a file may take", name, service.PreviewRate(info.SampleRate), counted, lim.MaxFileBytes)}
	}
	if counted > room {
		return nil, tooLarge(name, lim.MaxTotalBytes)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	// A key of its own: the file it may replace stays whole until the
	// database switches to this one.
	key := store.UploadKey(projectID, kind, newID()[:16], name)
	f := &store.File{ProjectID: projectID, Kind: kind, Name: name, OriginalName: original, Size: n, BlobKey: key, Info: service.EncodeFileInfo(info), CreatedAt: s.projects.Now(),
		Reservation: sp.reservation()}
	if counted > n {
		f.Counted = counted
	}
	if err := s.projects.RecordFile(ctx, f, tmp, store.FileLimits{MaxFiles: lim.MaxFiles, MaxTotalBytes: lim.MaxTotalBytes, ClientLimits: s.clientLimits()}, sp.recorded); err != nil {
		var qe *store.QuotaError
		var ce *store.NameConflictError
		switch {
		case errors.As(err, &qe) && qe.Client:
			return nil, ownerFull(name, counted, qe)
		case errors.As(err, &qe) && qe.Files:
			return nil, tooManyFiles(name, lim.MaxFiles)
		case errors.As(err, &qe):
			return nil, tooLarge(name, lim.MaxTotalBytes)
		case errors.As(err, &ce):
			return nil, nameConflict(name, original, store.File{Kind: ce.Kind, Name: ce.Name, OriginalName: ce.Original})
		}
		return nil, err
	}
	// The live mixer's preview, made from the spool file after the
	// answer (previewqueue.go); on first request when the queue is full.
	handed = s.previews.add(previewTask{projectID: projectID, name: name, src: key, path: tmp.Name(), release: release})
	return info, nil
}

// refused is the answer to an upload the service refuses: 415 for what is
// not audio it can take, 422 for audio it cannot render.
func refused(err error) error {
	var ue *service.UploadError
	if !errors.As(err, &ue) {
		return err
	}
	status := http.StatusUnprocessableEntity
	if ue.Code == "not_audio" || ue.Code == "unsupported_rate" {
		status = http.StatusUnsupportedMediaType
	}
	return &uploadError{status, ue.Code, ue.Message}
}

func tooManyFiles(name string, max int) *uploadError {
	return &uploadError{http.StatusRequestEntityTooLarge, "too_many_files", fmt.Sprintf("%s: a project holds at most %d files", name, max)}
}

// storageFull refuses what would take the projects of the client's
// address, or of its network nw (when not ""), over what the server keeps
// for one.
// ownerFull is storageFull for the store's refusal qe (Client) of an
// upload or a render of name that takes need bytes: what the client's (or
// network's) projects have in flight beside it (uploads, renders queued or
// running) counts with it, as the store counted it, so the message's
// figures add up to the refusal.
func ownerFull(name string, need int64, qe *store.QuotaError) *uploadError {
	if qe.InFlight > 0 {
		name += " with the uploads and renders in flight"
		need += qe.InFlight
	}
	return storageFull(name, need, qe.Net, qe.Used, qe.Limit)
}

func storageFull(what string, need int64, nw string, used, most int64) *uploadError {
	who, one := "your address", "one address"
	if nw != "" {
		who, one = "your network ("+nw+")", "one network"
	}
	return &uploadError{http.StatusRequestEntityTooLarge, "storage_full",
		fmt.Sprintf("%s: it takes %d MB, and the projects made from %s already store %d MB of the %d MB this server keeps for %s; delete a project you no longer need (or older files or renders) and try again", what, mb(need), who, mb(used), mb(most), one)}
}

// mb is n bytes in MB, rounded up: a figure never says 0 for something.
func mb(n int64) int64 { return (n + 999_999) / 1_000_000 }

func tooLarge(name string, max int64) *uploadError {
	return &uploadError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%s: the project's files and references may total at most %d bytes", name, max)}
}

func nameConflict(name, original string, held store.File) *uploadError {
	heldBy := cmp.Or(held.OriginalName, held.Name)
	if held.Kind != store.KindStem && held.Kind != store.KindMix {
		held.Kind = "file"
	}
	if held.Name != name && strings.EqualFold(held.Name, name) {
		return &uploadError{http.StatusConflict, "name_taken",
			fmt.Sprintf("%q differs from the %s %q already uploaded only in letter case, which macOS and Windows take for one file name (one would overwrite the other in a download); rename one of them", original, held.Kind, heldBy)}
	}
	if held.Name != name {
		return &uploadError{http.StatusConflict, "name_taken",
			fmt.Sprintf("%q would be stored as %s, which reads as %s, the name of the %s %q already uploaded; rename one of them", original, name, held.Name, held.Kind, heldBy)}
	}
	if heldBy == original {
		return &uploadError{http.StatusConflict, "name_taken", fmt.Sprintf("%s is already uploaded as the %s", name, held.Kind)}
	}
	return &uploadError{http.StatusConflict, "name_taken",
		fmt.Sprintf("%q would be stored as %s, the name of the %s %q already uploaded; rename one of them", original, name, held.Kind, heldBy)}
}

func (s *Server) handleDeleteFile(kind string) projectHandler {
	return func(w http.ResponseWriter, r *http.Request, p *store.Project) {
		name := fileNameParam(r)
		if s.failed(w, r, s.projects.DeleteFile(r.Context(), p.ID, kind, name), "no "+kind+" named "+name) {
			return
		}
		if err := s.previews.settle(r.Context(), p.ID, false); err != nil {
			s.internal(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// stemNames are the names of the uploaded stems (nil for none).
func stemNames(files []store.File) []string { return service.Files(files).Stems() }

// mixName is the name of the uploaded mix, "" for none.
func mixName(files []store.File) string { return service.Files(files).Mix() }
