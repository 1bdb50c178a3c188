package engine

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestDeliverableNotCreated: a deliverable whose file cannot even be
// created (a disk so full that its header does not fit) fails the render
// with that error. Its reader of the targeting pass was never opened nor
// closed, so the pass waited for it forever: `master` into a full tmpfs
// hung with no CPU used until killed.
func TestDeliverableNotCreated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Longer than the tap's ring, so the pass must wait for its readers.
	const n = tapFrames + 2*rate
	audiotest.WriteWAV(t, dir, "vox.wav", audiotest.PinkNoise(1, 2, n, -12), rate, 24)
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(rate, 2, n, 220, -10, 0), rate, 24)
	for _, mode := range []int{followAlways, followLikely} {
		out := t.TempDir()
		opt := Options{OutDir: out, SkipCheck: true, followMode: mode,
			createSink: func(path, container string, f audio.Format) (sink, error) {
				if strings.HasSuffix(path, "main-cd.wav") {
					return nil, &audio.FileError{Path: path, Err: syscall.ENOSPC}
				}
				return createFileSink(path, container, f)
			}}
		done := make(chan error, 1)
		go func() {
			_, err := Render(context.Background(), deliverySession(dir, stemmaster.VersionMain), opt)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("follow mode %d: error %v; want ENOSPC", mode, err)
			}
			noFiles(t, out)
		case <-time.After(2 * time.Minute):
			t.Fatalf("follow mode %d: the render still runs 2 minutes after a deliverable could not be created", mode)
		}
	}
}
