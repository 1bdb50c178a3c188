package atomicfile

// writebackBytes is how much data a File lets accumulate before it has
// the system start writing it to the disk.
const writebackBytes = 8 << 20

// writeback hands a File's data to the disk while the file is still being
// written, so that the sync in Finish waits only for the last few
// megabytes instead of the whole file: a render's deliverables are tens
// of megabytes, whose sync would otherwise hold the render's end for a
// tenth of a second. It is advice (startWriteback): the sync in Finish
// still writes and checks everything.
//
// The requests run on a goroutine of their own, as asking for writeback
// can itself wait while the disk is busy: the writer never waits for them.
type writeback struct {
	end    int64 // the file offset after the last write
	handed int64 // data before this offset has been handed to the disk
	kick   chan [2]int64
	done   chan struct{}
}

// Write writes p at the file's offset, as os.File.Write, handing the data
// to the disk each writebackBytes written.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	w := &f.wb
	w.end += int64(n)
	if w.end-w.handed >= writebackBytes {
		if w.kick == nil {
			w.start(f)
		}
		select {
		case w.kick <- [2]int64{w.handed, w.end - w.handed}:
			w.handed = w.end
		default: // the last request still runs: this data goes with the next
		}
	}
	return n, err
}

// Seek moves the file offset, as os.File.Seek, and keeps Write's account
// of it.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	pos, err := f.File.Seek(offset, whence)
	if err == nil {
		f.wb.end = pos
		f.wb.handed = min(f.wb.handed, pos)
	}
	return pos, err
}

func (w *writeback) start(f *File) {
	w.kick, w.done = make(chan [2]int64, 1), make(chan struct{})
	file := f.File
	go func() {
		defer close(w.done)
		for r := range w.kick {
			startWriteback(file, r[0], r[1])
		}
	}()
}

// stop ends the requests and waits for the last; the file may then be
// synced and closed.
func (w *writeback) stop() {
	if w.kick != nil {
		close(w.kick)
		<-w.done
		w.kick = nil
	}
}
