package check

import (
	"errors"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
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
// still completes: with --mix the later passes reread the stem and meet the
// error again, which must not abort the whole check ("check: reread
// drums.wav: …", exit 2).
func TestTruncatedStemWithMix(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
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
	problems, _ := wantedProblems(rep, wants)
	failWith(t, rep, problems)
	if rep.Mix == nil {
		t.Error("no mix report: the comparison with the mix did not run")
	}
}

// TestSurroundFileUnsupported: a 5.1 stem (or mix) is an unsupported format
// with its channel count, and the stereo stems beside it are checked as
// usual: were the widest file to set the sum's layout, every stereo stem
// would be "left out of the sum" with an info finding, and the check would
// pass a delivery that master refuses.
func TestSurroundFileUnsupported(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	surround := audio.NewBuffer(6, bufs[0].Frames())
	for c := range 2 {
		copy(surround.Data[c], bufs[0].Data[c])
	}
	t.Run("stem", func(t *testing.T) {
		stems := memSet(names, bufs, rate)
		stems = append(stems, memSource("surround.wav", surround, pcm24(rate, 6)))
		rep := run(t, stems, nil)
		assertFindings(t, rep, []want{{code: stemmaster.CodeUnsupportedFormat, file: "surround.wav", value: v(6), text: "6 channels"}})
	})
	t.Run("mix", func(t *testing.T) {
		mix := memSource("mix51.wav", surround, pcm24(rate, 6))
		rep := run(t, memSet(names, bufs, rate), &mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeUnsupportedFormat, file: "mix51.wav", value: v(6), text: "the mix mix51.wav has 6 channels"}})
		if rep.Mix != nil {
			t.Errorf("a 6-channel mix was compared with stereo stems: %+v", rep.Mix)
		}
	})
}

// TestMixShiftedAgainstEveryStem: when the mix is late against every stem
// by the same amount (a look-ahead limiter on the mix bus without delay
// compensation: 240 samples is 5 ms at 48 kHz), the check reports one
// offset on the mix, not one per stem: an offset error on each stem would
// carry an offset_samples fix that shifts a correct delivery.
func TestMixShiftedAgainstEveryStem(t *testing.T) {
	t.Parallel()
	const rate, late = testRate, 240
	names, bufs := shortSong()
	mix := memSource("mix.wav", delayed(sumOf(bufs...), late), pcm24(rate, 2))
	rep := run(t, memSet(names, bufs, rate), &mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeOffset, file: "mix.wav", value: v(late), text: "240 samples (5.0 ms) late against every stem"}})
	if rep.Mix == nil {
		t.Fatal("no mix report")
	}
}

// TestMonoStemSummedAsMasterPlacesIt: a mono stem is summed at the −3 dB
// centre of the constant-power pan law, as the engine renders it
// (dsp.PanGains(0) = √½ per channel). A mix made that way nulls with no
// finding. Summed at unity, a mono stem would pass a mix whose mono vocal
// is 3 dB louder than master renders it, and its gain_db fixes would be
// 3 dB off.
func TestMonoStemSummedAsMasterPlacesIt(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	mono := foldedDown(bufs[0])
	bufs[0] = mono
	// The mix as master places the mono stem: the engine's pan law at the
	// centre (the oracle is dsp itself, not this package's constant).
	gl, gr := dsp.PanGains(0)
	placed := audio.NewBuffer(2, mono.Frames())
	for i, v := range mono.Data[0] {
		placed.Data[0][i] = float32(gl * float64(v))
		placed.Data[1][i] = float32(gr * float64(v))
	}
	mix := memSource("mix.wav", sumOf(append([]*audio.Buffer{placed}, bufs[1:]...)...), pcm24(rate, 2))
	stems := memSet(names, bufs, rate)
	rep := run(t, stems, &mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeChannelMismatch, file: names[0], text: "−3 dB"}})
	// 24-bit stems and mix null to their quantisation, far below −100 dB.
	const nullDB = -100
	if rep.Mix == nil || !(float64(rep.Mix.NullResidualDB) < nullDB) {
		t.Errorf("mix report %+v: the stems as delivered should null below %d dB", rep.Mix, nullDB)
	}
}
