package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/limiter"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/safego"
	"stemmaster/internal/testkit"
)

// TestTap: a reader waits for the frames it needs, gets exactly the frames
// written, never the last frame before the pass is committed (unless it
// reads all), holds the writer back a ring's length behind, and is
// released by an abort.
func TestTap(t *testing.T) {
	t.Parallel()
	const total = 3*tapFrames + 1000
	block := func(pos, n int) *audio.Buffer {
		b := audio.NewBuffer(busChannels, n)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = float32(pos+i) + float32(c)/2
			}
		}
		return b
	}
	t.Run("readers get every frame; the last after commit", func(t *testing.T) {
		tp := newTap(busChannels, total)
		all, held, viewer := tp.reader(true), tp.reader(false), tp.reader(false)
		errs := make(chan error, 3)
		lastRead, lastViewed := make(chan struct{}), make(chan struct{})
		// The viewer takes views (next) in blocks that do not divide the
		// ring, so some of its blocks wrap and are copied.
		read := func(rd *tapReader, signal chan struct{}) {
			size, view := 4096, rd == viewer
			if view {
				size = 3001
			}
			buf := audio.NewBuffer(busChannels, size)
			for pos := 0; pos < total; pos += size {
				n := min(size, total-pos)
				b := buf
				var err error
				if view {
					b, err = rd.next(buf, n)
				} else {
					err = rd.read(buf, n)
				}
				if err != nil {
					errs <- err
					return
				}
				for c := range b.Data {
					if len(b.Data[c]) < n {
						errs <- fmt.Errorf("frame %d channel %d: a block of %d frames, want %d", pos, c, len(b.Data[c]), n)
						return
					}
					for i, v := range b.Data[c][:n] {
						if want := float32(pos+i) + float32(c)/2; v != want {
							errs <- fmt.Errorf("frame %d channel %d: %g, want %g", pos+i, c, v, want)
							return
						}
					}
				}
			}
			if signal != nil {
				close(signal)
			}
			errs <- nil
		}
		go read(all, nil)
		go read(held, lastRead)
		go read(viewer, lastViewed)
		for pos := 0; pos < total; pos += 3000 {
			n := min(3000, total-pos)
			tp.write(block(pos, n), 0, n)
		}
		if err := <-errs; err != nil { // the reader of all frames ends first
			t.Fatal(err)
		}
		select {
		case <-lastRead:
			t.Fatal("a reader got the last frame before commit")
		case <-lastViewed:
			t.Fatal("a viewer got the last frame before commit")
		case <-time.After(50 * time.Millisecond):
		}
		tp.commit()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("a view holds the writer back until the reader moves on", func(t *testing.T) {
		tp := newTap(busChannels, total)
		rd := tp.reader(false)
		tp.write(block(0, tapFrames), 0, tapFrames)
		hold := audio.NewBuffer(busChannels, 10)
		v, err := rd.next(hold, 10)
		if err != nil {
			t.Fatal(err)
		}
		wrote := inBackground(func() {
			tp.write(block(tapFrames, 10), 0, 10) // overwrites the view's frames: must wait
		})
		stillWaits(t, wrote, "the writer overwrote a view still held")
		for i, x := range v.Data[0] {
			if x != float32(i) {
				t.Fatalf("view frame %d: %g, want %d", i, x, i)
			}
		}
		if _, err := rd.next(hold, 1); err != nil { // moves on past the view
			t.Fatal(err)
		}
		released(t, wrote, "the writer still waits after the viewer moved on")
	})
	t.Run("the writer waits a ring behind the slowest reader", func(t *testing.T) {
		tp := newTap(busChannels, total)
		rd := tp.reader(false)
		wrote := inBackground(func() {
			tp.write(block(0, tapFrames), 0, tapFrames)
			tp.write(block(tapFrames, 10), 0, 10) // must wait
		})
		stillWaits(t, wrote, "the writer overran a reader that read nothing")
		buf := audio.NewBuffer(busChannels, 10)
		if err := rd.read(buf, 10); err != nil {
			t.Fatal(err)
		}
		released(t, wrote, "the writer still waits after the reader moved on")
	})
	t.Run("abort releases readers and writer", func(t *testing.T) {
		tp := newTap(busChannels, total)
		rd := tp.reader(false)
		got := make(chan error, 1)
		go func() { got <- rd.read(audio.NewBuffer(busChannels, 10), 10) }()
		tp.abort()
		if err := <-got; !errors.Is(err, errAbandoned) {
			t.Fatalf("read after abort: %v, want errAbandoned", err)
		}
		tp.write(block(0, tapFrames), 0, tapFrames)
		tp.write(block(0, tapFrames), 0, tapFrames) // returns: nothing is read any more
	})
}

// inBackground runs write in a goroutine; the channel is ready once it
// has returned.
func inBackground(write func()) <-chan int {
	wrote := make(chan int, 1)
	go func() {
		write()
		wrote <- 1
	}()
	return wrote
}

// stillWaits fails the test with msg when wrote is ready within 50 ms:
// the writer must still be held back. A loaded machine can only let a bug
// through here, never fail a correct tap.
func stillWaits(t *testing.T, wrote <-chan int, msg string) {
	t.Helper()
	select {
	case <-wrote:
		t.Fatal(msg)
	case <-time.After(50 * time.Millisecond):
	}
}

// released fails the test with msg when wrote is not ready within a
// minute (only a writer never let go takes that long): the writer must
// have been let go.
func released(t *testing.T, wrote <-chan int, msg string) {
	t.Helper()
	select {
	case <-wrote:
	case <-time.After(time.Minute):
		t.Fatal(msg)
	}
}

// TestFollowedDeliveryIsIdentical renders sessions whose targeting takes
// several passes (so deliverables streamed behind a pass that was not the
// last are abandoned when following every pass) and one pass, with the
// deliverables following no pass, every pass and the likely passes: files
// and report must be identical.
func TestFollowedDeliveryIsIdentical(t *testing.T) {
	t.Parallel()
	const rate = 48000
	frames := 6 * rate
	dir := t.TempDir()
	// A drum-like stem (noise bursts: a high crest factor, so heavy targets
	// need several passes) and a pad.
	var parts []*audio.Buffer
	for i := range 12 {
		parts = append(parts, audiotest.WhiteNoise(uint64(i+1), 2, rate/50, -3), audiotest.Silence(2, rate/2-rate/50))
	}
	audiotest.WriteWAV(t, dir, "drums.wav", audiotest.Concat(parts...), rate, 24)
	audiotest.WriteWAV(t, dir, "pad.wav", audiotest.PinkNoise(7, 2, frames, -24), rate, 24)

	cases := []struct {
		preset    string
		minPasses int // where the value comes from: the passes this signal takes (see the log)
	}{
		// streaming takes 6 passes here (+20 dB): club, beyond what the
		// bursts hold under its ceiling, stops at the master gain's bound.
		{"streaming", 2},
		{"ebu_r128", 1},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			tg, _ := stemmaster.TargetPreset(tc.preset)
			s := &stemmaster.Session{Dir: dir, Master: stemmaster.Master{Target: &tg},
				Stems: []stemmaster.StemSpec{{File: "drums.wav"}, {File: "pad.wav"}},
				Outputs: []stemmaster.Output{
					{Format: "wav", BitDepth: 24},
					{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
				}}
			render := func(mode int) (string, *stemmaster.Report) {
				t.Helper()
				out := t.TempDir()
				rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true, followMode: mode})
				if err != nil {
					t.Fatal(err)
				}
				return out, rep
			}
			b, rb := render(followNever)
			t.Logf("%s: %d passes", tc.preset, rb.Master.Iterations)
			if rb.Master.Iterations < tc.minPasses {
				t.Fatalf("%d passes, want at least %d: the case does not test what it should", rb.Master.Iterations, tc.minPasses)
			}
			untimed(rb)
			jb, _ := json.Marshal(rb)
			for _, mode := range []struct {
				name string
				mode int
			}{{"every pass", followAlways}, {"likely passes", followLikely}} {
				a, ra := render(mode.mode)
				untimed(ra)
				if ja, _ := json.Marshal(ra); !bytes.Equal(ja, jb) {
					t.Errorf("following %s: the report differs from the one without following", mode.name)
				}
				if len(ra.Outputs) != len(s.Outputs) {
					t.Errorf("following %s: %d outputs, want %d", mode.name, len(ra.Outputs), len(s.Outputs))
				}
				for _, o := range ra.Outputs {
					fa, err := os.ReadFile(filepath.Join(a, o.File))
					if err != nil {
						t.Fatal(err)
					}
					fb, err := os.ReadFile(filepath.Join(b, o.File))
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(fa, fb) {
						t.Errorf("following %s: %s differs from the file written without following", mode.name, o.File)
					}
				}
				// Abandoned passes leave no file behind, final or temporary.
				names, _ := os.ReadDir(a)
				if len(names) != len(s.Outputs)+1 { // + report.json
					var got []string
					for _, n := range names {
						got = append(got, n.Name())
					}
					t.Errorf("following %s: the output directory holds %v", mode.name, got)
				}
			}
		})
	}
}

