package assist

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
)

// checkOf runs the check on the tracks as delivered, each served from
// memory as its file would be: the report the CLI's assist and the
// server's suggest hand Propose.
func checkOf(t testing.TB, stems []*Track, mix *Track) *stemmaster.CheckReport {
	t.Helper()
	src := func(tr *Track) check.Source {
		return check.Source{Name: tr.base(), Role: tr.Role, Open: func() (audio.Reader, error) { return audiotest.NewReader(tr.Buf, tr.Rate), nil }}
	}
	var srcs []check.Source
	for _, st := range stems {
		srcs = append(srcs, src(st))
	}
	var m *check.Source
	if mix != nil {
		s := src(mix)
		m = &s
	}
	rep, err := check.Run(context.Background(), srcs, m, check.Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// checkedOffset is the offset_samples the check's findings name for file
// (through analysis.Resolve), 0 for none.
func checkedOffset(rep *stemmaster.CheckReport, s *stemmaster.Session, file string) int64 {
	for _, r := range analysis.Resolve(rep.Findings, s, false) {
		if c := r.Correction; c != nil && c.Field == "offset_samples" && c.File == file {
			return int64(c.Value)
		}
	}
	return 0
}

// late returns b played lag frames late (early when negative), its length
// kept: the delivery of a stem bounced with a misplaced region start.
func late(b *audio.Buffer, lag int) *audio.Buffer {
	return audiotest.Shifted(b, 0, b.Frames(), lag)
}

// mixOf is the mix made of stems at unity.
func mixOf(stems []*Track) *Track {
	mix := &Track{Name: "mix.wav", Rate: rate}
	for _, s := range stems {
		mix.Buf = mixInto(mix.Buf, s.Buf)
	}
	return mix
}

func invert(b *audio.Buffer) {
	for _, ch := range b.Data {
		for i := range ch {
			ch[i] = -ch[i]
		}
	}
}

// offsetCase is one broken delivery of one stem against a mix made from
// the stems as they should be.
type offsetCase struct {
	name   string
	lag    int  // frames late
	invert bool // polarity flipped
	// half delays the stem half a frame more (the mean of two
	// neighbouring frames): a lag between two whole frames, where two
	// measurements of it could each round its own way.
	half bool
}

// halfLater returns b played half a frame later (the mean of each frame
// and the one before it).
func halfLater(b *audio.Buffer) *audio.Buffer {
	out := audio.NewBuffer(len(b.Data), b.Frames())
	for c, ch := range b.Data {
		for i := range ch {
			out.Data[c][i] = ch[i] / 2
			if i > 0 {
				out.Data[c][i] += ch[i-1] / 2
			}
		}
	}
	return out
}

// checkOffsets proposes from each broken delivery with the mix of the
// intact stems, and wants what the intact delivery gets: the same gains
// (±0.3 dB), the offset that undoes the lag, the polarity that undoes the
// flip, and a fit that explains the mix. The case the defect came from:
// drums 100 samples late got −40 dB and "8.9 dB unexplained". Whatever the
// lag, the proposal's offset is the one the check's findings name: one
// measurement, read by both.
func checkOffsets(t *testing.T, stems []*Track, mix *Track, k int, cases []offsetCase) {
	t.Helper()
	base := propose(t, clone(stems), Options{Amount: 1, Mix: mix})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			alt := clone(stems)
			alt[k].Buf = late(alt[k].Buf, tc.lag)
			if tc.half {
				alt[k].Buf = halfLater(alt[k].Buf)
			}
			if tc.invert {
				invert(alt[k].Buf)
			}
			rep := checkOf(t, alt, mix)
			p := propose(t, alt, Options{Amount: 1, Mix: mix, Check: rep})
			for i, st := range p.Session.Stems {
				if got, checked := st.OffsetSamples, checkedOffset(rep, p.Session, st.File); got != checked {
					t.Errorf("%s: offset_samples %d, the check's %d", st.File, got, checked)
				}
				want := base.Session.Stems[i]
				if i == k {
					want.OffsetSamples = int64(-tc.lag)
					if (demosong.Late{Lag: tc.lag, Half: tc.half}).Undoes(st.OffsetSamples) {
						want.OffsetSamples = st.OffsetSamples // with half, either frame the lag lies between
					}
					if tc.invert {
						want.Polarity = stemmaster.PolarityInverted
					}
				}
				if st.OffsetSamples != want.OffsetSamples || st.Polarity != want.Polarity {
					t.Errorf("%s: offset %d polarity %q, want %d %q", st.File, st.OffsetSamples, st.Polarity, want.OffsetSamples, want.Polarity)
				}
				// Half a frame off, the stem (and its fit) loses some of
				// its top: its gain is not the intact delivery's.
				if d := st.GainDB - want.GainDB; !(math.Abs(d) <= 0.3) && !tc.half {
					t.Errorf("%s: gain %+.2f dB, %+.2f dB from the intact delivery", st.File, st.GainDB, want.GainDB)
				}
			}
			y := string(p.YAML())
			if off := p.Session.Stems[k].OffsetSamples; off != 0 && !strings.Contains(y, fmt.Sprintf("offset_samples: %d", off)) {
				t.Errorf("the session file does not set the offset:\n%s", y)
			}
			if strings.Contains(y, "does not follow from the stems") {
				t.Errorf("the fit failed:\n%s", y)
			}
		})
	}
}

