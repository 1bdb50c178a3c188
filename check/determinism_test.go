package check

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// TestDeterministicReport checks a delivery twice — a song's stems, one of
// them late and one inverted, against their mix — and wants byte-identical
// JSON: the check's figures and findings must not depend on scheduling or
// map order.
func TestDeterministicReport(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, stems := shortSong()
	files := []stemFile{{name: "mix.wav", buf: sumOf(stems...), format: pcm24(rate, 2)}}
	for i, s := range stems {
		switch i {
		case 1:
			s = delayed(s, 480)
		case 2:
			s = scaled(s, -1)
		}
		files = append(files, stemFile{name: names[i] + ".wav", buf: s, format: pcm24(rate, s.Channels())})
	}
	paths := writeFiles(t, t.TempDir(), files)
	var reports [2][]byte
	for i := range reports {
		rep, err := Run(context.Background(), FileSources(paths[1:]), MixSource(paths[0]), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) < 2 {
			t.Fatalf("%d findings; the delivery has an offset and an inverted stem: %+v", len(rep.Findings), rep.Findings)
		}
		if reports[i], err = json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Errorf("two checks of the same delivery differ:\n%s\n%s", reports[0], reports[1])
	}
}
