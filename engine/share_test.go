package engine

import (
	"context"
	"encoding/json"
	"testing"

	"stemmaster/check"
)

// TestSharedDecode: the checks that read the stems through the strips'
// decode find what they find reading the files themselves — with a stem
// decoded far ahead of the others (a large negative offset detaches its
// tee) and a muted stem (never decoded by the render).
func TestSharedDecode(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	s.Stems[1].OffsetSamples = -6 * rate // 70 blocks ahead: more than a tee holds
	s.Stems[2].Mute = true
	rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, st := range s.Stems {
		paths = append(paths, s.Path(st.File))
	}
	direct, err := check.Run(context.Background(), check.FileSources(paths), nil, check.Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(rep.Findings)
	want, _ := json.Marshal(direct.Findings)
	if string(got) != string(want) {
		t.Errorf("findings through the shared decode:\n%s\nreading the files:\n%s", got, want)
	}
	for i, st := range rep.Stems {
		if st.Muted {
			continue
		}
		if st.BeforeLUFS != direct.Stems[i].IntegratedLUFS {
			t.Errorf("%s: %v LUFS through the shared decode, %v reading the file", st.File, st.BeforeLUFS, direct.Stems[i].IntegratedLUFS)
		}
	}
}
