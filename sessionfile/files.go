// This file holds the checks of the files a session or a command names:
// missing, not a regular file, the mix given as a stem too.

package sessionfile

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"stemmaster"
)

// CheckFiles checks that every file the session names (stems and mix,
// relative to its Dir) exists and is a regular file, for callers about to
// open them: a missing one is reported with the field and line that name
// it (kind ErrFileMissing or ErrFileUnusable). Session.Validate does not
// touch the disk.
func CheckFiles(s *stemmaster.Session) error {
	var errs []error
	check := func(path, name string) {
		if name == "" {
			return // Validate reports it
		}
		add := func(kind stemmaster.ErrorKind, problem string) {
			errs = append(errs, &stemmaster.SessionError{File: s.Name, Line: s.FieldLine(path), Field: path, Value: strconv.Quote(name), Problem: problem, Kind: kind})
		}
		fi, err := os.Stat(s.Path(name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			add(stemmaster.ErrFileMissing, "does not exist")
		case err != nil:
			msg := err.Error()
			if u := errors.Unwrap(err); u != nil {
				msg = u.Error()
			}
			add(stemmaster.ErrFileUnusable, "cannot be read: "+msg)
		case !fi.Mode().IsRegular():
			add(stemmaster.ErrFileUnusable, "is "+NotAFile(fi)+", not a file")
		}
	}
	for i, st := range s.Stems {
		check(fmt.Sprintf("stems[%d].file", i), st.File)
	}
	if s.Mix != "" {
		check("mix", s.Mix)
		stems := make([]string, len(s.Stems))
		for i, st := range s.Stems {
			stems[i] = s.Path(st.File)
		}
		if i := MixAmongStems(s.Path(s.Mix), stems); i >= 0 {
			errs = append(errs, &stemmaster.SessionError{File: s.Name, Line: s.FieldLine("mix"), Field: "mix", Value: strconv.Quote(s.Mix),
				Problem: fmt.Sprintf("is also stems[%d].file (%s): %s", i, s.Stems[i].File, mixAmongStems), Kind: stemmaster.ErrDuplicate})
		}
	}
	return errors.Join(errs...)
}

// NotAFile names what fi is when it is not a regular file: "a directory",
// "a named pipe" (which would block its reader until something writes to
// it), "a device", "a socket"; "" for a regular file.
func NotAFile(fi os.FileInfo) string {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return ""
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// NotAFileError is the error of a path the commands refuse to open
// because it is not a regular file ("" kind: nil).
func NotAFileError(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return nil // the opener reports it
	}
	if kind := NotAFile(fi); kind != "" {
		return fmt.Errorf("%s is %s, not an audio file", path, kind)
	}
	return nil
}

// mixAmongStems says why a mix given as a stem too is refused.
const mixAmongStems = "the mix is the reference the stems are compared with; summed as a stem it puts the song in the sum twice"

// MixAmongStems returns the index of the first of stems that is the same
// file as mix (the same path, a link to it or a hard link), or -1.
// Files that cannot be read are left to the callers' own errors.
func MixAmongStems(mix string, stems []string) int {
	mi, err := os.Stat(mix)
	if err != nil {
		return -1
	}
	for i, st := range stems {
		if si, err := os.Stat(st); err == nil && os.SameFile(mi, si) {
			return i
		}
	}
	return -1
}

// MixAmongStemsError is the error of a mix given as a stem too (the check
// command's arguments).
func MixAmongStemsError(mix, stem string) error {
	return fmt.Errorf("the mix %s is also given as the stem %s: %s", mix, stem, mixAmongStems)
}
