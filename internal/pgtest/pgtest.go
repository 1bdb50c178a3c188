// Package pgtest runs a private PostgreSQL server for tests and scripts
// that need to stop and restart the database: initdb on a temporary
// directory, postgres on a free 127.0.0.1 port, trust authentication for
// user stemmaster. As root it runs the server as the "postgres" user
// (PostgreSQL refuses to run as root). Tests skip with a message when the
// PostgreSQL server binaries are not installed. Schema gives a test that
// only needs a database of its own a fresh schema of the shared test
// database (STEMMASTER_TEST_POSTGRES) instead.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// Server is a running private PostgreSQL.
type Server struct {
	URL  string // postgres://stemmaster@127.0.0.1:PORT/stemmaster?sslmode=disable
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	as   *user.User // nil: the current user
}

// BinDir finds the directory of initdb and postgres: $STEMMASTER_PG_BIN,
// the newest /usr/lib/postgresql/*/bin, or $PATH; "" when none.
func BinDir() string {
	if d := os.Getenv("STEMMASTER_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// Start initialises and starts a private server, stopped when the test
// ends; it skips the test when PostgreSQL is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := BinDir()
	if !supported {
		t.Skip("a private PostgreSQL server runs on Linux only")
	}
	if bin == "" {
		t.Skip("PostgreSQL server binaries (initdb, postgres) not found: install the postgresql package to run this test")
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to run PostgreSQL as")
		}
		s.as = u
	}
	dir, err := os.MkdirTemp("", "stemmaster-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s.dir = filepath.Join(dir, "data")
	if s.as != nil {
		uid, _ := strconv.Atoi(s.as.Uid)
		gid, _ := strconv.Atoi(s.as.Gid)
		os.Chown(dir, uid, gid)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	if out, err := s.command("initdb", "-D", s.dir, "-U", "stemmaster", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if out, err := s.command("createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(s.port), "-U", "stemmaster", "stemmaster").CombinedOutput(); err != nil {
		t.Fatalf("createdb: %v\n%s", err, out)
	}
	s.URL = fmt.Sprintf("postgres://stemmaster@127.0.0.1:%d/stemmaster?sslmode=disable", s.port)
	return s
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = os.TempDir()
	if s.as != nil {
		uid, _ := strconv.Atoi(s.as.Uid)
		gid, _ := strconv.Atoi(s.as.Gid)
		runAs(cmd, uid, gid)
		cmd.Env = append(os.Environ(), "HOME="+s.as.HomeDir)
	}
	return cmd
}

// Restart starts a stopped server on the same port and data.
func (s *Server) Restart() error {
	if s.cmd != nil {
		return nil
	}
	cmd := s.command("postgres", "-D", s.dir, "-p", strconv.Itoa(s.port), "-k", s.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200")
	dieWithParent(cmd) // never outlives the test
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.done) }()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-s.done:
			s.cmd = nil
			return fmt.Errorf("pgtest: postgres exited at start")
		default:
		}
		if s.command("pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(s.port)).Run() == nil {
			return nil
		}
	}
	return fmt.Errorf("pgtest: postgres did not become ready")
}

// Stop shuts the server down fast (open connections are cut) and waits.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}