// A stem delivered late, early or inverted keeps its place in the mix's
// balance, on the demo song (whose mix is its stems' sum).
func TestMixOffsetsGenerated(t *testing.T) {
	t.Parallel()
	stems := generated()
	mix := mixOf(stems)
	checkOffsets(t, stems, mix, 0, []offsetCase{
		{"1 sample late", 1, false, false},
		{"100 samples late", 100, false, false},
		{"4800 samples late", 4800, false, false},
		{"480 samples early", -480, false, false},
		{"inverted", 0, true, false},
		{"100 late and inverted", 100, true, false},
		{"100.5 samples late", 100, false, true},
	})
}

// A drums stem at 44.1 kHz, 441 frames (10 ms) late: the offset is
// proposed in the song's frames, where master applies it (after the
// conversion).
func TestMixOffsetOtherRate(t *testing.T) {
	t.Parallel()
	stems := generated()
	const k = 0 // drums.wav
	at44 := demoStems(44100)[k]
	intact, err := (&Track{Name: at44.Name, Role: at44.Role, Rate: 44100, Buf: at44.Buf}).atRate(rate)
	if err != nil {
		t.Fatal(err)
	}
	stems[k] = intact
	mix := mixOf(stems)
	stems[k] = &Track{Name: at44.Name, Role: at44.Role, Rate: 44100, Buf: late(at44.Buf, 441)}
	p := propose(t, stems, Options{Amount: 1, Mix: mix})
	if st := p.Session.Stems[k]; st.OffsetSamples != -480 || !st.Resample {
		t.Errorf("%s: offset %d resample %v, want -480 (441 frames at 44.1 kHz) and true", st.File, st.OffsetSamples, st.Resample)
	}
}

// The same on francium's drums.
func TestMixOffsetsFrancium(t *testing.T) {
	t.Parallel()
	stems, mix := francium(t)
	checkOffsets(t, stems, mix, 2, []offsetCase{ // drums.wav
		{"100 samples late", 100, false, false},
		{"4800 samples late", 4800, false, false},
		{"inverted", 0, true, false},
	})
}

// A mix the stems explain little of (here the sum buried under louder
// material they do not hold) gives no balance: every stem keeps its
// delivered level and the proposal says why, rather than reading cuts
// from a failed fit.
func TestMixFitFails(t *testing.T) {
	t.Parallel()
	stems := generated()
	mix := mixOf(stems)
	for c, ch := range mix.Buf.Data {
		rev := make([]float32, len(ch))
		for i := range ch {
			rev[i] = ch[len(ch)-1-i]
		}
		for i := range ch {
			mix.Buf.Data[c][i] += 3 * rev[i]
		}
	}
	p := propose(t, stems, Options{Amount: 1, Mix: mix})
	plain := propose(t, clone(stems), Options{Amount: 0})
	for i, st := range p.Session.Stems {
		if l := p.FinalLUFS[i] - plain.FinalLUFS[i]; st.GainDB < -12 || math.IsNaN(l) {
			t.Errorf("%s: %+.1f dB from a mix the stems do not make", st.File, st.GainDB)
		}
	}
	if y := string(p.YAML()); !strings.Contains(y, "does not follow from the stems") {
		t.Errorf("the proposal does not say the fit failed:\n%s", y)
	}
}

// A stem the mix leaves out keeps its delivered level (the fit would play
// it at −200 dB), and the others keep the mix's balance.
func TestMixLeavesStemOut(t *testing.T) {
	t.Parallel()
	stems := generated()
	mix := mixOf(stems[1:])
	p := propose(t, stems, Options{Amount: 1, Mix: mix})
	if st := p.Session.Stems[0]; st.GainDB < -12 {
		t.Errorf("%s: %+.1f dB", st.File, st.GainDB)
	}
	if y := string(p.YAML()); !strings.Contains(y, "the client's mix holds next to none of drums.wav") {
		t.Errorf("the proposal does not say the mix leaves the drums out:\n%s", y)
	}
}
