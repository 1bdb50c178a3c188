package server

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"path"
	"strconv"
	"time"

	"stemmaster"
)

//go:embed web/index.html web/app.js web/suggest.js web/style.css
var webFiles embed.FS

var indexTemplate = template.Must(template.ParseFS(webFiles, "web/index.html"))

// staticFiles is the exact list of files under /static/; anything else is a
// 404, so there is no directory to list.
var staticFiles = map[string]string{
	"app.js":     "text/javascript; charset=utf-8",
	"suggest.js": "text/javascript; charset=utf-8",
	"style.css":  "text/css; charset=utf-8",
}

// startTime versions the static URLs so a new binary's files are fetched.
var startTime = strconv.FormatInt(time.Now().Unix(), 36)

type indexData struct {
	Presets  []string
	Roles    []stemmaster.Role
	Versions []string
	Demo     bool
	Limits   Limits
	Static   string
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := indexTemplate.Execute(&buf, indexData{
		Presets:  s.cfg.Presets,
		Roles:    stemmaster.Roles,
		Versions: []string{"main", "instrumental", "a_cappella", "tv"},
		Demo:     s.cfg.Demo != nil,
		Limits:   s.cfg.Limits,
		Static:   startTime,
	})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	ctype, ok := staticFiles[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := webFiles.ReadFile(path.Join("web", name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(data)
}
