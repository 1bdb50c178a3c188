package check

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
)

// TestLossyStems decodes every stem of a generated song from a 320 kb/s
// MP3 (ffmpeg, which removes the codec's delay): the stems keep the mix's
// energy in every octave but lose its waveform, most at the top. Before,
// the residual (about −30 dB on francium) read "a stem is probably
// missing".
func TestLossyStems(t *testing.T) {
	t.Parallel()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not found: the lossy round trip needs it")
	}
	names, b := song(testRate, 8, 1)
	dir := t.TempDir()
	files := make([]stemFile, len(names))
	for i, n := range names {
		files[i] = stemFile{name: n, buf: b[i], format: pcm24(testRate, b[i].Channels())}
	}
	wavs := writeFiles(t, dir, files)
	mix := writeFiles(t, dir, []stemFile{{name: "mix.wav", buf: sumOf(b...), format: pcm24(testRate, 2)}})[0]
	var decoded []string
	for _, w := range wavs {
		mp3 := strings.TrimSuffix(w, ".wav") + ".mp3"
		out := filepath.Join(dir, "decoded_"+filepath.Base(w))
		for _, args := range [][]string{
			{"-loglevel", "error", "-i", w, "-b:a", "320k", mp3},
			{"-loglevel", "error", "-i", mp3, "-c:a", "pcm_s24le", out},
		} {
			if msg, err := exec.Command(ff, args...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg %v: %v: %s", args, err, msg)
			}
		}
		decoded = append(decoded, out)
	}
	rep, err := Run(context.Background(), FileSources(decoded), MixSource(mix), Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.Code == stemmaster.CodeSumMismatch {
			found = strings.Contains(f.Message, "decoded from a lossy file")
		}
		if strings.Contains(f.Message, "probably missing") {
			t.Errorf("%s says a stem is missing: %s", f.Code, f.Message)
		}
	}
	if !found {
		t.Errorf("no sum_mismatch names the lossy codec: %s", describe(rep.Findings))
	}
}
