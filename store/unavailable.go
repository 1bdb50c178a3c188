package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says that the database or the blob
// store could not be reached or dropped the connection (a restart, a
// failover, a network cut) rather than that the request or the code is at
// fault: the same request is worth sending again in a moment.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08: connection exception; 57P01…57P03: the server shuts
		// down, crashed or is starting.
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P")
	}
	var ce *pgconn.ConnectError
	var op *net.OpError
	// A store that accepts the connection and then says nothing (a hung
	// S3 node, past read_timeout; a database past its deadline) times
	// out: it answers a request that is not at fault.
	var to interface{ Timeout() bool }
	return errors.As(err, &ce) || errors.As(err, &op) || errors.As(err, &to) && to.Timeout() ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

// DiskFull reports whether err says that a disk the service writes to is
// full: the local disk (a spool file, a local blob store), SQLite's
// database or its journal (SQLITE_FULL), or PostgreSQL's (SQLSTATE 53100).
// Nothing is wrong with the request; it may succeed once space is freed.
func DiskFull(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "53100"
	}
	var sq interface{ Code() int }
	return errors.Is(err, syscall.ENOSPC) || errors.As(err, &sq) && sq.Code()&0xff == sqliteFull
}

// sqliteFull is SQLite's SQLITE_FULL, the primary code of its extended
// codes' low byte.
const sqliteFull = 13
