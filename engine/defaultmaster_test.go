package engine

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// The default chain's high-pass is there to take DC and rumble out, and it
// must not cost much of the headroom it is meant to save: a minimum-phase
// high-pass rotates the bass's phase, most where a note changes (its state
// holds the old note's low-frequency part), and the 20 Hz 12 dB/oct one
// raised the peak of this mono bass line by 1.85 dB at its change from 55
// to 73 Hz (sox stats, `highpass 20`: the francium mix +0.32 dB, its
// instruments stem +0.47 dB), limiting a plain gain would not need; a 10 Hz
// 6 dB/oct one still +0.69 dB. The linear-phase rumble filter moves no
// phase: what is left at the note change (+0.29 dB) is the change's own
// content below 20 Hz, which any filter that removes the rumble takes out.
// At the abrupt full-level onset from digital silence, and the abrupt end,
// the filter answers before the edge as much as after it (the half-cycle's
// own sub-20 Hz content: +0.48 dB after the onset, +0.34 dB before the
// end), where a minimum-phase one has not yet answered. The bass needs no limiting and sits under the glue
// compressor's knee, so the master at unity gain peaks within these of
// the stem; and a DC offset on the stem is gone from the master entirely
// once the filter's latency (156 ms) has passed.
func TestDefaultMasterKeepsBassPeaks(t *testing.T) {
	t.Parallel()
	const (
		rate   = 48000
		frames = 8 * rate
	)
	bass := func(dc float64) *audio.Buffer {
		b := audio.NewBuffer(2, frames)
		notes := []float64{55, 55, 73.42, 65.41}
		var ph float64 // continuous: a note change is no click
		for n := range frames {
			ph += 2 * math.Pi * notes[n/(2*rate)%len(notes)] / rate
			v := float32(0.2*(math.Sin(ph)+0.3*math.Sin(2*ph)+0.1*math.Sin(3*ph)) + dc)
			b.Data[0][n], b.Data[1][n] = v, v
		}
		return b
	}
	render := func(in *audio.Buffer) (*stemmaster.Report, *audio.Buffer) {
		dir := t.TempDir()
		audiotest.WriteFloatWAV(t, dir, "bass.wav", in, rate)
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "bass.wav"}},
			Master:  DefaultMaster(),
			Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}}
		s.Master.Target = &stemmaster.NoTarget
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := readAll(t, filepath.Join(out, "main.wav"))
		return rep, got
	}

	in := bass(0)
	rep, got := render(in)
	if rep.Master.Limiter != nil && rep.Master.Limiter.MaxDB > 0 {
		t.Fatalf("the limiter reduced %.2f dB; the test wants a master it leaves alone", float64(rep.Master.Limiter.MaxDB))
	}
	for _, span := range []struct {
		name     string
		from, to int
		bound    float64
	}{{"the onset (first second)", 0, rate, 0.5}, {"the note changes", rate, frames - rate, 0.35}, {"the abrupt end (last second)", frames - rate, frames, 0.4}} {
		before, after := spanPeakDB(in, span.from, span.to), spanPeakDB(got, span.from, span.to)
		if d := after - before; math.Abs(d) > span.bound {
			t.Errorf("%s: the default chain moved the bass's peak by %+.2f dB (%.2f → %.2f dBFS) at unity gain, want within %.2f dB", span.name, d, before, after, span.bound)
		}
	}

	// The offset's share of the master: the master with it less the one
	// without, past the filter's half-length.
	_, withDC := render(bass(0.05)) // −26 dBFS of DC
	var mean float64
	from := rate / 5
	for n := from; n < frames-from; n++ {
		mean += float64(withDC.Data[0][n]) - float64(got.Data[0][n])
	}
	if mean = math.Abs(mean / float64(frames-2*from)); mean > 1e-6 {
		t.Errorf("DC left after the first 200 ms: %.1f dBFS", audio.DB(mean))
	}
}

// spanPeakDB is the sample peak of b's frames [from, to) in dBFS.
func spanPeakDB(b *audio.Buffer, from, to int) float64 {
	return audio.DB(float64(audiotest.View(b, from, to).Peak()))
}

// The rumble filter through a render: a 100 Hz tone over 8 Hz rumble 6 dB
// louder comes out as the tone alone, sample for sample where it went in
// (the filter's 156 ms of delay compensated), once the filter's
// latency has passed from either end.
func TestRumbleFilterRender(t *testing.T) {
	t.Parallel()
	const (
		rate   = 48000
		frames = 3 * rate
	)
	tone := audiotest.Sine(rate, 2, frames, 100, -12, 0.3)
	in := tone.Clone()
	rumble := audiotest.Sine(rate, 2, frames, 8, -6, 1.1)
	for c := range in.Data {
		for n := range in.Data[c] {
			in.Data[c][n] += rumble.Data[c][n]
		}
	}
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "in.wav", in, rate)
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "in.wav"}},
		Master:  stemmaster.Master{RumbleFilterHz: 20, Target: &stemmaster.NoTarget},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}}
	out := t.TempDir()
	if _, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, filepath.Join(out, "main.wav"))
	if got.Frames() != frames {
		t.Fatalf("%d frames, want %d", got.Frames(), frames)
	}
	var worst float64
	for c := range got.Data {
		for n := rate / 5; n < frames-rate/5; n++ {
			worst = max(worst, math.Abs(float64(got.Data[c][n])-float64(tone.Data[c][n])))
		}
	}
	// −80 dB of the rumble (−86 dBFS) and float32 rounding.
	if worst > 1e-4 {
		t.Errorf("the master differs from the tone alone by up to %.1f dBFS", audio.DB(worst))
	}
}
