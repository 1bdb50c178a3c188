package engine

import (
	"fmt"
	"os"
	"unsafe"

	"stemmaster/audio"
)

// stemSpool is one weight class's whole signal (its stems' sum,
// stemClass) in a scratch file, so that stem-aware limiting holds no stem
// in memory: the summer writes it as it sums the stems, the master chain
// runs over it block by block in place, and every limiter pass reads it
// back a block at a time. Memory stays one window per class however long
// the song and however many the stems; the disk holds classes × length ×
// 8 bytes (stereo float32) while the render runs. The file is unlinked as soon as it is created where the system
// allows it (so a crash leaves nothing behind) and closed by close.
//
// Channels are stored one after the other, each the song's length of
// native float32 values: the file is read back by the process that
// wrote it.
type stemSpool struct {
	f      *os.File
	name   string // removed at close when the early unlink failed
	frames int64
	err    error // the first write error, returned by finish
	// shift and tail: frame i of the stem as read is frame i+shift of the
	// file, and the frames past the file's end come from tail (the master
	// chain's run-out, which compensates its latency).
	shift int64
	tail  *audio.Buffer
	// prog, when set, is how far the chains writing the file on another
	// goroutine are: a read waits for the frames it needs (and for the
	// tail past the file's end).
	prog *chainProgress
	// w: the write-behind window of append, starting at frame wat, wn
	// frames filled.
	w   *audio.Buffer
	wat int64
	wn  int
	// own is the read window of read and view; a stem-aware limiter
	// reads through one of its own (reader).
	own spoolReader
}

// spoolReader is one reader's window on a spool, frames [rat, rat+rn) of
// the stem as read. Limiters that run at once (a version's master
// rendered again for two deliverables) read the same file, each through
// its own window: one shared window is refilled under the other's views.
type spoolReader struct {
	s   *stemSpool
	r   *audio.Buffer
	rat int64
	rn  int
}

// reader returns a read window of its own on s.
func (s *stemSpool) reader() *spoolReader { return &spoolReader{s: s} }

// spoolWindow is how many frames a spool reads or writes at once: few
// system calls, 512 KiB of memory per stem.
const spoolWindow = 1 << 16

// newStemSpool creates the scratch file for a stem of frames frames in
// dir (the render's output directory, on the disk the outputs go to).
func newStemSpool(dir string, frames int64) (*stemSpool, error) {
	f, err := os.CreateTemp(dir, ".stemmaster-stem-*.f32")
	if err != nil {
		return nil, fmt.Errorf("stem-aware limiting: scratch file for a stem: %w", err)
	}
	s := &stemSpool{f: f, frames: frames}
	if os.Remove(f.Name()) != nil {
		s.name = f.Name()
	}
	return s, nil
}

func floatBytes(x []float32) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x))
}

func (s *stemSpool) offset(c int, at int64) int64 { return (int64(c)*s.frames + at) * 4 }

// append adds the first n frames of b after those appended before; the
// first error is kept for finish.
func (s *stemSpool) append(b *audio.Buffer, n int) {
	if s.w == nil {
		s.w = audio.NewBuffer(busChannels, spoolWindow)
	}
	for done := 0; done < n; {
		k := min(n-done, spoolWindow-s.wn)
		for c := range busChannels {
			copy(s.w.Data[c][s.wn:s.wn+k], b.Data[c][done:done+k])
		}
		s.wn += k
		done += k
		if s.wn == spoolWindow {
			s.flush()
		}
	}
}

// flush writes the appended frames not yet written.
func (s *stemSpool) flush() {
	if n := int(min(int64(s.wn), s.frames-s.wat)); n > 0 && s.err == nil {
		s.err = s.writeRaw(s.w, s.wat, n)
	}
	s.wat += int64(s.wn)
	s.wn = 0
}

// finish writes what append holds and returns the first error.
func (s *stemSpool) finish() error {
	s.flush()
	s.w = nil
	return s.err
}

// writeRaw stores the first n frames of b at frame at of the file.
func (s *stemSpool) writeRaw(b *audio.Buffer, at int64, n int) error {
	for c := range busChannels {
		if _, err := s.f.WriteAt(floatBytes(b.Data[c][:n]), s.offset(c, at)); err != nil {
			return fmt.Errorf("stem-aware limiting: writing a stem's scratch file: %w", err)
		}
	}
	return nil
}

// readRaw fills the first n frames of b from frame at of the file, with
// zeros past its end.
func (s *stemSpool) readRaw(b *audio.Buffer, at int64, n int) error {
	k := int(max(0, min(int64(n), s.frames-at)))
	for c := range busChannels {
		d := b.Data[c][:n]
		if k > 0 {
			if _, err := s.f.ReadAt(floatBytes(d[:k]), s.offset(c, at)); err != nil {
				return fmt.Errorf("stem-aware limiting: reading a stem's scratch file: %w", err)
			}
		}
		clear(d[k:])
	}
	return nil
}

// read copies frames [at, at+n) of the stem as read (shift and tail
// applied; zeros past the end) into dst, through the read window; n is at
// most spoolWindow.
func (s *stemSpool) read(dst *audio.Buffer, at int64, n int) error {
	v := audio.Buffer{Data: make([][]float32, busChannels)}
	if err := s.view(&v, at, n); err != nil {
		return err
	}
	for c := range busChannels {
		copy(dst.Data[c][:n], v.Data[c])
	}
	return nil
}

// view points dst's channels at frames [at, at+n) of the stem as read in
// the read window, valid until the next read or view; n is at most
// spoolWindow.
func (s *stemSpool) view(dst *audio.Buffer, at int64, n int) error {
	s.own.s = s
	return s.own.view(dst, at, n)
}

// view is stemSpool.view through rd's window.
func (rd *spoolReader) view(dst *audio.Buffer, at int64, n int) error {
	if rd.r == nil {
		rd.r = audio.NewBuffer(busChannels, spoolWindow)
		rd.rn = 0
	}
	if at < rd.rat || at+int64(n) > rd.rat+int64(rd.rn) {
		if err := rd.fill(at); err != nil {
			return err
		}
	}
	o := int(at - rd.rat)
	for c := range busChannels {
		dst.Data[c] = rd.r.Data[c][o : o+n : o+n]
	}
	return nil
}

// fill loads the read window with spoolWindow frames from frame at of the
// stem as read.
func (rd *spoolReader) fill(at int64) error {
	s := rd.s
	end := at + s.shift + spoolWindow // past the last file frame the window takes
	if err := s.prog.wait(min(end, s.frames), end > s.frames); err != nil {
		return err
	}
	rd.rat, rd.rn = at, spoolWindow
	// frames [at, at+spoolWindow) of the stem are file frames
	// [at+shift, …); those past the file's end come from the tail.
	if err := s.readRaw(rd.r, at+s.shift, spoolWindow); err != nil {
		return err
	}
	if s.tail == nil {
		return nil
	}
	for i := max(0, s.frames-at-s.shift); i < spoolWindow; i++ {
		f := at + s.shift + i - s.frames // frame of the tail
		if f >= int64(s.tail.Frames()) {
			break
		}
		for c := range busChannels {
			rd.r.Data[c][i] = s.tail.Data[c][f]
		}
	}
	return nil
}

// close closes (and where needed removes) the file and lets the windows go.
func (s *stemSpool) close() {
	if s == nil || s.f == nil {
		return
	}
	s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
	s.f, s.w, s.own, s.tail = nil, nil, spoolReader{}, nil
}
