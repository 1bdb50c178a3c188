// Package apiclient is a small client of the stemmaster HTTP API
// (docs/api.md) as a project's owner sees it: create a project, upload,
// queue, wait for a job, download. The load bench and the tests that run
// the server binary use it.
package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// Project is one project on a server, reached with its bearer token.
type Project struct {
	HTTP  *http.Client  // nil: http.DefaultClient
	Base  string        // the server's URL, as "http://127.0.0.1:8080"
	Poll  time.Duration // how often WaitJob asks; 0: every 50 ms
	ID    string
	Token string
}

// Create makes a project on the server at base.
func Create(hc *http.Client, base string) (*Project, error) {
	p := &Project{HTTP: hc, Base: base}
	var res struct{ ID, Token string }
	if _, err := p.Do("POST", "/api/projects", strings.NewReader("{}"), "application/json", &res); err != nil {
		return nil, err
	}
	p.ID, p.Token = res.ID, res.Token
	return p, nil
}

// Path is the API path of one of the project's resources: "/stems" gives
// "/api/projects/ID/stems".
func (p *Project) Path(s string) string { return "/api/projects/" + p.ID + s }

// Do sends a request with the project's token and returns the answer's
// status. A status of 300 or more is an error naming the call and quoting
// the answer. out, when not nil, receives the answer's body: an io.Writer
// as it is, anything else decoded from JSON.
func (p *Project) Do(method, path string, body io.Reader, ctype string, out any) (int, error) {
	req, err := http.NewRequest(method, p.Base+path, body)
	if err != nil {
		return 0, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if p.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.Token)
	}
	hc := p.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, &StatusError{Code: res.StatusCode, Msg: fmt.Sprintf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(data))}
	}
	if out != nil {
		if w, ok := out.(io.Writer); ok {
			_, err = w.Write(data)
			return res.StatusCode, err
		}
		return res.StatusCode, json.Unmarshal(data, out)
	}
	return res.StatusCode, nil
}

// StatusError is the error of an answer whose status is 300 or more: the
// server answered, so a client tells it from a connection that failed.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Upload streams what r holds as the file name to the project's kind
// ("stems", "mix", "references"), without holding it in memory.
func (p *Project) Upload(kind, name string, r io.Reader) error {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		w, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(w, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	_, err := p.Do("POST", p.Path("/"+kind), pr, mw.FormDataContentType(), nil)
	return err
}

// Output is one output of the project's published render.
type Output struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"` // audio, report, picture or preview
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

// Outputs lists the outputs of the project's published render.
func (p *Project) Outputs() ([]Output, error) {
	var res struct{ Outputs []Output }
	_, err := p.Do("GET", p.Path("/outputs"), nil, "", &res)
	return res.Outputs, err
}

// Job is a job's state as GET /api/projects/{id}/jobs/{job} gives it.
type Job struct {
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Error    string  `json:"error"`
	Attempt  int     `json:"attempt"`
}

// Ended reports whether the job is done, failed or cancelled.
func (j Job) Ended() bool { return j.State == "done" || j.State == "failed" || j.State == "cancelled" }

// Job asks for a job's state.
func (p *Project) Job(id string) (Job, error) {
	var j Job
	_, err := p.Do("GET", p.Path("/jobs/"+id), nil, "", &j)
	return j, err
}

// WaitJob asks for a job's state until it has ended, and returns it; after
// limit it returns the last state with an error.
func (p *Project) WaitJob(id string, limit time.Duration) (Job, error) {
	poll := p.Poll
	if poll == 0 {
		poll = 50 * time.Millisecond
	}
	deadline := time.Now().Add(limit)
	for {
		j, err := p.Job(id)
		if err == nil && j.Ended() {
			return j, nil
		}
		if time.Now().After(deadline) {
			return j, fmt.Errorf("project %s: job %s not finished after %s (last %+v, %v)", p.ID, id, limit, j, err)
		}
		time.Sleep(poll)
	}
}
