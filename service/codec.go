package service

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/sessionfile"
	"stemmaster/store"
)

// The store keeps sessions and reports as JSON documents; this file is the
// one place where the typed values the service works with become those
// documents. Paths of a job's working directory never reach a document:
// clients know their files by name.

// encodeSession is a session as the store keeps it.
func encodeSession(s *stemmaster.Session) []byte {
	js, err := json.Marshal(s)
	if err != nil {
		// A Session is plain data: Marshal fails only on a NaN, which
		// validation refuses before a session is stored.
		return []byte(`{"stems":[]}`)
	}
	return js
}

// encodeReport is a render's report as the project keeps it — without its
// curves (the pictures show them), so that GET /api/projects/{id} stays
// small — and each output's loudness figures by file name.
func encodeReport(rep *stemmaster.Report, work string) (report []byte, figures map[string][]byte) {
	figures = make(map[string][]byte, len(rep.Outputs))
	for _, o := range rep.Outputs {
		figures[o.File], _ = json.Marshal(o.Measurement)
	}
	slim := *rep
	slim.Curves = nil
	js, _ := json.Marshal(slim)
	return scrubJSON(js, work), figures
}

// encodeCheck is a check report as the project keeps it.
func encodeCheck(rep *stemmaster.CheckReport, work string) []byte {
	js, _ := json.Marshal(rep)
	return scrubJSON(js, work)
}

// scrubbed are the subdirectories of a job's working directory that hold
// the files a user knows by name.
var scrubbed = []string{"files", "in/stem", "in/mix", "stem", "mix", "out"}

// scrubJSON removes the job's working directory from a document.
func scrubJSON(doc []byte, work string) []byte {
	s := string(doc)
	for _, sub := range scrubbed {
		s = strings.ReplaceAll(s, filepath.Join(work, sub)+string(filepath.Separator), "")
	}
	return []byte(s)
}

// decodeSession reads a session document (the session-file schema, JSON or
// YAML); its errors are *stemmaster.SessionError (joined) without a file
// name: over the API there is no file.
func decodeSession(doc []byte) (*stemmaster.Session, error) {
	s, err := sessionfile.Parse(doc, "session")
	if err != nil {
		return nil, trimSessionName(err)
	}
	return s, nil
}

// decodeCheck reads a stored check report; nil when there is none.
func decodeCheck(doc []byte) *stemmaster.CheckReport {
	if doc == nil {
		return nil
	}
	var rep stemmaster.CheckReport
	if json.Unmarshal(doc, &rep) != nil {
		return nil
	}
	return &rep
}

// FileInfo is what the service knows of an uploaded file (and the API
// shows): its container and format, from its header.
type FileInfo struct {
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	Container string `json:"container"`
	audio.Summary
}

// EncodeFileInfo is a file's info as the store keeps it (File.Info).
func EncodeFileInfo(fi *FileInfo) []byte {
	js, _ := json.Marshal(fi)
	return js
}

// DecodeFileInfo reads a stored file's info; its name and size are the
// record's.
func DecodeFileInfo(f store.File) FileInfo {
	var fi FileInfo
	json.Unmarshal(f.Info, &fi)
	fi.Name, fi.Size = f.Name, f.Size
	return fi
}

// IntegratedLUFS reads an output's integrated loudness from its stored
// figures; nil when they do not say.
func IntegratedLUFS(figures []byte) *float64 {
	var f struct {
		IntegratedLUFS *float64 `json:"integrated_lufs"`
	}
	if json.Unmarshal(figures, &f) != nil {
		return nil
	}
	return f.IntegratedLUFS
}
