package engine

import (
	"context"
	"errors"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// countingSink counts the plain sum's frames; cancel, when set, is called
// at the first block.
type countingSink struct {
	frames, ends int
	cancel       func()
}

func (s *countingSink) Begin(int) error { return nil }
func (s *countingSink) Write(b *audio.Buffer) error {
	if s.cancel != nil {
		s.cancel()
	}
	s.frames += b.Frames()
	return nil
}
func (s *countingSink) End() error { s.ends++; return nil }

// TestPlainSumMutedStems: a muted stem is read for the plain sum alone, so
// the sum is as long as the longest stem even when that one is muted, and
// even when every stem but one is; a render cancelled while it reads stops
// its feeds and returns.
func TestPlainSumMutedStems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	audiotest.WriteWAV(t, dir, "short.wav", audiotest.PinkNoise(1, 2, 30000, -12), 48000, 24)
	audiotest.WriteWAV(t, dir, "long.wav", audiotest.PinkNoise(2, 1, 3*feedAhead+777, -12), 48000, 24)
	audiotest.WriteWAV(t, dir, "mid.wav", audiotest.PinkNoise(3, 2, 50000, -12), 48000, 24)
	render := func(ctx context.Context, sink *countingSink) error {
		s := &stemmaster.Session{Dir: dir, Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}},
			Stems: []stemmaster.StemSpec{{File: "short.wav"}, {File: "long.wav", Mute: true}, {File: "mid.wav", Mute: true}}}
		_, err := Render(ctx, s, Options{OutDir: t.TempDir(), PlainSum: sink, SkipCheck: true})
		return err
	}
	var sink countingSink
	if err := render(context.Background(), &sink); err != nil {
		t.Fatal(err)
	}
	if want := 3*feedAhead + 777; sink.frames != want || sink.ends != 1 {
		t.Errorf("plain sum of %d frames, %d ends; want %d frames, one end", sink.frames, sink.ends, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := countingSink{cancel: cancel}
	if err := render(ctx, &cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled render: %v, want context.Canceled", err)
	}
	if cancelled.ends != 0 {
		t.Error("a cancelled render ended its plain sum")
	}
}
