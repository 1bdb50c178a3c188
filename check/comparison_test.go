package check

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestUnrelatedMix: against a mix that holds none of the stems (here
// their own mix played backwards: the same instruments and levels, none
// of the same audio), the one finding is that the mix is not these
// stems' mix; no stem is called absent, hot, quiet or inverted against it.
func TestUnrelatedMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	back := sumOf(b...)
	for _, ch := range back.Data {
		slices.Reverse(ch)
	}
	m := memSource("mix.wav", back, pcm24(testRate, 2))
	rep := run(t, memSet(names, b, testRate), &m)
	assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "the mix mix.wav is not the mix of these stems"}})
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, "-0.0") || f.Value != nil && *f.Value == 0 && math.Signbit(*f.Value) {
			t.Errorf("%q (value %v) prints a negative zero", f.Message, fmtValue(f.Value))
		}
	}
	if r := float64(rep.Mix.FittedResidualDB); r == 0 && math.Signbit(r) {
		t.Error("the fitted residual is a negative zero")
	}
}

// TestFewStemsOfALoudMix: two stems that are a small part of their mix
// (the rest missing, and louder) are found in it: the sum_mismatch is the
// missing content, not another song's mix (the fx noise's channel gains,
// fitted under that much missing content, are not what this tests).
func TestFewStemsOfALoudMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	rest := scaled(sumOf(b[:3]...), 4)
	m := memSource("mix.wav", sumOf(rest, b[3], b[4]), pcm24(testRate, 2))
	rep := run(t, memSet(names[3:], b[3:], testRate), &m)
	found := false
	for _, f := range rep.Findings {
		if f.Code == stemmaster.CodeSumMismatch {
			found = strings.Contains(f.Message, "a stem is probably missing")
		}
	}
	if !found {
		t.Errorf("no sum_mismatch says a stem is missing: %s", describe(rep.Findings))
	}
}

// TestOffsetCauses: an offset whose figure says its cause says it — an
// MP3's 1105-sample delay, a start trimmed by the export (exactly as much
// shorter as it is early) — and an offset that is neither says nothing
// more.
func TestOffsetCauses(t *testing.T) {
	t.Parallel()
	names, clean := shortSong()
	mix := memSource("mix.wav", sumOf(clean...), pcm24(testRate, 2))
	trimmed := func(b *audio.Buffer, n int) *audio.Buffer {
		out := audio.NewBuffer(b.Channels(), b.Frames()-n)
		for c := range b.Data {
			copy(out.Data[c], b.Data[c][n:])
		}
		return out
	}
	tests := []struct {
		name   string
		stem   *audio.Buffer
		want   []want
		absent []string
	}{
		{"an MP3's delay", delayed(clean[3], 1105),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(1105), text: "decoded from a lossy file"}},
			[]string{"start was cut"}},
		{"a trimmed start", trimmed(clean[3], 4800),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(-4800), text: "its start was cut"}, {code: stemmaster.CodeLengthMismatch, file: names[3]}},
			[]string{"lossy"}},
		{"early, same length", delayed(clean[3], -4800),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(-4800)}},
			[]string{"lossy", "start was cut"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := append([]*audio.Buffer(nil), clean...)
			b[3] = tc.stem
			rep := run(t, memSet(names, b, testRate), &mix)
			assertFindings(t, rep, tc.want)
			for _, f := range rep.Findings {
				for _, p := range tc.absent {
					if strings.Contains(f.Message, p) || strings.Contains(f.Fix, p) {
						t.Errorf("%s says %q: %s", f.Code, p, f.Message)
					}
				}
			}
		})
	}
}

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
