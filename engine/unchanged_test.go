package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestInputChangedDuringRender: a stem exported again while the render
// runs (here as soon as the main version's sum is done, before the
// instrumental's strips read it) fails the render naming the stem, and
// nothing is written; the mix alike.
func TestInputChangedDuringRender(t *testing.T) {
	t.Parallel()
	for _, which := range []string{"keys.wav", "mix.wav"} {
		t.Run(which, func(t *testing.T) {
			dir := t.TempDir()
			versionStems(t, dir)
			audiotest.WriteWAV(t, dir, "mix.wav", audiotest.Sine(rate, 2, 5*rate, 220, -10, 0), rate, 24)
			s := deliverySession(dir, stemmaster.VersionMain, stemmaster.VersionInstrumental)
			s.Stems[0].Role, s.Mix = stemmaster.RoleLeadVocal, "mix.wav"
			out := t.TempDir()
			var once sync.Once
			_, err := Render(context.Background(), s, Options{OutDir: out, Progress: func(stage string, f float64) {
				if stage == "master" && f == 1 {
					once.Do(func() {
						// Another export: same length, other content.
						audiotest.WriteWAV(t, dir, which, audiotest.Sine(rate, 2, 5*rate, 330, -10, 0), rate, 24)
					})
				}
			}})
			var fe *audio.FileError
			if !errors.As(err, &fe) || fe.Path != filepath.Join(dir, which) || !errors.Is(err, errInputChanged) ||
				!strings.Contains(err.Error(), "changed while the render ran") {
				t.Fatalf("error %v; want the change of %s", err, which)
			}
			testkit.DirHolds(t, out)
		})
	}
}
