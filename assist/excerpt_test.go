package assist

import (
	"math"
	"path/filepath"
	"runtime"
	"testing"

	"stemmaster/audio"
	_ "stemmaster/audio/flac"
	"stemmaster/internal/audiotest"
)

// ReadTrackSpan returns exactly the frames ReadTrack holds at the same
// place, padded with silence past the file's end, and allocates for the
// excerpt only.
func TestReadTrackSpan(t *testing.T) {
	const rate, frames = 48000, 20 * 48000
	src := audiotest.Sine(rate, 2, frames, 997, -6, 0.3)
	for i := range src.Data[1] {
		src.Data[1][i] *= 0.5 // tell the channels apart
	}
	path := audiotest.WriteWAV(t, t.TempDir(), "s.wav", src, rate, 24)
	whole, err := ReadTrack(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ start, length float64 }{{0, 2}, {7.5, 3}, {18, 4}, {25, 1}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tr, err := ReadTrackSpan(path, tc.start, tc.length)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		n := int(math.Ceil(tc.length * rate))
		if tr.Buf.Frames() != n || tr.Rate != rate {
			t.Fatalf("%+v: %d frames at %d Hz, want %d", tc, tr.Buf.Frames(), tr.Rate, n)
		}
		from := int(tc.start * rate)
		for c := range 2 {
			for i, v := range tr.Buf.Data[c] {
				want := float32(0)
				if from+i < frames {
					want = whole.Buf.Data[c][from+i]
				}
				if v != want {
					t.Fatalf("%+v: channel %d frame %d = %g, want %g", tc, c, i, v, want)
				}
			}
		}
		// The excerpt, the decoder's block and buffers; never the file.
		if got, most := after.TotalAlloc-before.TotalAlloc, uint64(8*n)+4<<20; got > most {
			t.Errorf("%+v: allocated %d bytes for an excerpt of %d frames", tc, got, n)
		}
	}
}

func TestExcerptS(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		durs, rates []float64
		budget      float64
		want        float64
	}{
		{[]float64{10, 10}, []float64{48000, 48000}, 20 * 48000, inf},          // fits exactly
		{[]float64{30, 30, 30}, []float64{48000, 48000, 48000}, 18 * 48000, 6}, // an even share
		{[]float64{2, 30, 30}, []float64{48000, 48000, 48000}, 18 * 48000, 8},  // the short one gives back 4 s
		{[]float64{30, 30}, []float64{48000, 96000}, 18 * 48000, 6},            // a 96 kHz track costs twice
		{nil, nil, 48000, inf},
	} {
		if got := ExcerptS(tc.durs, tc.rates, tc.budget); got != tc.want {
			t.Errorf("ExcerptS(%v, %v, %g) = %g, want %g", tc.durs, tc.rates, tc.budget, got, tc.want)
		}
	}
}

// TestPlan: the stems and the mix share one centred window of the song
// (each costs the whole song while it is not cut), a reference its own
// excerpt; the window is floored to 0.1 s; nothing is cut within budget.
func TestPlan(t *testing.T) {
	stem := func(d float64) Span { return Span{DurS: d, Rate: 48000, OnTimeline: true} }
	ref := func(d float64) Span { return Span{DurS: d, Rate: 48000} }
	for _, tc := range []struct {
		spans   []Span
		budgetS float64
		length  float64
		song    *Excerpt
	}{
		{[]Span{stem(10), stem(4)}, 20, math.Inf(1), nil}, // the short stem costs 10 s: it fits exactly
		{[]Span{stem(10), stem(4)}, 19, 9.5, &Excerpt{StartS: 0.2, LengthS: 9.5, SongS: 10}},
		{[]Span{stem(10), stem(10), ref(2)}, 12, 5, &Excerpt{StartS: 2.5, LengthS: 5, SongS: 10}},
		{[]Span{stem(10), ref(30)}, 24, 14, nil},                                                                // only the reference is cut
		{[]Span{stem(100), stem(100), stem(100)}, 100, 33.3, &Excerpt{StartS: 33.3, LengthS: 33.3, SongS: 100}}, // floored to 0.1 s
		// A stem at 24 kHz is converted to the song's 48 kHz: it costs as much.
		{[]Span{stem(100), {DurS: 100, Rate: 24000, OnTimeline: true}}, 100, 50, &Excerpt{StartS: 25, LengthS: 50, SongS: 100}},
	} {
		length, song := Plan(tc.spans, tc.budgetS*48000)
		if length != tc.length || (song == nil) != (tc.song == nil) || song != nil && *song != *tc.song {
			t.Errorf("Plan(%v, %g s) = %g, %+v; want %g, %+v", tc.spans, tc.budgetS, length, song, tc.length, tc.song)
		}
	}
}

// TestSpanOf: a file whose header does not give its length (a FLAC
// written to a pipe: STREAMINFO's total samples 0) is counted, as far as
// maxS.
func TestSpanOf(t *testing.T) {
	const rate = 48000
	dir := t.TempDir()
	sine := audiotest.Sine(rate, 2, 3*rate, 440, -12, 0)
	path := audiotest.WriteWAV(t, dir, "s.wav", sine, rate, 16)
	streamed := audiotest.WriteStreamedFLAC(t, dir, "streamed.flac", sine, rate)
	if info, err := audio.Stat(streamed); err != nil || info.Frames >= 0 {
		t.Fatalf("the streamed FLAC reads %d frames, %v: the case does not test what it should", info.Frames, err)
	}
	for _, tc := range []struct {
		path string
		maxS float64
		want float64
	}{
		{path, 1, 3},       // from the header, whatever maxS
		{streamed, 10, 3},  // counted
		{streamed, 1, 1.1}, // counted as far as just over maxS (a block or two)
	} {
		sp, err := SpanOf(tc.path, true, tc.maxS)
		if err != nil || math.Abs(sp.DurS-tc.want) > 0.1 || tc.path == streamed && tc.maxS < 3 && sp.DurS <= tc.maxS || sp.Rate != rate || !sp.OnTimeline {
			t.Errorf("SpanOf(%s, %g) = %+v, %v; want %g s", filepath.Base(tc.path), tc.maxS, sp, err, tc.want)
		}
	}
}
