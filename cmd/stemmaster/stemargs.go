package main

import (
	"fmt"
	"os"
	"path/filepath"

	"stemmaster"
	"stemmaster/sessionfile"
)

// stemArgs refuses a command line naming more than stemmaster.MaxStems
// stems (a session is held to the same bound) or the same stem file twice
// (`check stems/*.wav stems/drums.wav`): the check keys its findings by
// file, so both rows would carry both rows' findings and the file would
// be reported a duplicate of itself, and a render would sum it twice.
// Paths are compared after making them absolute and clean, and files by
// identity, so that two names for one file (a symbolic or hard link) are
// refused too: on the command line every stem is at unity, and the same
// file twice is only ever the same track summed twice. A session file may
// still list one file twice on purpose (a dry and a processed strip).
func stemArgs(args []string) error {
	if len(args) > stemmaster.MaxStems {
		return usageError(fmt.Errorf("%d stems are more than %d", len(args), stemmaster.MaxStems))
	}
	seen := make(map[string]int, len(args))
	infos := make([]os.FileInfo, len(args))
	for i, a := range args {
		p, err := filepath.Abs(a)
		if err != nil {
			p = filepath.Clean(a)
		}
		if j, ok := seen[p]; ok {
			return usageError(fmt.Errorf("%s is given twice as a stem (arguments %d and %d): name each stem once", a, j+1, i+1))
		}
		seen[p] = i
		if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() {
			infos[i] = fi
			for j, o := range infos[:i] {
				if o != nil && os.SameFile(o, fi) {
					return usageError(fmt.Errorf("%s and %s are one file (a link) given twice as a stem (arguments %d and %d): name each stem once", args[j], a, j+1, i+1))
				}
			}
		}
	}
	return nil
}

// filesOnly refuses, as an input error, the first of paths that names a
// directory, a device or a pipe rather than a file; empty paths (an
// option not given) are passed over.
func filesOnly(paths []string) error {
	for _, p := range paths {
		if p == "" {
			continue
		}
		if err := sessionfile.NotAFileError(p); err != nil {
			return inputError(err)
		}
	}
	return nil
}
