// Package atomicfile writes files so that a reader, a crash or a power cut
// only ever sees the old content or the whole new one: the data goes to a
// temporary file beside the final name, is synced, renamed over the final
// name, and the directory is synced so the rename itself is durable.
//
// Every file stemmaster writes (masters, reports, pictures, session files,
// downloads into a job's work directory) goes through it. It is its own
// code rather than a library because the render needs the two phases apart
// (Finish every deliverable, then Commit them together), the temporary
// names must be recognisable so a later run can remove those a killed one
// left behind ("." + final name + "." + digits + ".tmp"), and files must be
// created with the process umask applied (os.CreateTemp always makes 0600).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Mode is the permission a new file is created with before the umask
// applies, as os.Create does.
const Mode os.FileMode = 0o666

// File is a file being written under a temporary name.
type File struct {
	*os.File
	// BeforeSync, when set, runs first in Finish: the last writes of a
	// stream written through the file (an encoder completing its header).
	// Its error fails Finish like a failed sync.
	BeforeSync func() error
	wb         writeback // the data handed to the disk ahead of the sync (writeback.go)
	path       string
	finished   bool
	done       bool
}

var seq atomic.Uint64

// TempName is the temporary name used for the final base name base, with n
// making it unique: "." + base + "." + n + ".tmp".
func TempName(base string, n uint64) string {
	return "." + base + "." + strconv.FormatUint(n, 10) + ".tmp"
}

// IsTemp reports whether name is a temporary file of the final base name
// final (any final name when final is "").
func IsTemp(name, final string) bool {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tmp") {
		return false
	}
	rest := strings.TrimSuffix(name[1:], ".tmp")
	i := strings.LastIndexByte(rest, '.')
	if i < 0 || i == len(rest)-1 || strings.Trim(rest[i+1:], "0123456789") != "" {
		return false
	}
	return final == "" || rest[:i] == final
}

// NotRegularError is Create's error for a path that names something other
// than a regular file: a directory, a device such as /dev/null, a named
// pipe or a socket. Renaming a new file over it would replace the node
// itself (as root, /dev/null would become a file), so it is left alone.
type NotRegularError struct {
	Path string
	Mode os.FileMode
}

func (e *NotRegularError) Error() string {
	what := "not a regular file"
	switch t := e.Mode.Type(); {
	case t&os.ModeDir != 0:
		what = "a directory"
	case t&os.ModeDevice != 0:
		what = "a device"
	case t&os.ModeNamedPipe != 0:
		what = "a named pipe"
	case t&os.ModeSocket != 0:
		what = "a socket"
	}
	return fmt.Sprintf("%s is %s, not a file: stemmaster writes a file whole and renames it into place, which would replace it", e.Path, what)
}

// Create starts writing path. Nothing appears under path until Commit (or
// Close) succeeds. A path that exists as anything but a regular file (after
// following links) is refused with a *NotRegularError.
func Create(path string) (*File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for try := 0; ; try++ {
		n := uint64(time.Now().UnixNano()) + seq.Add(1)
		f, err := os.OpenFile(filepath.Join(dir, TempName(base, n)), os.O_RDWR|os.O_CREATE|os.O_EXCL, Mode)
		if os.IsExist(err) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &File{File: f, path: path}, nil
	}
}

// TempPath is the temporary file being written (until Commit renames it).
func (f *File) TempPath() string { return f.File.Name() }

// Finish syncs and closes the temporary file, keeping it for Commit. On
// error the temporary file is removed. Calling it again does nothing.
func (f *File) Finish() error {
	if f.done {
		return errors.New("atomicfile: finish after commit or abort")
	}
	if f.finished {
		return nil
	}
	f.wb.stop()
	var err error
	if f.BeforeSync != nil {
		err = f.BeforeSync()
	}
	if err == nil {
		err = f.File.Sync()
	}
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.done = true
		os.Remove(f.File.Name())
		return err
	}
	f.finished = true
	return nil
}

// Commit renames the finished temporary file to the final name and syncs
// the directory. On error the temporary file is removed.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	if !f.finished {
		return errors.New("atomicfile: commit before finish")
	}
	f.done = true
	if err := os.Rename(f.File.Name(), f.path); err != nil {
		os.Remove(f.File.Name())
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Close is Finish then Commit.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	if err := f.Finish(); err != nil {
		return err
	}
	return f.Commit()
}

// Abort discards the temporary file; it does nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	if !f.finished {
		f.wb.stop()
		f.File.Close()
	}
	os.Remove(f.File.Name())
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// SyncDir syncs a directory so that renames and removals in it survive a
// crash. File systems that cannot sync a directory are not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !isNotSupported(err) {
		return err
	}
	return nil
}

// ErrLocked is LockDir's error for a directory another writer holds.
var ErrLocked = errors.New("in use by another writer")

// CheckDir fails, naming dir as what ("output directory"), unless dir is a
// directory this process can create files in: it creates and removes a
// probe file there, the one test that holds for read-only mounts, ACLs
// and root alike. A writer calls it before long work whose result goes
// there, so that the work is not lost.
func CheckDir(dir, what string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s %s is not a directory", what, dir)
	}
	f, err := os.CreateTemp(dir, ".stemmaster-probe-*")
	if err != nil {
		return fmt.Errorf("%s %s is not writable: %w", what, dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
