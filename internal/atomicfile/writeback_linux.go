package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the dirty pages of
// length bytes at offset to the disk, without waiting (sync_file_range
// with SYNC_FILE_RANGE_WRITE). It is advice: a failure changes nothing,
// the sync in Finish still writes and checks everything.
func startWriteback(f *os.File, offset, length int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.SyncFileRange(int(fd), offset, length, unix.SYNC_FILE_RANGE_WRITE)
	})
}
