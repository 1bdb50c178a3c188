package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"syscall"
	"testing"

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
	sqlite, err := OpenSQL(context.Background(), filepath.Join(t.TempDir(), "m.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlite.Close()
	_, badSQL := sqlite.DB().Exec(`SELECT nope FROM nowhere`)
	_, missing := sqlite.Job(context.Background(), "p", "j")
	s3Refused := fmt.Errorf("store: put k: blob: %w", &url.Error{Op: "Put", URL: "http://127.0.0.1:1/b/k",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}})
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"PostgreSQL not listening", down, true},
		{"S3 refusing connections", s3Refused, true},
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
