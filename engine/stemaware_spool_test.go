package engine

import (
	"os"
	"testing"

	"stemmaster/audio"
)

// TestStemSpool writes a stem through append in uneven blocks (more frames
// than the song, which are dropped), reads it back shifted with a tail
// across read windows, and checks every frame and that the directory is
// left empty.
func TestStemSpool(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const frames = 2*spoolWindow + 123
	const shift = 37
	s, err := newStemSpool(dir, frames)
	if err != nil {
		t.Fatal(err)
	}
	val := func(c, i int) float32 { return float32(c*1_000_000 + i) }
	b := audio.NewBuffer(busChannels, 5000)
	for at := 0; at < frames+777; {
		n := min(4999-at%97, frames+777-at)
		for c := range busChannels {
			for i := range n {
				b.Data[c][i] = val(c, at+i)
			}
		}
		s.append(b, n)
		at += n
	}
	if err := s.finish(); err != nil {
		t.Fatal(err)
	}
	s.shift, s.tail = shift, audio.NewBuffer(busChannels, shift)
	for c := range busChannels {
		for i := range shift {
			s.tail.Data[c][i] = -val(c, i)
		}
	}
	want := func(c, i int) float32 {
		switch f := i + shift; {
		case f < frames:
			return val(c, f)
		case f < frames+shift:
			return -val(c, f-frames)
		}
		return 0
	}
	out := audio.NewBuffer(busChannels, 4800)
	for at := 0; at < frames+100; at += 4800 {
		if err := s.read(out, int64(at), 4800); err != nil {
			t.Fatal(err)
		}
		for c := range busChannels {
			for i, v := range out.Data[c] {
				if w := want(c, at+i); v != w {
					t.Fatalf("channel %d frame %d: %v, want %v", c, at+i, v, w)
				}
			}
		}
	}
	s.close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d files left in the output directory", len(left))
	}
}

// TestStemSpoolWaitsForChains: a spool whose file another goroutine writes
// window by window (as the chains do, advancing their progress) reads
// every frame as written, the tail once they are through, whatever the
// order the two goroutines run in; once the chains stop early (after a
// window), a read past what they wrote returns errChainsStopped.
func TestStemSpoolWaitsForChains(t *testing.T) {
	t.Parallel()
	const frames = 2*spoolWindow + 123
	val := func(c, i int) float32 { return float32(1 + c*1_000_000 + i) }
	for _, stop := range []bool{false, true} {
		shift := 37
		if stop { // the first read window is whole
			shift = 0
		}
		s, err := newStemSpool(t.TempDir(), frames)
		if err != nil {
			t.Fatal(err)
		}
		s.shift, s.prog = int64(shift), newChainProgress()
		go func() {
			b := audio.NewBuffer(busChannels, spoolWindow)
			for at := 0; at < frames; at += spoolWindow {
				if stop && at > 0 {
					s.prog.finish(errChainsStopped)
					return
				}
				n := min(spoolWindow, frames-at)
				for c := range busChannels {
					for i := range n {
						b.Data[c][i] = val(c, at+i)
					}
				}
				if err := s.writeRaw(b, int64(at), n); err != nil {
					s.prog.finish(err)
					return
				}
				s.prog.advance(int64(at + n))
			}
			s.tail = audio.NewBuffer(busChannels, shift)
			for c := range busChannels {
				for i := range shift {
					s.tail.Data[c][i] = -val(c, i)
				}
			}
			s.prog.finish(nil)
		}()
		out := audio.NewBuffer(busChannels, 4800)
		for at := 0; at < frames; at += 4800 {
			n := min(4800, frames-at)
			err := s.read(out, int64(at), n)
			if stop && at+n > spoolWindow {
				if err != errChainsStopped {
					t.Fatalf("stopped chains, frames %d…%d: error %v, want %v", at, at+n, err, errChainsStopped)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for c := range busChannels {
				for i, v := range out.Data[c][:n] {
					f := at + i + shift
					w := val(c, f)
					if f >= frames {
						w = -val(c, f-frames)
					}
					if v != w {
						t.Fatalf("stop %v: channel %d frame %d: %v, want %v", stop, c, at+i, v, w)
					}
				}
			}
		}
		s.close()
	}
}
