package check

import (
	"errors"
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// errTruncated stands for a decoder's error on a file cut short.
var errTruncated = errors.New("file ends in the middle of a frame")

// failingReader serves frames until left runs out, then fails as a
// truncated file does: the frames before the cut decode, then an error.
type failingReader struct {
	audio.Reader
	left int
}

func (r *failingReader) Read(dst *audio.Buffer) (int, error) {
	if r.left <= 0 {
		return 0, errTruncated
	}
	n, err := r.Reader.Read(dst)
	if n > r.left {
		n = r.left
	}
	r.left -= n
	return n, err
}

// TestTruncatedStemWithMix: a stem that fails part-way is reported as
// unreadable (with a length mismatch), and the check against the mix
// still completes. Regression: with --mix the later passes reread the
// stem, hit the error again and aborted the whole check ("check: reread
// drums.wav: …", exit 2) instead of reporting the finding.
func TestTruncatedStemWithMix(t *testing.T) {
	const rate = 48000
	names, bufs := song(rate, 4, 3)
	stems := memSet(names, bufs, rate)
	mix := memSource("mix.wav", sumOf(bufs...), pcm24(rate, 2))
	const cut = 3 * rate / 2 // the stem breaks off after 1.5 s of 4 s
	broken := stems[0].Open
	stems[0].Open = func() (audio.Reader, error) {
		r, err := broken()
		if err != nil {
			return nil, err
		}
		return &failingReader{Reader: r, left: cut}, nil
	}
	rep := run(t, stems, &mix)
	// 4 s − 1.5 s = 2500 ms shorter than the others (the stems' length).
	// The rest of the report (the residual of the missing 2.5 s) is the
	// comparison's business; this test wants the two findings and a report.
	wants := []want{
		{code: stemmaster.CodeUnreadable, file: names[0], text: "after 72000 frames"},
		{code: stemmaster.CodeLengthMismatch, file: names[0], value: v(-2500)},
	}
	for _, w := range wants {
		found := false
		for _, f := range rep.Findings {
			if f.Code == w.code && f.File == w.file && strings.Contains(f.Message, w.text) &&
				(w.value == nil || f.Value != nil && math.Abs(*f.Value-*w.value) <= valueTol) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s finding on %s; findings: %s", w.code, w.file, describe(rep.Findings))
		}
	}
	if rep.Mix == nil {
		t.Error("no mix report: the comparison with the mix did not run")
	}
}
