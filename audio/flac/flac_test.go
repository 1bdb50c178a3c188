package flac

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// encode writes b in format f with blocks of the given size.
func encode(t testing.TB, f audio.Format, b *audio.Buffer, block int) []byte {
	t.Helper()
	return codectest.Encode(t, NewEncoder, f, b, block)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{16, 24} {
		for _, ch := range []int{1, 2, 6, 8} {
			rate := map[int]int{1: 48000, 2: 44100, 6: 96000, 8: 197379}[ch] // 197379 Hz: not codable in a frame header
			// 5 frames: a single block shorter than FLAC's 16-frame minimum
			// for non-final blocks; 10000: two full blocks and a short one.
			for _, frames := range []int{5, 10000} {
				f := audio.Format{SampleRate: rate, Channels: ch, BitDepth: bits, SampleFormat: audio.Int}
				t.Run(fmt.Sprintf("%v/%d frames", f, frames), func(t *testing.T) {
					want := codectest.Grid(uint64(bits*ch), f, frames)
					file := encode(t, f, want, 1000)
					d, err := Decode(bytes.NewReader(file))
					if err != nil {
						t.Fatal(err)
					}
					if wi := (audio.Info{Container: "flac", Format: f, Frames: int64(frames)}); d.Info() != wi {
						t.Errorf("Info = %+v, want %+v", d.Info(), wi)
					}
					codectest.ReadEqual(t, d, 777, want)
				})
			}
		}
	}
}

// TestTaggedWithSeekTable: a FLAC as a tagger leaves it, an ID3v2 tag in
// front (text frames, cover art) and a SEEKTABLE after STREAMINFO, opens
// by its content and reads as the frames written, from a file and from a
// stream. A tag longer than the 64 bytes audio.OpenReader looks at hid
// the "fLaC" behind it: the file was refused as not a supported audio file.
func TestTaggedWithSeekTable(t *testing.T) {
	t.Parallel()
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	want := codectest.Grid(3, f, 10000)
	file := withSeekTable(encode(t, f, want, 4096), 0, 4096)
	for _, tag := range [][]byte{nil, codectest.ID3v2(20, false), codectest.ID3v2(3000, false), codectest.ID3v2(3000, true)} {
		tagged := append(slices.Clip(tag), file...)
		t.Run(fmt.Sprintf("an ID3v2 tag of %d bytes", len(tag)), func(t *testing.T) {
			d, err := audio.OpenReader(bytes.NewReader(tagged))
			if err != nil {
				t.Fatal(err)
			}
			if wi := (audio.Info{Container: "flac", Format: f, Frames: 10000}); d.Info() != wi {
				t.Errorf("Info = %+v, want %+v", d.Info(), wi)
			}
			codectest.ReadEqual(t, d, 777, want)
			s, err := Decode(codectest.Stream(bytes.NewReader(tagged)))
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			codectest.ReadEqual(t, s, 4096, want)
		})
	}
}

// withSeekTable is file with a SEEKTABLE block after STREAMINFO holding a
// point at each of frames (the first frame's offset for all: the reader
// does not seek) and a placeholder point.
func withSeekTable(file []byte, frames ...uint64) []byte {
	var st []byte
	for _, n := range frames {
		st = binary.BigEndian.AppendUint64(st, n)
		st = binary.BigEndian.AppendUint64(st, 0)
		st = binary.BigEndian.AppendUint16(st, 4096)
	}
	st = append(binary.BigEndian.AppendUint64(st, ^uint64(0)), make([]byte, 10)...)
	info := slices.Clone(file[4 : 4+4+34])
	last := info[0] & 0x80
	info[0] &^= 0x80
	out := append([]byte("fLaC"), info...)
	out = append(out, 3|last, 0, byte(len(st)>>8), byte(len(st)))
	out = append(out, st...)
	return append(out, file[4+4+34:]...)
}

func TestEncoderRejects(t *testing.T) {
	t.Parallel()
	codectest.Rejects(t, NewEncoder,
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
		audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 8, SampleFormat: audio.Int},
		audio.Format{SampleRate: 48000, Channels: 9, BitDepth: 16, SampleFormat: audio.Int},
		audio.Format{SampleRate: 0, Channels: 2, BitDepth: 16, SampleFormat: audio.Int},
	)
}

// goFuncName matches the library's "frame.Frame.Parse:"-style prefixes and
// errutil's "(file.go:123)" positions, which must not reach users.
var goFuncName = regexp.MustCompile(`[a-z]+\.[A-Z][A-Za-z]*\.[A-Za-z]+|\.go:\d+`)

// damagedAt matches where a damaged frame starts, in an error's text.
var damagedAt = regexp.MustCompile(`the frame at \d+\.\d{3} s \(frame (\d+)\)`)

