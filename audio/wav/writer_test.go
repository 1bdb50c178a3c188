package wav

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// roundTripFormats is every format the encoder writes.
var roundTripFormats = []struct {
	sf   audio.SampleFormat
	bits int
}{
	{audio.Int, 8}, {audio.Int, 16}, {audio.Int, 24}, {audio.Int, 32},
	{audio.Float, 32}, {audio.Float, 64},
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, rf := range roundTripFormats {
		for _, ch := range []int{1, 2, 3, 8} {
			f := audio.Format{SampleRate: 44100, Channels: ch, BitDepth: rf.bits, SampleFormat: rf.sf}
			t.Run(f.String(), func(t *testing.T) {
				// 1001 frames: odd, so 8-bit and 24-bit mono need a pad byte.
				want := codectest.Grid(uint64(ch*100+rf.bits), f, 1001)
				file := encode(t, f, want, 333)
				d, err := Decode(bytes.NewReader(file))
				if err != nil {
					t.Fatal(err)
				}
				wantInfo := audio.Info{Container: "wav", Format: f, Frames: 1001}
				if d.Info() != wantInfo {
					t.Errorf("Info = %+v, want %+v", d.Info(), wantInfo)
				}
				if len(file)%2 != 0 {
					t.Errorf("file of odd length %d: pad byte missing", len(file))
				}
				codectest.ReadEqual(t, d, 100, want)
			})
		}
	}
}

// TestQuantization checks float→int conversion: round to nearest, clamp.
func TestQuantization(t *testing.T) {
	t.Parallel()
	f := audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}
	// Expected integers: v·32768 rounded half away from zero, clamped to
	// [-32768, 32767]; NaN writes as 0.
	in := []float32{0, 1, -1, 1.5, -7, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768, 32766.5 / 32768, float32(math.NaN()), float32(math.Inf(-1))}
	want := []int{0, 32767, -32768, 32767, -32768, 0, 1, -1, 32767, 0, -32768}
	file := encode(t, f, &audio.Buffer{Data: [][]float32{in}}, 4096)
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	got, err := audiotest.ReadAll(t, d, 64)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if g := got.Data[0][i]; g != q(int64(w), 16) {
			t.Errorf("%v wrote %v, want %d/32768", in[i], g*32768, w)
		}
	}
}

func TestEncoderRejects(t *testing.T) {
	t.Parallel()
	codectest.Rejects(t, NewEncoder,
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 20, SampleFormat: audio.Int},
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Float},
		audio.Format{SampleRate: 48000, Channels: 0, BitDepth: 16, SampleFormat: audio.Int},
		audio.Format{SampleRate: 0, Channels: 2, BitDepth: 16, SampleFormat: audio.Int},
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16},
	)
}

// TestRF64Switch lowers the threshold so a small file must be written as
// RF64, and checks the result reads back, with a ds64 chunk where JUNK was.
func TestRF64Switch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		threshold int64
		container string
	}{
		{"below threshold", math.MaxUint32, "wav"},
		{"past threshold", 1000, "rf64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newEncoder := func(w io.WriteSeeker, f audio.Format) (*Encoder, error) {
				e, err := NewEncoder(w, f)
				if e != nil {
					e.rf64Above = tc.threshold
				}
				return e, err
			}
			f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}
			want := codectest.Grid(7, f, 4000)
			file := codectest.Encode(t, newEncoder, f, want, 1024)
			if got := string(file[0:4]); got != map[string]string{"wav": "RIFF", "rf64": "RF64"}[tc.container] {
				t.Errorf("file starts with %q", got)
			}
			if tc.container == "rf64" && string(file[12:16]) != "ds64" {
				t.Errorf("no ds64 chunk at 12: %q", file[12:16])
			}
			d, err := Decode(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if d.Info().Container != tc.container || d.Info().Frames != 4000 {
				t.Errorf("Info = %+v", d.Info())
			}
			codectest.ReadEqual(t, d, 4096, want)
		})
	}
}

// TestCreateAtomic writes through audio.Create: nothing appears under the
// final name until Close, and Abort leaves nothing at all.
func TestCreateAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	sig := codectest.Grid(3, f, 5000)

	path := filepath.Join(dir, "out.wav")
	w, err := audio.Create(path, "wav", f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(sig); err != nil {
		t.Fatal(err)
	}
	testkit.Absent(t, path) // not before Close
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := audiotest.ReadFile(t, path)
	audiotest.SameSamples(t, got, sig, "written")

	aborted := filepath.Join(dir, "aborted.wav")
	w, err = audio.Create(aborted, "wav", f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(sig); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	testkit.DirHolds(t, dir, "out.wav")
}

func TestWriteDoesNotAllocate(t *testing.T) {
	codectest.WritesWithoutAllocating(t, NewEncoder, audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, 4096)
}
