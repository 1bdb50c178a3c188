package apiclient

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer answers the calls the client makes, as the API documents
// them: a project with id p1 and token tk, whose job j1 is running twice
// and then done.
func fakeServer(t *testing.T) *httptest.Server {
	var polls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/projects", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id": "p1", "token": "tk"}`)
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tk" {
				http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /api/projects/p1/stems", authed(func(w http.ResponseWriter, r *http.Request) {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(f)
		if hdr.Filename != "bass.wav" || string(data) != "RIFF…" {
			http.Error(w, "got "+hdr.Filename+": "+string(data), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	mux.HandleFunc("GET /api/projects/p1/jobs/j1", authed(func(w http.ResponseWriter, r *http.Request) {
		if polls.Add(1) <= 2 {
			io.WriteString(w, `{"state": "running", "progress": 0.5}`)
			return
		}
		io.WriteString(w, `{"state": "done", "progress": 1, "attempt": 1}`)
	}))
	mux.HandleFunc("GET /api/projects/p1/outputs", authed(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"outputs": [{"name": "main.wav", "kind": "audio", "size": 11, "content_type": "audio/wav", "url": "/api/projects/p1/outputs/main.wav"}]}`)
	}))
	mux.HandleFunc("GET /api/projects/p1/outputs/main.wav", authed(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "audio bytes")
	}))
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestProject(t *testing.T) {
	t.Parallel()
	s := fakeServer(t)
	p, err := Create(nil, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "p1" || p.Token != "tk" || p.Path("/stems") != "/api/projects/p1/stems" {
		t.Fatalf("project %+v, path %s", p, p.Path("/stems"))
	}
	if err := p.Upload("stems", "bass.wav", strings.NewReader("RIFF…")); err != nil {
		t.Fatal(err)
	}
	outs, err := p.Outputs()
	want := []Output{{Name: "main.wav", Kind: "audio", Size: 11, ContentType: "audio/wav", URL: "/api/projects/p1/outputs/main.wav"}}
	if err != nil || !slices.Equal(outs, want) {
		t.Errorf("outputs %+v %v, want %+v", outs, err, want)
	}
	var body bytes.Buffer
	if code, err := p.Do("GET", p.Path("/outputs/main.wav"), nil, "", &body); err != nil || code != 200 || body.String() != "audio bytes" {
		t.Errorf("download: %d %q %v", code, body.String(), err)
	}
	p.Poll = time.Millisecond
	j, err := p.WaitJob("j1", time.Minute)
	if err != nil || j.State != "done" || j.Attempt != 1 || !j.Ended() {
		t.Errorf("WaitJob: %+v %v", j, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	s := fakeServer(t)
	p := &Project{Base: s.URL, ID: "p1", Token: "wrong", Poll: time.Millisecond}
	code, err := p.Do("GET", p.Path("/jobs/j1"), nil, "", nil)
	if code != http.StatusUnauthorized || err == nil || !strings.Contains(err.Error(), `GET /api/projects/p1/jobs/j1: 401 {"error": "unauthorized"}`) {
		t.Errorf("wrong token: %d %v", code, err)
	}
	if _, err := p.WaitJob("j1", 10*time.Millisecond); err == nil || !strings.Contains(err.Error(), "not finished after 10ms") {
		t.Errorf("WaitJob past its limit: %v", err)
	}
	p.Token = "tk"
	if err := p.Upload("stems", "other.wav", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "400 got other.wav: x") {
		t.Errorf("refused upload: %v", err)
	}
}