func TestBadInput(t *testing.T) {
	t.Parallel()
	f := audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}
	good := encode(t, f, codectest.Grid(1, f, 9000), 4096)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0x5A
	tests := []struct {
		name   string
		file   []byte
		header bool // the error comes from Decode (else from Read)
		cut    bool // must wrap io.ErrUnexpectedEOF
	}{
		{"empty", nil, true, false},
		{"text", []byte("a text file pretending to be flac\n"), true, false},
		{"signature only", []byte("fLaC"), true, true},
		{"cut in STREAMINFO", good[:20], true, true},
		{"cut in a frame", good[:len(good)-100], false, true},
		{"corrupt frame", corrupt, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Decode(bytes.NewReader(tc.file))
			if err == nil {
				if tc.header {
					t.Fatal("Decode succeeded")
				}
				_, err = audiotest.ReadAll(t, d, 4096)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want *FormatError", err, err)
			}
			if tc.cut && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want io.ErrUnexpectedEOF inside", err)
			}
			if !strings.HasPrefix(err.Error(), "flac: ") || goFuncName.MatchString(err.Error()) {
				t.Errorf("error text %q: want the flac: prefix and no Go names", err)
			}
			if m := damagedAt.FindStringSubmatch(err.Error()); tc.name == "corrupt frame" && (m == nil || m[1] != "4096" && m[1] != "8192") {
				t.Errorf("error text %q: want where the damaged frame starts (frame 4096 or 8192 of blocks of 4096)", err)
			}
		})
	}
}

// TestReadAllocations: beyond the library's own per-frame allocations, Read
// adds none; with 4096-frame blocks the count stays near the library's.
func TestReadAllocations(t *testing.T) {
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	file := encode(t, f, codectest.Grid(2, f, 40*BlockSize), BlockSize)
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	buf := audio.NewBuffer(2, BlockSize)
	allocs := testing.AllocsPerRun(30, func() {
		if _, err := d.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%.0f allocations per 4096-frame Read (all inside mewkiz/flac)", allocs)
	// mewkiz/flac allocates per frame and subframe; 64 bounds that with room.
	if allocs > 64 {
		t.Errorf("%v allocations per Read", allocs)
	}
}

// TestInterop: FLAC we write decodes in ffmpeg and sox to our samples, and
// FLAC they write decodes in stemmaster to theirs. Skips without the tools.
func TestInterop(t *testing.T) {
	t.Parallel()
	codectest.NeedTool(t, "ffmpeg")
	dir := t.TempDir()
	for _, bits := range []int{16, 24} {
		t.Run(fmt.Sprintf("ours %d-bit", bits), func(t *testing.T) {
			f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: bits, SampleFormat: audio.Int}
			path := filepath.Join(dir, fmt.Sprintf("ours%d.flac", bits))
			audiotest.WriteFile(t, path, "flac", f, audiotest.PinkNoise(3, 2, 30000, -3))
			_, s := codectest.DecodeFile(t, path)
			// Both tools decode 16/24-bit integers to float exactly.
			codectest.CompareSamples(t, "ffmpeg", codectest.ToolDecode(t, "ffmpeg", path), s, 0)
			codectest.CompareSamples(t, "sox", codectest.ToolDecode(t, "sox", path), s, 0)
		})
		t.Run(fmt.Sprintf("ffmpeg %d-bit", bits), func(t *testing.T) {
			src := filepath.Join(dir, "src.f32")
			codectest.WriteRaw(t, src, audiotest.WhiteNoise(4, 2, 30000, -2))
			sf := map[int]string{16: "s16", 24: "s32"}[bits]
			path := filepath.Join(dir, fmt.Sprintf("ff%d.flac", bits))
			args := []string{"-c:a", "flac", "-sample_fmt", sf}
			if bits == 24 {
				args = append(args, "-bits_per_raw_sample", "24")
			}
			codectest.ToolWrite(t, "ffmpeg", src, path, args...)
			info, s := codectest.DecodeFile(t, path)
			if info.Format.BitDepth != bits || info.Frames != 30000 {
				t.Errorf("Info = %+v", info)
			}
			codectest.CompareSamples(t, "ffmpeg", s, codectest.ToolDecode(t, "ffmpeg", path), 0)
		})
		t.Run(fmt.Sprintf("sox %d-bit", bits), func(t *testing.T) {
			sox := codectest.NeedTool(t, "sox")
			path := filepath.Join(dir, fmt.Sprintf("sox%d.flac", bits))
			cmd := exec.Command(sox, "-V1", "-D", "-n", "-r", "44100", "-c", "2", "-b", fmt.Sprint(bits), path, "synth", "0.5", "pinknoise", "vol", "0.5")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sox: %v\n%s", err, out)
			}
			info, s := codectest.DecodeFile(t, path)
			if info.Format.BitDepth != bits || info.Format.SampleRate != 44100 {
				t.Errorf("Info = %+v", info)
			}
			codectest.CompareSamples(t, "sox", s, codectest.ToolDecode(t, "sox", path), 0)
		})
	}
}
