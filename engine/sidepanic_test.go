package engine

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
	"stemmaster/internal/testkit"
)

// TestSideGoroutinePanics panics (internal/faultpoint) in each of the
// render's side goroutines in turn, on a render that runs them all (the
// demo song stem-aware at −9 LUFS, one stem muted for the plain sum alone,
// a CD deliverable the conversion pushes over the ceiling, so written a
// second time): the render returns a *safego.PanicError naming the stage,
// within a deadline (a recovered goroutine whose waiter is not told hangs
// it), and leaves no goroutine behind. A stage marked returned hands the
// panic back as the render's error, with no panic on the render's
// goroutine to recover. Not parallel: the goroutines are counted for the
// process.
func TestSideGoroutinePanics(t *testing.T) {
	if testing.Short() {
		t.Skip("renders the demo song once per goroutine")
	}
	for _, tc := range []struct {
		point, stage     string
		noKeep, returned bool
	}{
		{"render.meter", "render's meter", false, false},
		{"render.plainfeed", "render's plain sum", false, false},
		{"render.analyse", "targeting pass's analysis", false, false},
		{"render.convert", "delivery's rate conversion", false, false},
		{"render.share", "stem-aware limiter's sharing", false, false},
		{"render.chains", "stem-aware limiter's chains", false, false},
		{"render.chainstage", "stem-aware limiter's chain stage", false, false},
		{"render.keep", "render's kept master", false, true},
		{"render.keepread", "render's kept master", false, true},
		{"render.regenerate", "render's second writing", true, true},
	} {
		t.Run(tc.point, func(t *testing.T) {
			s := demoSession(t)
			tg, _ := stemmaster.ParseTarget("-9")
			s.Master.Target = &tg
			s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
			s.Stems[3].Mute = true
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			before := runtime.NumGoroutine()
			disarm := faultpoint.Arm(tc.point + ":panic")
			defer disarm()
			err := testkit.NoHang(t, 3*time.Minute, func() (err error) {
				// As the CLI and the service run it: a panic carried over to
				// the render's goroutine is recovered where it is called.
				if !tc.returned {
					defer safego.Recover("render", func(e error) { err = e })
				}
				_, err = Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true, PlainSum: &countingSink{}, noKeep: tc.noKeep})
				return err
			})
			var pe *safego.PanicError
			if !errors.As(err, &pe) || pe.Stage != tc.stage || pe.Value != "fault point "+tc.point {
				t.Fatalf("render returned %v; want a *safego.PanicError of stage %q from the fault point", err, tc.stage)
			}
			testkit.Settled(t, before)
		})
	}
}
