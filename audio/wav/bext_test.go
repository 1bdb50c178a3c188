package wav

import (
	"bytes"
	"testing"
)

// TestDamagedTimeReference: a BWF time reference with its top bit set is
// read as none; it was read with that bit dropped, so 2^63 + 480 gave a
// file placed 480 samples late against stems referenced at 0.
func TestDamagedTimeReference(t *testing.T) {
	t.Parallel()
	for ref, want := range map[uint64]bool{1<<63 + 480: false, 1<<64 - 1: false, 1<<63 - 1: true, 480: true} {
		file := riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), bextChunk(ref), chunk{ID: "data", Body: le16(7)})
		info, err := DecodeConfig(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if info.HasTimeReference != want || want && uint64(info.TimeReference) != ref {
			t.Errorf("reference %d: read %v %d", ref, info.HasTimeReference, info.TimeReference)
		}
	}
}
