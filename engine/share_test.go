package engine

import (
	"io"
	"testing"

	"stemmaster/audio"
)

// infoOnly is the file under a teeReader that the tee never detaches
// from: only its Info is read.
type infoOnly struct{ info audio.Info }

func (f infoOnly) Info() audio.Info                { return f.info }
func (f infoOnly) Read(*audio.Buffer) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestTeeHandsBlocksWhole: the strip hands its decoded blocks to the tee
// and the check takes a whole one by exchanging storage (no copy), reads a
// short one by copying, then reaches the end; the strip decodes on into
// the storage the check gave back. Every sample arrives as decoded.
func TestTeeHandsBlocksWhole(t *testing.T) {
	t.Parallel()
	const short = 100
	tee := newTee()
	rd := &teeReader{t: tee, file: infoOnly{audio.Info{Frames: BlockSize + short, Format: audio.Format{Channels: 2, SampleRate: 48000}}}}
	fill := func(b *audio.Buffer, n, from int) {
		b.SetFrames(n)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = float32(c*1_000_000 + from + i)
			}
		}
	}
	check := func(b *audio.Buffer, n, from int) {
		t.Helper()
		if b.Frames() != n {
			t.Fatalf("%d frames, want %d", b.Frames(), n)
		}
		for c := range b.Data {
			for i, v := range b.Data[c][:n] {
				if v != float32(c*1_000_000+from+i) {
					t.Fatalf("channel %d frame %d: %v", c, from+i, v)
				}
			}
		}
	}

	raw := audio.NewBuffer(2, BlockSize)
	first := &raw.Data[0][0]
	fill(raw, BlockSize, 0)
	raw = tee.hand(raw, BlockSize)
	if &raw.Data[0][0] == first {
		t.Fatal("the tee kept no block")
	}
	dst := audio.NewBuffer(2, BlockSize)
	mine := &dst.Data[0][0]
	if !rd.TakeBlock(dst) {
		t.Fatal("a whole block was not taken")
	}
	if &dst.Data[0][0] != first {
		t.Fatal("the whole block was copied, not handed over")
	}
	check(dst, BlockSize, 0)

	fill(raw, short, BlockSize)
	raw = tee.hand(raw, short)
	if &raw.Data[0][0] != mine {
		t.Fatal("the strip did not get back the storage the check gave")
	}
	tee.end()
	dst.SetFrames(BlockSize)
	if rd.TakeBlock(dst) {
		t.Fatal("a short block was taken whole")
	}
	n, err := rd.Read(dst)
	if err != nil || n != short {
		t.Fatalf("read %d frames, %v; want %d", n, err, short)
	}
	check(&audio.Buffer{Data: [][]float32{dst.Data[0][:n], dst.Data[1][:n]}}, short, BlockSize)
	if rd.TakeBlock(dst) {
		t.Fatal("a block taken after the end")
	}
	if n, err := rd.Read(dst); n != 0 || err != io.EOF {
		t.Fatalf("after the end: %d frames, %v", n, err)
	}
}