// TestSecondWritingFails: a deliverable written a second time reads its
// master rendered again (regenerate: the stem-aware limiter run once more,
// or its kept output read back); when that rendering fails, the
// deliverable, and with it the render, fails with the cause — the scratch
// file that could not be read, the cancellation the CLI reads as
// "interrupted; nothing written" — not with "targeting pass abandoned",
// and leaves no file behind.
func TestSecondWritingFails(t *testing.T) {
	t.Parallel()
	const rate, frames = 48000, 2*spoolWindow + 17
	bus := audiotest.PinkNoise(7, busChannels, frames, -6)
	// readBack reads m to its end and returns the error that stops it.
	readBack := func(m masterReader) error {
		defer m.close()
		buf := audio.NewBuffer(busChannels, BlockSize)
		for pos := 0; pos < m.frames(); pos += BlockSize {
			if err := m.read(buf, min(BlockSize, m.frames()-pos)); err != nil {
				return err
			}
		}
		return nil
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name       string
		kept       bool // the final pass's output read back (keepPass)
		unreadable bool // its scratch file closed under it
		ctx        context.Context
		want       error
	}{
		{"limited again, stem unreadable", false, true, context.Background(), os.ErrClosed},
		{"limited again, cancelled", false, false, cancelled, context.Canceled},
		{"kept master unreadable", true, true, context.Background(), os.ErrClosed},
		{"kept master, cancelled", true, false, cancelled, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sa := &stemAwareInput{running: true, weights: []float64{1}, quit: make(chan struct{})}
			defer sa.close()
			sa.stems = []*stemSpool{filledSpool(t, bus)}
			tr := &targeting{limiterOn: true, ceiling: -1, params: limiter.Params{CeilingDBTP: -1}.WithDefaults(), sa: sa, final: &pass{}}
			failing := sa.stems[0]
			if tc.kept {
				tr.kept = &keptPass{sp: filledSpool(t, bus), done: make(chan struct{})}
				close(tr.kept.done)
				defer tr.kept.drop()
				failing = tr.kept.sp
			}
			if tc.unreadable {
				failing.f.Close()
			}
			r := &renderer{rate: rate}
			m, err := r.regenerate(tc.ctx, bus, tr, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := readBack(m); !errors.Is(err, tc.want) {
				t.Errorf("the master rendered again ends with %v; want %v", err, tc.want)
			}
			// The deliverable reading it: its error is the render's.
			out := t.TempDir()
			d := deliverable{out: stemmaster.Output{Format: stemmaster.FormatWAV, BitDepth: 24}, version: stemmaster.VersionMain,
				name: "main.wav", path: filepath.Join(out, "main.wav"), rate: rate, ceiling: tr.ceiling, limiterOn: true}
			src := &passSource{used: true, regen: func(ctx context.Context) (masterReader, error) { return r.regenerate(ctx, bus, tr, true) }}
			_, _, err = deliver(tc.ctx, src, rate, d, tr.params)
			if !errors.Is(err, tc.want) || errors.Is(err, errAbandoned) {
				t.Errorf("the deliverable fails with %v; want %v", err, tc.want)
			}
			testkit.DirHolds(t, out)
		})
	}
}

