package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"stemmaster/internal/testkit"
	"strings"
	"testing"
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
