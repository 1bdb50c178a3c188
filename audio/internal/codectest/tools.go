package codectest

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// The interoperability tests use ffmpeg and sox as oracles: what a codec
// writes must decode in them to exactly its samples, and what they write
// must decode in stemmaster to exactly what they decode it to. They skip
// when a tool is not installed (Debian: apt-get install ffmpeg sox).

// NeedTool returns the path of the named program, or skips the test when
// it is not installed.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed: skipping interoperability test (apt-get install %s)", name, name)
	}
	return p
}

// ToolDecode runs ffmpeg or sox on path and returns the interleaved float32
// samples it decodes. sox runs with -D: its automatic dither would
// otherwise add noise when the file has more bits than float32 holds.
func ToolDecode(t testing.TB, tool, path string) []float32 {
	t.Helper()
	var cmd *exec.Cmd
	switch tool {
	case "ffmpeg":
		cmd = exec.Command(NeedTool(t, "ffmpeg"), "-v", "error", "-i", path, "-f", "f32le", "-c:a", "pcm_f32le", "-")
	case "sox":
		cmd = exec.Command(NeedTool(t, "sox"), "-V1", "-D", path, "-t", "f32", "-e", "floating-point", "-L", "-")
	default:
		t.Fatalf("ToolDecode: unknown tool %q", tool)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", tool, path, err, stderr.String())
	}
	s := make([]float32, len(out)/4)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return s
}

// ToolWrite has ffmpeg or sox convert raw (48 kHz stereo float32
// little-endian samples, as RawF32 gives them) to path, with args the
// output options that choose its format.
func ToolWrite(t testing.TB, tool, raw, path string, args ...string) {
	t.Helper()
	var in, out []string
	switch tool {
	case "ffmpeg":
		in = []string{"-v", "error", "-f", "f32le", "-ar", "48000", "-ac", "2", "-i", raw}
		out = []string{"-y", path}
	case "sox":
		in = []string{"-V1", "-D", "-r", "48000", "-c", "2", "-t", "f32", "-L", raw}
		out = []string{path}
	default:
		t.Fatalf("ToolWrite: unknown tool %q", tool)
	}
	cmd := exec.Command(NeedTool(t, tool), append(append(in, args...), out...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
}

// DecodeFile decodes path with stemmaster (audio.Open) and returns its Info
// and interleaved samples.
func DecodeFile(t testing.TB, path string) (audio.Info, []float32) {
	t.Helper()
	b, info := audiotest.ReadFile(t, path)
	return info, Interleave(b)
}

// Interleave returns b's samples frame by frame.
func Interleave(b *audio.Buffer) []float32 {
	out := make([]float32, 0, b.Channels()*b.Frames())
	for i := range b.Frames() {
		for c := range b.Data {
			out = append(out, b.Data[c][i])
		}
	}
	return out
}

// RawF32 returns b's samples as interleaved little-endian float32 bytes,
// the input the tools read with -f f32le (ffmpeg) or -t f32 -L (sox).
func RawF32(b *audio.Buffer) []byte {
	raw := make([]byte, 0, 4*b.Channels()*b.Frames())
	for _, v := range Interleave(b) {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	return raw
}

// WriteRaw writes b's samples to path as RawF32 gives them.
func WriteRaw(t testing.TB, path string, b *audio.Buffer) {
	t.Helper()
	if err := os.WriteFile(path, RawF32(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CompareSamples fails the test unless got and want have the same length
// and differ by at most tol in every sample.
func CompareSamples(t testing.TB, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d samples, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > tol || math.IsNaN(d) {
			t.Fatalf("%s: sample %d = %v, want %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}
