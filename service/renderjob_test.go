package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/jobs"
)

// stagedRenderer reports the engine's stages as a render with two versions
// does (each stage's own fraction, from 0 again), and after each waits
// until the job in the store shows that stage, noting its progress.
type stagedRenderer struct {
	b    *testBundle
	seen []float64
}

func (s *stagedRenderer) Render(ctx context.Context, in RenderInput) (*stemmaster.Report, error) {
	steps := []struct {
		stage string
		f     float64
	}{{"stem drums.wav", 0.5}, {"master", 1}, {"main.wav", 0}, {"stem drums.wav", 0.3}, {"master", 0}, {"instrumental.wav", 0}, {"master", 1}}
	for _, st := range steps {
		in.Progress(st.stage, st.f)
		deadline := time.Now().Add(time.Minute)
		for {
			j, err := s.b.meta.Job(ctx, "p", "j1")
			if err != nil {
				return nil, err
			}
			if j.Stage == st.stage {
				s.seen = append(s.seen, j.Progress)
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("the job never showed stage %q (it shows %q)", st.stage, j.Stage)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// Then the whole file, as flakyRenderer's second call writes it.
	fr := &flakyRenderer{}
	fr.calls.Store(1)
	return fr.Render(ctx, in)
}

// TestProgressNeverGoesBack: a job's progress, as GET …/jobs/{job} and its
// events show it, only grows while the engine's stages each count from 0.
func TestProgressNeverGoesBack(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	sr := &stagedRenderer{b: b}
	b.runner.Renderer = sr
	b.project(t, "j1")
	ctx := context.Background()
	if err := b.runner.Render(ctx, jobs.RenderArgs{ProjectID: "p", JobID: "j1"}, 1, 3); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(sr.seen); i++ {
		if sr.seen[i] < sr.seen[i-1] {
			t.Fatalf("progress went back: %v", sr.seen)
		}
	}
	if sr.seen[len(sr.seen)-1] <= 0 {
		t.Errorf("progress %v never moved", sr.seen)
	}
}
