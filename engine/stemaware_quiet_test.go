package engine

import (
	"context"
	"os"
	"testing"

	"stemmaster"
)

// TestStemAwareQuietIsPlain: a stem-aware master whose limiter would not
// act (the demo song at −20 LUFS) is the plain limiter's bit for bit
// (float output, no dither), reports no reduction for any stem and runs
// no class chain; driven to the loud target it runs them and differs.
func TestStemAwareQuietIsPlain(t *testing.T) {
	t.Parallel()
	render := func(target string, aware bool) ([]byte, *stemmaster.Report) {
		s := demoSession(t)
		tg, err := stemmaster.ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		s.Master.Target = &tg
		s.Outputs = []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}
		if aware {
			s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
		}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out + "/" + rep.Outputs[0].File)
		if err != nil {
			t.Fatal(err)
		}
		return b, rep
	}
	ranChains := func(rep *stemmaster.Report) bool {
		for _, st := range rep.Stages {
			if st.Stage == "stem-aware chains" {
				return true
			}
		}
		return false
	}
	plain, _ := render("-20", false)
	aware, rep := render("-20", true)
	if string(plain) != string(aware) {
		t.Error("quiet: the stem-aware master differs from the plain one")
	}
	if !rep.Master.Limiter.StemAware || rep.Master.Limiter.MaxDB != 0 || ranChains(rep) {
		t.Errorf("quiet: stem-aware %v, reduction %v dB, chains ran %v; want stem-aware, none, no", rep.Master.Limiter.StemAware, rep.Master.Limiter.MaxDB, ranChains(rep))
	}
	for _, sl := range rep.Stems {
		if sl.Limiter == nil || sl.Limiter.MaxDB != 0 {
			t.Errorf("quiet: %s reports %+v", sl.File, sl.Limiter)
		}
	}
	plain, _ = render("loud", false)
	aware, rep = render("loud", true)
	if string(plain) == string(aware) || !ranChains(rep) || rep.Master.Limiter.MaxDB <= 0 {
		t.Errorf("loud: same as plain %v, chains ran %v, reduction %v dB; want different, yes, some", string(plain) == string(aware), ranChains(rep), rep.Master.Limiter.MaxDB)
	}
}

// TestKeptMasterIsLimitingAgain: a stem-aware master whose CD deliverable
// the conversion pushes over the ceiling is written a second time from the
// kept master (keepPass), the same file as from limiting the stems again.
func TestKeptMasterIsLimitingAgain(t *testing.T) {
	t.Parallel()
	var files [2][]byte
	for i, noKeep := range []bool{false, true} {
		s := demoSession(t)
		tg, _ := stemmaster.ParseTarget("-9")
		s.Master.Target = &tg
		s.Master.Limiter.StemAware = &stemmaster.StemAwareParams{}
		s.Outputs = []stemmaster.Output{{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"}}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true, noKeep: noKeep})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Outputs[0].ExtraLimitingDB <= 0 {
			t.Fatalf("the conversion did not push the master over the ceiling (%+v): no second writing to test", rep.Outputs[0])
		}
		if files[i], err = os.ReadFile(out + "/" + rep.Outputs[0].File); err != nil {
			t.Fatal(err)
		}
	}
	if string(files[0]) != string(files[1]) {
		t.Error("the deliverable written again from the kept master differs from limiting again")
	}
}
