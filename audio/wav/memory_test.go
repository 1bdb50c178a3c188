package wav

import (
	"cmp"
	"encoding/binary"
	"runtime"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/testkit"
)

// TestCopyLargeFileBoundedMemory decodes a 1 GiB 24-bit stereo WAV (a sparse
// file: a real header, then holes that read as silence) and re-encodes it
// into a discarding writer, block by block, and checks that the heap stays
// proportional to the 4096-frame block, not to the file. It takes a few
// seconds, so -short skips it.
func TestCopyLargeFileBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 1 GiB; skipped with -short")
	}
	if raceEnabled {
		t.Skip("decodes 1 GiB; too slow under the race detector")
	}
	const frames = (1 << 30) / 6 // 1 GiB of 6-byte frames
	hdr := riff("RIFF", fmtChunk(tagPCM, 2, 48000, 6, 24), chunk{ID: "data"})
	binary.LittleEndian.PutUint32(hdr[len(hdr)-4:], frames*6)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(hdr)-8+frames*6))
	path := testkit.WriteSparse(t, t.TempDir(), "big.wav", hdr, int64(len(hdr))+frames*6)

	r, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := NewEncoder(&codectest.Discard{}, r.Info().Format)
	if err != nil {
		t.Fatal(err)
	}
	var before runtimeMem
	before.read()
	var peakHeap uint64
	var werr error
	blocks := 0
	total, err := audio.ReadBlocks(r, 4096, func(b *audio.Buffer) {
		if werr == nil {
			werr = w.Write(b)
		}
		if blocks%4096 == 0 { // ReadMemStats stops the world; sample now and then
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			peakHeap = max(peakHeap, s.HeapAlloc)
		}
		blocks++
	})
	if err = cmp.Or(err, werr); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var after runtimeMem
	after.read()
	if total != frames {
		t.Errorf("copied %d frames, want %d", total, frames)
	}
	// Bounds: the decoder's and encoder's byte buffers are a few hundred
	// KiB; 4 MiB allows for the runtime and test bookkeeping, and is still
	// 1/256 of the file.
	const bound = 4 << 20
	if alloc := after.total - before.total; alloc > bound {
		t.Errorf("allocated %d bytes copying 1 GiB, want < %d", alloc, bound)
	}
	if peakHeap > before.heap+bound {
		t.Errorf("heap peaked at %d bytes (%d before), want < +%d", peakHeap, before.heap, bound)
	}
	t.Logf("copied %d frames; allocated %d bytes; peak heap %d (before %d)", total, after.total-before.total, peakHeap, before.heap)
}
