//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"syscall"
)

// LockDir takes an exclusive advisory lock (flock) on the directory dir
// itself, without waiting, so that two writers of the same files in it (two
// renders into one output directory, two servers on one data directory)
// cannot interleave: the second gets ErrLocked. The lock is on the
// directory, not on a file in it, so nothing is left behind, and the
// kernel drops it when the process dies however it ends. unlock releases
// it.
func LockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
