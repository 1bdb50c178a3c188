package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster/internal/apiclient"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
	"stemmaster/loudness"
)

// TestMain removes the binary the tests built (testkit.Build) after the
// run.
func TestMain(m *testing.M) {
	code := m.Run()
	testkit.RemoveBuilds()
	os.Exit(code)
}

// skipShort skips a test that runs server processes, databases or long
// renders when the suite runs with -short; what says what it does.
func skipShort(t *testing.T, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip(what + "; skipped with -short")
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// exitCase is a command line that must end with an exit status and say
// something on stderr.
type exitCase struct {
	name   string
	args   []string
	code   int
	stderr string // a part of stderr
}

// checkExits runs each case as a subtest.
func checkExits(t *testing.T, cases []exitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}

// httpGet GETs url with the headers hdr (name, value, …) and returns the
// answer's status and body; a request that fails fails the test.
func httpGet(t *testing.T, url string, hdr ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

// These tests run the real binary: `go build` once, then `stemmaster serve`
// as a child process on a loopback port with a temporary data directory.

// serverProc is a running `stemmaster serve` (or worker); url is the rest
// of its ready line.
type serverProc struct {
	*testkit.Proc
	url string
}

// startServer starts `stemmaster serve` on a loopback port with data as
// its data directory.
func startServer(t *testing.T, data string, extra ...string) *serverProc {
	t.Helper()
	return startServerEnv(t, data, nil, extra...)
}

// startServerEnv is startServer with env added to the server's
// environment.
func startServerEnv(t *testing.T, data string, env []string, extra ...string) *serverProc {
	t.Helper()
	return startProcEnv(t, "stemmaster: serving on ", env, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, extra...)...)
}

// startWorker starts `stemmaster worker` on the database and the blob
// store of a web front end (started with --no-work), env added to its
// environment.
func startWorker(t *testing.T, db, blobs string, env []string, extra ...string) *serverProc {
	t.Helper()
	return startProcEnv(t, "stemmaster: worker started", env, append([]string{"worker", "--data", t.TempDir(), "--db", db, "--blobs", blobs}, extra...)...)
}

// startProcEnv starts the binary with env added to its environment and
// waits for a line starting with ready; the rest of that line becomes url.
func startProcEnv(t *testing.T, ready string, env []string, args ...string) *serverProc {
	t.Helper()
	p := testkit.Start(t, testkit.Build(t, "."), ready, env, args...)
	return &serverProc{Proc: p, url: p.Ready}
}

// apiClient talks to one project; the tests add their own calls to it.
type apiClient struct{ *apiclient.Project }

// uploadFile uploads the file at path as a stem.
func (c *apiClient) uploadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.Upload("stems", filepath.Base(path), f)
}

// newAPIProject makes a project on the server at base.
func newAPIProject(base string) (*apiClient, error) {
	p, err := apiclient.Create(nil, base)
	return &apiClient{p}, err
}

// measureFile reads a whole file and measures it.
func measureFile(t *testing.T, path string) loudness.Result {
	t.Helper()
	b, info := audiotest.ReadFile(t, path)
	return loudness.Measure(b, float64(info.Format.SampleRate), loudness.Options{TruePeak: true})
}

// renderNoted queues a render with a note: another render than one of
// the same session with another note (the same render again is answered
// with the queued or running one's job), so it supersedes that one.
func (c *apiClient) renderNoted(t *testing.T, note string) string {
	t.Helper()
	var queued struct{ Job string }
	if _, err := c.Do("POST", c.Path("/render"), strings.NewReader(`{"note":"`+note+`"}`), "application/json", &queued); err != nil {
		t.Fatal(err)
	}
	return queued.Job
}

// failedStdout reports whether stdout is what a run of args that failed
// with code and stderr prints there: nothing without --json; with it, the
// one error object (printJSONError) holding stderr's message and code.
func failedStdout(args []string, code int, stdout, stderr string) bool {
	if !slices.Contains(args, "--json") {
		return stdout == ""
	}
	var je jsonError
	return json.Unmarshal([]byte(stdout), &je) == nil && je.ExitStatus == code && je.Error != "" && strings.Contains(stderr, je.Error)
}
