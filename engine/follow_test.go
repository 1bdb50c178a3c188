package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestFrontier: a reader waits for the frames it needs, never gets the last
// frame before the pass is committed, and is released by an abort.
func TestFrontier(t *testing.T) {
	const total = 100
	cases := []struct {
		name    string
		end     int
		advance int  // frames published before the decision
		commit  bool // the decision: commit (true) or abort
		want    error
		early   bool // the wait returns before the decision
	}{
		{"published frames", 50, 60, true, nil, true},
		{"last frame waits for commit", total, total, true, nil, false},
		{"unpublished frames wait for commit", 80, 60, true, nil, false},
		{"abort releases", 80, 60, false, errAbandoned, false},
		{"abort after the frames", 50, 60, false, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFrontier(total)
			f.advance(tc.advance)
			got := make(chan error, 1)
			go func() { got <- f.wait(tc.end) }()
			// A wait that may return is given ample time (a busy machine);
			// one that must block is watched for a moment.
			patience := 50 * time.Millisecond
			if tc.early {
				patience = 10 * time.Second
			}
			select {
			case err := <-got:
				if !tc.early {
					t.Fatalf("wait(%d) returned %v after %d of %d frames, before the decision", tc.end, err, tc.advance, total)
				}
				if err != tc.want {
					t.Fatalf("wait(%d) = %v, want %v", tc.end, err, tc.want)
				}
				return
			case <-time.After(patience):
				if tc.early {
					t.Fatalf("wait(%d) blocked with %d of %d frames published", tc.end, tc.advance, total)
				}
			}
			if tc.commit {
				f.commit()
			} else {
				f.abort()
			}
			if err := <-got; !errors.Is(err, tc.want) {
				t.Fatalf("wait(%d) = %v, want %v", tc.end, err, tc.want)
			}
		})
	}
}

// TestFollowedDeliveryIsIdentical renders sessions whose targeting takes
// several passes (so deliverables streamed behind a pass that was not the
// last are abandoned when following every pass) and one pass, with the
// deliverables following no pass, every pass and the likely passes: files
// and report must be identical.
func TestFollowedDeliveryIsIdentical(t *testing.T) {
	const rate = 48000
	frames := 6 * rate
	dir := t.TempDir()
	// A drum-like stem (noise bursts: a high crest factor, so heavy targets
	// need several passes) and a pad.
	var parts []*audio.Buffer
	for i := range 12 {
		parts = append(parts, audiotest.WhiteNoise(uint64(i+1), 2, rate/50, -3), audiotest.Silence(2, rate/2-rate/50))
	}
	writeWAV(t, filepath.Join(dir, "drums.wav"), audiotest.Concat(parts...), rate, 24, false)
	writeWAV(t, filepath.Join(dir, "pad.wav"), audiotest.PinkNoise(7, 2, frames, -24), rate, 24, false)

	cases := []struct {
		preset    string
		minPasses int // where the value comes from: the passes this signal takes (see the log)
	}{
		{"club", 2},
		{"ebu_r128", 1},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			tg, _ := stemmaster.TargetPreset(tc.preset)
			s := &stemmaster.Session{Dir: dir, Master: stemmaster.Master{Target: &tg},
				Stems: []stemmaster.StemSpec{{File: "drums.wav"}, {File: "pad.wav"}},
				Outputs: []stemmaster.Output{
					{Format: "wav", BitDepth: 24},
					{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
				}}
			render := func(mode int) (string, *stemmaster.Report) {
				t.Helper()
				out := t.TempDir()
				rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true, followMode: mode})
				if err != nil {
					t.Fatal(err)
				}
				return out, rep
			}
			b, rb := render(followNever)
			t.Logf("%s: %d passes", tc.preset, rb.Master.Iterations)
			if rb.Master.Iterations < tc.minPasses {
				t.Fatalf("%d passes, want at least %d: the case does not test what it should", rb.Master.Iterations, tc.minPasses)
			}
			untimed(rb)
			jb, _ := json.Marshal(rb)
			for _, mode := range []struct {
				name string
				mode int
			}{{"every pass", followAlways}, {"likely passes", followLikely}} {
				a, ra := render(mode.mode)
				untimed(ra)
				if ja, _ := json.Marshal(ra); !bytes.Equal(ja, jb) {
					t.Errorf("following %s: the report differs from the one without following", mode.name)
				}
				if len(ra.Outputs) != len(s.Outputs) {
					t.Errorf("following %s: %d outputs, want %d", mode.name, len(ra.Outputs), len(s.Outputs))
				}
				for _, o := range ra.Outputs {
					fa, err := os.ReadFile(filepath.Join(a, o.File))
					if err != nil {
						t.Fatal(err)
					}
					fb, err := os.ReadFile(filepath.Join(b, o.File))
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(fa, fb) {
						t.Errorf("following %s: %s differs from the file written without following", mode.name, o.File)
					}
				}
				// Abandoned passes leave no file behind, final or temporary.
				names, _ := os.ReadDir(a)
				if len(names) != len(s.Outputs)+1 { // + report.json
					var got []string
					for _, n := range names {
						got = append(got, n.Name())
					}
					t.Errorf("following %s: the output directory holds %v", mode.name, got)
				}
			}
		})
	}
}