// filledSpool is a scratch file holding b whole, finished.
func filledSpool(t *testing.T, b *audio.Buffer) *stemSpool {
	t.Helper()
	sp, err := newStemSpool(t.TempDir(), int64(b.Frames()))
	if err != nil {
		t.Fatal(err)
	}
	sp.append(b, b.Frames())
	if err := sp.finish(); err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestKeepFailing: when keeping fails (a panic keeping another pass's
// master, which keep returns), the render fails, and the final pass's
// kept master, which nothing will read, is dropped at once, its file
// closed, not left to the stems' scratch directory.
func TestKeepFailing(t *testing.T) {
	t.Parallel()
	b := audiotest.PinkNoise(3, busChannels, 1000, -6)
	kept := func() *keptPass {
		k := &keptPass{sp: filledSpool(t, b), done: make(chan struct{})}
		close(k.done)
		return k
	}
	other, final := kept(), kept()
	other.bug.Keep(safego.FromPanic("render's kept master", "fault"))
	tr := &targeting{keptAll: []*keptPass{other, final}}
	var pe *safego.PanicError
	if err := tr.keep(&pass{kept: final}); !errors.As(err, &pe) {
		t.Fatalf("keep returned %v; want the panic keeping the other pass", err)
	}
	if tr.kept != nil || final.sp.f != nil || other.sp.f != nil {
		t.Errorf("after keep failed: the final pass's kept master %v, its file open %t, the other's open %t; want every file dropped",
			tr.kept, final.sp.f != nil, other.sp.f != nil)
	}
}
