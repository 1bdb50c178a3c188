package atomicfile

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"stemmaster/internal/testkit"
)

// TestWritebackKeepsContent writes more than two writeback thresholds in
// uneven pieces, seeks back to patch the start (as the audio encoders
// patch their headers) and checks that the committed file holds exactly
// what was written, and that an aborted one with writeback running is
// removed.
func TestWritebackKeepsContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "big.bin")
	want := make([]byte, 2*writebackBytes+12345)
	for i := range want {
		want[i] = byte(i*7 + i>>13)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(want); {
		n := min(len(want)-off, 100_003)
		if _, err := f.Write(want[off : off+n]); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if f.wb.kick == nil {
		t.Fatal("no writeback started after more than twice the threshold")
	}
	copy(want, "HEADER")
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("HEADER")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := testkit.ReadFile(t, path); !bytes.Equal(got, want) {
		t.Fatalf("the file holds %d bytes that differ from the %d written", len(got), len(want))
	}

	g, err := Create(filepath.Join(dir, "aborted.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Write(want); err != nil {
		t.Fatal(err)
	}
	g.Abort()
	testkit.DirHolds(t, dir, "big.bin") // the aborted file left nothing
}
