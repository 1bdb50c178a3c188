package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"stemmaster"
)

//go:embed web/index.html web/app.js web/core.js web/projects.js web/upload.js web/checklist.js web/editors.js web/strips.js web/master.js web/jobs.js web/results.js web/playback.js web/style.css web/guide.html web/mixer.js web/livegraph.js web/livenodes.js web/suggest.js web/chain.js web/livechain.js web/livemaster.js web/worklet.js web/workletmaster.js web/loudness.js
var webFiles embed.FS

var indexTemplate = template.Must(template.ParseFS(webFiles, "web/index.html"))

// staticFiles is the exact list of embedded files under /static/; beside
// them only words.js (written from Go) is served, and
// anything else is a 404, so there is no directory to list.
var staticFiles = map[string]string{
	"app.js":       "text/javascript; charset=utf-8",
	"core.js":      "text/javascript; charset=utf-8",
	"projects.js":  "text/javascript; charset=utf-8",
	"upload.js":    "text/javascript; charset=utf-8",
	"checklist.js": "text/javascript; charset=utf-8",
	"editors.js":   "text/javascript; charset=utf-8",
	"strips.js":    "text/javascript; charset=utf-8",
	"master.js":    "text/javascript; charset=utf-8",
	"jobs.js":      "text/javascript; charset=utf-8",
	"results.js":   "text/javascript; charset=utf-8",
	"playback.js":  "text/javascript; charset=utf-8",
	"style.css":    "text/css; charset=utf-8",
	"mixer.js":     "text/javascript; charset=utf-8",
	"livegraph.js": "text/javascript; charset=utf-8",
	"livenodes.js": "text/javascript; charset=utf-8",
	"suggest.js":   "text/javascript; charset=utf-8",
	"chain.js":     "text/javascript; charset=utf-8",
	"livechain.js": "text/javascript; charset=utf-8",
	// The live player's master section and its AudioWorklet module.
	"livemaster.js":    "text/javascript; charset=utf-8",
	"worklet.js":       "text/javascript; charset=utf-8",
	"workletmaster.js": "text/javascript; charset=utf-8",
	// BS.1770 meters for the page and the worklet module.
	"loudness.js": "text/javascript; charset=utf-8",
}

// wordsJS is /static/words.js, the page's words written from the Go that
// the CLI and report.html print them from: SERVICE, the advice's headline
// for each service (stemmaster.Service.Headline, as a sentence). index.html
// loads it before the scripts that read it (classic scripts share one
// global scope).
var wordsJS = wordsScript([]stemmaster.Service{stemmaster.ServiceStemMastering, stemmaster.ServiceStereoMastering, stemmaster.ServiceMixing})

func wordsScript(services []stemmaster.Service) []byte {
	headlines := map[stemmaster.Service]string{}
	for _, s := range services {
		h := s.Headline()
		headlines[s] = strings.ToUpper(h[:1]) + h[1:]
	}
	sj, err := json.Marshal(headlines)
	if err != nil {
		panic(err) // strings: cannot fail
	}
	var b bytes.Buffer
	b.WriteString("// Written by the server from stemmaster.Service.Headline (finding.go),\n// the words the CLI and report.html print.\n\"use strict\";\n")
	fmt.Fprintf(&b, "const SERVICE = %s;\n", sj)
	return b.Bytes()
}

// startTime versions the static URLs so a new binary's files are fetched.
var startTime = strconv.FormatInt(time.Now().Unix(), 36)

// presetView is a target preset as the page's menu shows it.
type presetView struct {
	Name  string
	Label string // "Streaming −14 LUFS / −1 dBTP"
	LUFS  float64
	DBTP  float64
}

var presetLabels = map[string]string{"streaming": "Streaming", "apple": "Apple Music", "loud": "Loud", "club": "Club",
	"ebu_r128": "Broadcast (EBU R128)", "podcast": "Podcast"}

func presetViews(names []string) []presetView {
	var out []presetView
	for _, n := range names {
		t, ok := stemmaster.TargetPreset(n)
		if !ok || t.None {
			continue
		}
		label := presetLabels[n]
		if label == "" {
			label = n
		}
		out = append(out, presetView{Name: n, LUFS: t.IntegratedLUFS, DBTP: t.TruePeakDBTP,
			Label: label + " " + strings.ReplaceAll(fmt.Sprintf("%g LUFS / %g dBTP", t.IntegratedLUFS, t.TruePeakDBTP), "-", "−")})
	}
	return out
}

type indexData struct {
	Presets  []presetView
	Roles    []stemmaster.Role
	Versions []string
	Demo     bool
	Limits   Limits
	Static   string
	// Retention is how long a project is kept, in words ("7 days"): the
	// page says it where it says projects are deleted.
	Retention string
}

// retentionWords says a retention in the words a musician reads: whole
// days, else hours and minutes, never rounded up (90 minutes said as
// "2 hours" promised half an hour the project is not kept).
func retentionWords(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.FormatInt(n, 10) + " " + unit + "s"
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		h := plural(int64(d/time.Hour), "hour")
		if m := int64(d % time.Hour / time.Minute); m > 0 {
			return h + " " + plural(m, "minute")
		}
		return h
	}
	return plural(max(1, int64(d/time.Minute)), "minute") // a retention under a minute (a test's) reads 1
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	err := indexTemplate.Execute(&buf, indexData{
		Presets:   presetViews(s.cfg.Presets),
		Roles:     stemmaster.Roles,
		Versions:  []string{"main", "instrumental", "a_cappella", "tv"},
		Demo:      s.cfg.Demo != nil,
		Limits:    s.cfg.Limits,
		Static:    startTime,
		Retention: retentionWords(s.cfg.Retention),
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
	if name == "words.js" {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(wordsJS)
		return
	}
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

// handleGuide serves the stem export guide; each finding's fix links to
// its paragraph (/guide#offset).
func (s *Server) handleGuide(w http.ResponseWriter, r *http.Request) {
	data, err := webFiles.ReadFile("web/guide.html")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(data)
}
