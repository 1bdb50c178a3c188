package server

import (
	"net/http"
	"strings"
)

// Downloads are named after the song when the client gives its title
// (?title=My%20Song): "My Song - main.wav", "My Song.zip". The title goes
// through SanitizeName, so it can name a file on any system and cannot
// break out of the Content-Disposition header (store.Attachment).

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
