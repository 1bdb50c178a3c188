// Package s3test runs a local S3 server for tests: versitygw
// (github.com/versity/versitygw) with its posix backend on a temporary
// directory, listening on 127.0.0.1. Tests that call Start skip with a
// message when the versitygw binary is not installed (scripts/test.sh builds
// it with `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"stemmaster/store"
)

// Credentials of the test server's root user, given to clients through the
// standard AWS environment variables.
const (
	AccessKey = "stemmastertest"
	SecretKey = "stemmastertestsecret"
	Region    = "us-east-1"
)

// Server is a running versitygw.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	bin      string
	root     string
	addr     string
	cmd      *exec.Cmd
	done     chan struct{}
}

// Binary returns the path of the versitygw binary: $STEMMASTER_VERSITYGW,
// versitygw on $PATH, or in $GOBIN / $GOPATH/bin; "" when none is found.
func Binary() string {
	if p := os.Getenv("STEMMASTER_VERSITYGW"); p != "" {
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if runtime.GOOS == "windows" {
			p += ".exe"
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start starts versitygw on a free loopback port with a fresh root
// directory, sets the AWS credential variables for this test (child
// processes inherit them) and stops the server when the test ends. It
// skips the test when versitygw is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("versitygw not installed: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 (or set STEMMASTER_VERSITYGW) to run the S3 tests")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &Server{Endpoint: "http://" + addr, bin: bin, root: t.TempDir(), addr: addr}
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_REGION", Region)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start() error {
	cmd := exec.Command(s.bin, "--access", AccessKey, "--secret", SecretKey, "--region", Region,
		"--port", s.addr, "--quiet", "posix", s.root)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("s3test: start versitygw: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("s3test: versitygw exited at start")
		default:
		}
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("s3test: versitygw did not answer on %s", s.addr)
}

// Stop kills the server and waits for it; stopping a stopped server does
// nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts a stopped server again on the same port and directory.
func (s *Server) Restart() error {
	if s.cmd != nil {
		return nil
	}
	return s.start()
}

// Bucket creates a bucket and returns its gocloud.dev URL.
func (s *Server) Bucket(t testing.TB, name string) string {
	t.Helper()
	u := s.BucketURL(name)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := store.EnsureBucket(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// BucketURL is the gocloud.dev URL of a bucket on this server.
func (s *Server) BucketURL(name string) string {
	return "s3://" + name + "?endpoint=" + s.Endpoint + "&region=" + Region + "&use_path_style=true"
}

// Root is the server's storage directory: the bucket's objects are files
// under Root/bucket, for tests that look at what is stored.
func (s *Server) Root() string { return s.root }
