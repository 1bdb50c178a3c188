package check

import (
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

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
