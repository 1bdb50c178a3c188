package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/s3test"
	"stemmaster/internal/testkit"
)

// signedSummary is what signed.mjs prints (its keys are the fields' names
// in lower case, which encoding/json matches): the ?signed=1 requests the
// page made, the page's errors, where the browser's download came from and
// the file it saved.
type signedSummary struct {
	Asked, Errors     []string
	Error, From, Name string
	Saved             string
}

// TestSignedDownload runs signed.mjs against the server with its files on
// a local S3 (versitygw). Behind a proxy that stands for the store's
// public endpoint (--blobs … public_endpoint=), the page asks for
// main.wav's signed link and the browser downloads it from the public
// endpoint, byte for byte the API's download; the API's ?signed=1 answers
// a link there. On the store's own endpoint, not said to be public, the
// page never asks and reads the file through the server, and ?signed=1
// answers 501 rather than a link to an endpoint the client may not reach.
// It skips, saying how to install it, without versitygw.
func TestSignedDownload(t *testing.T) {
	root, node, bin := browserEnv(t)
	s3 := s3test.Start(t)
	var proxied atomic.Int64
	public := s3test.Proxy(t, s3.Endpoint, func(*http.Request) { proxied.Add(1) })
	stems := t.TempDir()
	paths := []string{
		audiotest.WriteWAV(t, stems, "drums.wav", audiotest.PinkNoise(1, 2, 3*48000, -14), 48000, 24),
		audiotest.WriteWAV(t, stems, "bass.wav", audiotest.PinkNoise(2, 2, 3*48000, -17), 48000, 24),
	}
	for _, tc := range []struct {
		name   string
		blobs  string
		direct bool
	}{
		{"public endpoint", s3.Bucket(t, "public") + "&public_endpoint=" + url.QueryEscape(public.URL), true},
		{"internal endpoint", s3.Bucket(t, "internal"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := testkit.Start(t, bin, "stemmaster: serving on ", nil,
				"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--blobs", tc.blobs).Ready
			p := renderedProject(t, base, paths)
			var whole bytes.Buffer
			if _, err := p.Do("GET", p.Path("/outputs/main.wav"), nil, "", &whole); err != nil {
				t.Fatal(err)
			}
			before := proxied.Load()
			var link struct{ URL string }
			code, err := p.Do("GET", p.Path("/outputs/main.wav?signed=1"), nil, "", &link)
			switch {
			case tc.direct && (err != nil || !strings.HasPrefix(link.URL, public.URL+"/")):
				t.Errorf("?signed=1 with a public endpoint: %d %v, link %q; want a link on %s", code, err, link.URL, public.URL)
			case !tc.direct && code != http.StatusNotImplemented:
				t.Errorf("?signed=1 on an internal endpoint: %d %v, link %q; want 501", code, err, link.URL)
			}

			artifacts := filepath.Join(root, "e2e", "artifacts", "signed-"+strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.MkdirAll(artifacts, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, "signed.mjs", base, p.ID, p.Token, artifacts)
			cmd.Dir = filepath.Join(root, "e2e")
			cmd.Env = append(os.Environ(), "CHROMIUM=/usr/bin/chromium")
			cmd.Stderr = testkit.LogWriter(t)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("signed.mjs: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			var s signedSummary
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &s); err != nil {
				t.Fatalf("signed.mjs summary: %v\n%s", err, out)
			}
			if s.Error != "" || len(s.Errors) > 0 {
				t.Fatalf("the page failed: %s %v (screenshots in %s)", s.Error, s.Errors, artifacts)
			}
			saved := testkit.ReadFile(t, s.Saved)
			if !bytes.Equal(saved, whole.Bytes()) || s.Name != "main.wav" {
				t.Errorf("the browser saved %q, %d bytes (equal to the API's download: %v); want main.wav, the API's %d bytes",
					s.Name, len(saved), bytes.Equal(saved, whole.Bytes()), whole.Len())
			}
			if tc.direct {
				if len(s.Asked) != 1 || !strings.HasPrefix(s.From, public.URL+"/") || proxied.Load() == before {
					t.Errorf("with a public endpoint the page asked %v and downloaded from %q (%d requests through the endpoint); want one ?signed=1 and the download from %s",
						s.Asked, s.From, proxied.Load()-before, public.URL)
				}
			} else if len(s.Asked) != 0 || !strings.HasPrefix(s.From, "blob:") {
				t.Errorf("on an internal endpoint the page asked %v and downloaded from %q; want no ?signed=1 and the file read through the server", s.Asked, s.From)
			}
		})
	}
}

// renderedProject creates a project on the server at base, uploads the
// stems at paths, checks and renders it.
func renderedProject(t *testing.T, base string, paths []string) *apiclient.Project {
	t.Helper()
	p, err := apiclient.Create(nil, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		err = p.Upload("stems", filepath.Base(path), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, kind := range []string{"check", "render"} {
		var queued struct{ Job string }
		if _, err := p.Do("POST", p.Path("/"+kind), nil, "", &queued); err != nil {
			t.Fatal(err)
		}
		if j, err := p.WaitJob(queued.Job, 3*time.Minute); err != nil || j.State != "done" {
			t.Fatalf("%s: %+v %v", kind, j, err)
		}
	}
	return p
}
