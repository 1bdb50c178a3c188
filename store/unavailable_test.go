package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestUnavailable: errors of a store out of reach are told from faults of
// the request or the code.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	// A PostgreSQL server that is not there (nothing listens on port 1).
	_, down := OpenSQL(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=5")
	if down == nil {
		t.Fatal("opened a database on port 1")
	}
	sqlite := openTestSQLite(t)
	_, badSQL := sqlite.DB().Exec(`SELECT nope FROM nowhere`)
	_, missing := sqlite.Job(context.Background(), "p", "j")
	s3Refused := fmt.Errorf("store: put k: blob: %w", &url.Error{Op: "Put", URL: "http://127.0.0.1:1/b/k",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}})
	// The S3 client's error when a node accepts the request and answers
	// nothing (aws-sdk-go-v2's ResponseTimeoutError, in its chain).
	s3Silent := fmt.Errorf("store: put k: blob: operation error S3: PutObject, exceeded maximum number of attempts, 2: %w",
		&url.Error{Op: "Put", URL: "http://127.0.0.1:9000/b/k", Err: &awshttp.ResponseTimeoutError{TimeoutDur: 5 * time.Second}})
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"PostgreSQL not listening", down, true},
		{"S3 refusing connections", s3Refused, true},
		{"S3 silent past read_timeout", s3Silent, true},
		{"PostgreSQL shutting down (57P01)", fmt.Errorf("store: x: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"connection failure (08006)", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation (23505)", &pgconn.PgError{Code: "23505"}, false},
		{"bad SQL", badSQL, false},
		{"not found", missing, false},
		{"nil", nil, false},
		{"other", errors.New("boom"), false},
	} {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// TestDiskFull: a full disk, as the database and the file system say it,
// is told from other faults.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	db := openTestSQLite(t).DB()
	db.SetMaxOpenConns(1) // the page cap below is the connection's
	if _, err := db.Exec(`PRAGMA max_page_count = 64`); err != nil {
		t.Fatal(err)
	}
	var sqliteFull error
	for i := 0; i < 1000 && sqliteFull == nil; i++ {
		_, sqliteFull = db.Exec(`CREATE TABLE filler` + fmt.Sprint(i) + ` (x BLOB)`)
	}
	if sqliteFull == nil {
		t.Fatal("SQLite capped at 64 pages took 1,000 tables")
	}
	_, badSQL := db.Exec(`SELECT nope FROM nowhere`)
	var devFull error
	if f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		_, devFull = f.Write([]byte("x"))
		f.Close()
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLite full", fmt.Errorf("store: create project: %w", sqliteFull), true},
		{"PostgreSQL disk_full (53100)", &pgconn.PgError{Code: "53100"}, true},
		{"no space (a spool or blob file)", fmt.Errorf("store: put k: %w", &os.PathError{Op: "write", Path: "f", Err: syscall.ENOSPC}), true},
		{"/dev/full", devFull, devFull != nil},
		{"unique violation (23505)", &pgconn.PgError{Code: "23505"}, false},
		{"bad SQL", badSQL, false},
		{"permission", &os.PathError{Op: "open", Path: "f", Err: syscall.EACCES}, false},
		{"nil", nil, false},
	} {
		if got := DiskFull(tc.err); got != tc.want {
			t.Errorf("%s: DiskFull(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
