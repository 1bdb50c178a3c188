package server

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// Downloads are named after the song when the client gives its title
// (?title=My%20Song): "My Song - main.wav", "My Song.zip". The title goes
// through SanitizeName, so it can name a file on any system and cannot
// break out of the Content-Disposition header (store.Attachment). Once a
// project has a second revision, a download's name also says which
// revision it is of: "My Song - main (revision 2).wav", "My Song
// (revision 2).zip", the names the page gives its downloads (results.js
// downloadName); a client who saved two masters under one name could not
// tell them apart.

// songTitle is the sanitised ?title= of a download, "" for none.
func songTitle(r *http.Request) string {
	t := r.URL.Query().Get("title")
	if len(t) > 80 {
		t = t[:80]
	}
	return strings.TrimSuffix(SanitizeName(t), ".")
}

// titled names a file after the song: "My Song - main.wav".
func titled(title, name string) string {
	if title == "" {
		return name
	}
	return title + " - " + name
}

// downloadName is the one rule naming a download: name after the song
// (titled) and, for rev above 0, the revision before the extension.
func downloadName(title, name string, rev int) string {
	n := titled(title, name)
	if rev > 0 {
		ext := path.Ext(n)
		n = strings.TrimSuffix(n, ext) + " (revision " + strconv.Itoa(rev) + ")" + ext
	}
	return n
}

// revisionNamed is the number of the revision the render job made, for
// downloadName: 0 while the project has one revision or none (nothing to
// tell apart), or where the store keeps no revisions.
func (s *Server) revisionNamed(ctx context.Context, projectID, jobID string) int {
	list, _ := s.projects.Revisions(ctx, projectID)
	if len(list) < 2 {
		return 0
	}
	for _, rev := range list {
		if rev.JobID == jobID {
			return rev.Number
		}
	}
	return 0
}
