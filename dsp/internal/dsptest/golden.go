package dsptest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
)

// Hash returns the hex SHA-256 of b's sample bits (channel after channel)
// followed by the bits of extra (meters, statistics): a processor's output
// pinned bit for bit in a golden file much smaller than the audio.
func Hash(b *audio.Buffer, extra []float64) string {
	h := sha256.New()
	var word [8]byte
	for _, ch := range b.Data {
		for _, v := range ch {
			binary.LittleEndian.PutUint32(word[:4], math.Float32bits(v))
			h.Write(word[:4])
		}
	}
	for _, v := range extra {
		binary.LittleEndian.PutUint64(word[:], math.Float64bits(v))
		h.Write(word[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CheckGolden compares the hashes got (case name → Hash) with
// testdata/golden.json of the package under test, or rewrites that file
// when update is set (a change of a kernel's arithmetic says why in its
// commit).
func CheckGolden(t testing.TB, got map[string]string, update bool) {
	t.Helper()
	path := filepath.Join("testdata", "golden.json")
	if update {
		data, err := json.MarshalIndent(got, "", "  ")
		if err == nil {
			err = os.MkdirAll("testdata", 0o755)
		}
		if err == nil {
			err = os.WriteFile(path, append(data, '\n'), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for name, h := range got {
		if h != want[name] {
			t.Errorf("%s: output SHA-256 %s, golden %s", name, h, want[name])
		}
	}
}
