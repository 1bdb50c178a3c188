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

// The default chain's high-pass is there to take DC out, and it must not
// cost much of the headroom it is meant to save: a minimum-phase high-pass
// rotates the bass's phase, most where a note changes (its state holds the
// old note's low-frequency part), and the 20 Hz 12 dB/oct one raised the
// peak of this mono bass line by 1.85 dB at its change from 55 to 73 Hz
// (sox stats, `highpass 20`: the francium mix +0.32 dB, its instruments
// stem +0.47 dB), limiting a plain gain would not need. A 10 Hz 6 dB/oct
// one rotates a third as much at 55 Hz: +0.69 dB here. The bass needs no
// limiting and sits under the glue compressor's knee, so the master at
// unity gain peaks within 1 dB of the stem; and a DC offset on the stem
// is gone from the master after its first second.
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
	before, after := audio.DB(float64(in.Peak())), audio.DB(float64(got.Peak()))
	if d := after - before; math.Abs(d) > 1 {
		t.Errorf("the default chain moved the bass's peak by %+.2f dB (%.2f → %.2f dBFS) at unity gain", d, before, after)
	}

	// The offset's share of the master: the master with it less the one
	// without, past the first second.
	_, withDC := render(bass(0.05)) // −26 dBFS of DC
	var mean float64
	for n := rate; n < frames; n++ {
		mean += float64(withDC.Data[0][n]) - float64(got.Data[0][n])
	}
	if mean = math.Abs(mean / (frames - rate)); mean > 1e-4 {
		t.Errorf("DC left after the first second: %.1f dBFS", audio.DB(mean))
	}
}
